"""The four ways to use BERT (note section 4): sentence, pair and token classification, extractive QA, and their
figures."""
