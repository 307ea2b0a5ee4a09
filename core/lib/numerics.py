"""Numerics the views share: the one numpy softmax (NSP and classification probabilities, attention weights
recomputed from query/key scores, the fine-tune page's NSP prediction), and the ROC AUC that says how well
a score separates two groups without picking a threshold (NSP pages, the everyday check).

The MLM view keeps its own torch softmax (core/mlm/fill_mask.py) on purpose: it computes in float32 exactly as
`pipeline("fill-mask")` does, which its parity test checks token for token.
"""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, stable for large logits: (..., n) -> (..., n), each row sums to 1."""
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


def roc_auc(positives: np.ndarray, negatives: np.ndarray) -> float:
    """P(a random positive scores above a random negative), ties counting half."""
    if not len(positives) or not len(negatives):
        return float("nan")
    above = (positives[:, None] > negatives[None, :]).mean()
    ties = (positives[:, None] == negatives[None, :]).mean()
    return float(above + 0.5 * ties)
