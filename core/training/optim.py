"""What every training loop here shares about the optimizer: which weights decay, the learning-rate schedule
(linear warm-up, then linear decay to zero), as in the BERT paper's pre-training and fine-tuning recipes, and the
one update step that turns a batch's loss into new weights."""

from __future__ import annotations

from collections.abc import Callable

import torch


def decays(param: torch.nn.Parameter) -> bool:
    """Weight decay applies to matrices (and embedding tables), not to biases or LayerNorm gains: (n,) vectors.

    The one rule for pre-training and fine-tuning; for every BERT-family model it picks the same weights as the
    name rule (bias, LayerNorm.weight, layer_norm.weight) the fine-tune runner used to spell out."""
    return param.ndim >= 2


def adamw(model: torch.nn.Module, learning_rate: Callable[[str], float], weight_decay: float,
          fused: bool = False) -> torch.optim.AdamW:
    """AdamW over the trainable weights, one group per (learning rate, decay) in the order weights first appear;
    `learning_rate` gives each weight's rate from its name, decay follows `decays`. `fused` updates every tensor
    in one kernel (what Trainer's adamw_torch_fused uses; CPU and CUDA have it)."""
    groups: dict[tuple[float, float], list[torch.nn.Parameter]] = {}
    for name, param in model.named_parameters():
        if param.requires_grad:
            groups.setdefault((learning_rate(name), weight_decay if decays(param) else 0.0), []).append(param)
    return torch.optim.AdamW([{"params": p, "lr": lr, "weight_decay": d} for (lr, d), p in groups.items()],
                             fused=fused or None)


def warmup_then_linear_decay(optimizer: torch.optim.Optimizer, warmup_steps: int,
                             total_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over warmup_steps, then linear decay to zero at total_steps."""
    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def apply_gradients(loss: torch.Tensor, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                    schedule: torch.optim.lr_scheduler.LRScheduler, max_grad_norm: float = 1.0,
                    scaler: torch.amp.GradScaler | None = None) -> None:
    """Backward, clip the gradients' global norm, step the optimizer and the schedule, clear the gradients.

    With a `scaler` (fp16 on older GPUs) the loss is scaled, the gradients are unscaled before clipping and the
    step is skipped when they overflowed; without one, or with a disabled one, it is the plain update.
    """
    if scaler is None or not scaler.is_enabled():
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
    else:
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        scaler.step(optimizer)
        scaler.update()
    schedule.step()
    optimizer.zero_grad(set_to_none=True)
