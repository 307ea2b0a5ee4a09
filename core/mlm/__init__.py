"""Masked language model (note section 3.1): fill-mask from the real MLM head, sentence scoring, the 80/10/10
masking rule, and their figures."""
