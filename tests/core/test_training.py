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

from core.training import loop
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


def _toy():
    """A one-weight model, its optimizer and schedule: loss (w - target)^2 per batch."""
    model = torch.nn.Linear(1, 1, bias=False)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return model, optimizer, warmup_then_linear_decay(optimizer, 0, 100)


def test_the_loop_numbers_steps_and_hands_each_its_loss_and_metrics():
    model, optimizer, schedule = _toy()
    seen = []

    def loss_of(target, step):
        return ((model.weight - target) ** 2).sum(), {"target": target, "step": step}

    last = loop.run_steps(model, [1.0, 2.0, 3.0], loss_of, optimizer, schedule,
                          lambda step, loss, metrics: seen.append((step, round(loss, 4), metrics)) and False, first_step=5)
    assert last == 8 and [s for s, _, _ in seen] == [6, 7, 8]
    assert [m["step"] for _, _, m in seen] == [5, 6, 7]  # loss_of counts from 0, after_step from 1
    assert all(loss >= 0 for _, loss, _ in seen)


def test_the_loop_stops_when_asked_and_never_updates_on_a_diverged_loss():
    model, optimizer, schedule = _toy()
    batches = iter([1.0, 2.0, 3.0, 4.0])
    last = loop.run_steps(model, batches, lambda t, s: (((model.weight - t) ** 2).sum(), None), optimizer, schedule,
                          lambda step, loss, metrics: step == 2)
    assert last == 2 and next(batches) == 3.0  # the third batch was never drawn
    before = model.weight.detach().clone()
    with pytest.raises(ValueError, match="diverged at step 3"):
        loop.run_steps(model, [float("nan")], lambda t, s: (((model.weight - t) ** 2).sum(), None), optimizer,
                       schedule, lambda *a: False, first_step=2)
    assert torch.equal(model.weight.detach(), before)  # no update from the NaN loss
