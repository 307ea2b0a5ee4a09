"""What every training loop here shares about the optimizer: which weights decay, and the learning-rate schedule
(linear warm-up, then linear decay to zero), as in the BERT paper's pre-training and fine-tuning recipes."""

from __future__ import annotations

import torch


def decays(param: torch.nn.Parameter) -> bool:
    """Weight decay applies to matrices (and embedding tables), not to biases or LayerNorm gains: (n,) vectors.

    The one rule for pre-training and fine-tuning; for every BERT-family model it picks the same weights as the
    name rule (bias, LayerNorm.weight, layer_norm.weight) the fine-tune runner used to spell out."""
    return param.ndim >= 2


def warmup_then_linear_decay(optimizer: torch.optim.Optimizer, warmup_steps: int,
                             total_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over warmup_steps, then linear decay to zero at total_steps."""
    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
