"""core/training/optim.py: the one no-decay rule and the one warm-up schedule give what both runners used to."""

import pytest
import torch
from transformers import (
    AlbertConfig,
    AlbertForPreTraining,
    BertConfig,
    BertForPreTraining,
    BertForQuestionAnswering,
    BertForSequenceClassification,
    BertForTokenClassification,
)

from core.training.optim import decays, warmup_then_linear_decay
from tests.helpers import TINY

NAME_RULE = ("bias", "LayerNorm.weight", "layer_norm.weight")  # the fine-tune runner's rule before


@pytest.mark.parametrize("model", [
    BertForPreTraining(BertConfig(vocab_size=99, **TINY)), BertForQuestionAnswering(BertConfig(vocab_size=99, **TINY)),
    BertForSequenceClassification(BertConfig(vocab_size=99, **TINY)),
    BertForTokenClassification(BertConfig(vocab_size=99, num_labels=3, **TINY)),
    AlbertForPreTraining(AlbertConfig(vocab_size=99, embedding_size=16, **TINY)),
], ids=["pretraining", "qa", "sentence", "token", "albert"])
def test_the_shape_rule_picks_the_weights_the_name_rule_picked(model):
    for name, param in model.named_parameters():
        assert decays(param) == (not name.endswith(NAME_RULE)), name


def _old_factor(step, warmup, total):  # both runners' schedule before, spelled out
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total - step) / max(1, total - warmup))


@pytest.mark.parametrize("warmup, total", [(0, 10), (1, 1), (3, 20), (10, 10)])
def test_the_schedule_is_the_runners_schedule(warmup, total):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    schedule = warmup_then_linear_decay(optimizer, warmup, total)
    for step in range(total + 2):
        assert schedule.lr_lambdas[0](step) == _old_factor(step, warmup, total)
