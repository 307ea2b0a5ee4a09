"""Numerics the views share: the one numpy softmax (NSP and classification probabilities, attention weights
recomputed from query/key scores, the fine-tune page's NSP prediction).

The MLM view keeps its own torch softmax (core/mlm/fill_mask.py) on purpose: it computes in float32 exactly as
`pipeline("fill-mask")` does, which its parity test checks token for token.
"""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, stable for large logits: (..., n) -> (..., n), each row sums to 1."""
    weights = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)
