"""core/lib/numerics.py: the one softmax gives what each of the copies it replaced gave."""

import numpy as np
import pytest

from core.lib.numerics import roc_auc, softmax

RNG = np.random.default_rng(0)
LOGITS = [RNG.normal(size=(2,)), RNG.normal(scale=30, size=(5, 2)), RNG.normal(size=(3, 4, 7)).astype(np.float32),
          np.array([1000.0, 999.0]), np.array([[-1e4, 0.0, 3.0]])]


def _old_stable(logits):  # core/nsp.py softmax, core/tasks.py _softmax, core/attention_probe.py QueryKey.weights
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def _old_flat(logits):  # core/finetune_runs.py _nsp_prediction (1-D logits)
    return np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()


def _old_unshifted(logits):  # core/cli_basic.py analyze (overflows for large logits)
    return np.exp(logits) / np.exp(logits).sum()


@pytest.mark.parametrize("logits", LOGITS, ids=range(len(LOGITS)))
def test_softmax_is_the_stable_copies_bit_for_bit(logits):
    assert np.array_equal(softmax(logits), _old_stable(logits))
    assert softmax(logits).dtype == logits.dtype
    assert np.allclose(softmax(logits).sum(axis=-1), 1.0, atol=1e-6)


def test_softmax_of_one_pair_matches_the_flat_and_unshifted_copies():
    pair = LOGITS[0]
    assert np.array_equal(softmax(pair), _old_flat(pair))
    assert np.allclose(softmax(pair), _old_unshifted(pair), rtol=1e-12)
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(_old_unshifted(LOGITS[3])).all()  # the unshifted copy broke on large logits
    assert np.allclose(softmax(LOGITS[3]), [1 / (1 + np.exp(-1)), 1 - 1 / (1 + np.exp(-1))])


def test_roc_auc_counts_ranked_pairs_and_ties():
    assert roc_auc(np.array([0.9, 0.8]), np.array([0.1, 0.2])) == 1.0
    assert roc_auc(np.array([0.1]), np.array([0.9])) == 0.0
    assert roc_auc(np.array([0.5]), np.array([0.5])) == 0.5
