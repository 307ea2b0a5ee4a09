"""Next-sentence prediction (note section 3.2): one pair and batches from the real NSP/SOP head, the negatives
experiment, and their figures."""
