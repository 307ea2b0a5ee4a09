"""The one training-loop skeleton, shared by pre-training (core/pretrain/runner.py) and fine-tuning
(core/finetune/runner.py): for each batch, its loss, a check that the run has not diverged, one update step
(core/training/optim.py), then the runner's own bookkeeping (history, progress, checkpoints, a time budget).

What differs between the two runners is passed in: how a batch becomes a loss and metrics, and what happens
after each step. Mixed precision for training on a GPU lives here too.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterable
from typing import TypeVar

import torch

from core.training.optim import apply_gradients

Batch = TypeVar("Batch")
Metrics = TypeVar("Metrics")


def run_steps(model: torch.nn.Module, batches: Iterable[Batch],
              loss_of: Callable[[Batch, int], tuple[torch.Tensor, Metrics]],
              optimizer: torch.optim.Optimizer, schedule: torch.optim.lr_scheduler.LRScheduler,
              after_step: Callable[[int, float, Metrics], bool], first_step: int = 0, max_grad_norm: float = 1.0,
              scaler: torch.amp.GradScaler | None = None) -> int:
    """Train on `batches` and return the number of the last step done (first_step + steps run).

    loss_of(batch, step) gives the batch's loss (a tensor to backpropagate) and the runner's metrics; `step`
    counts from 0 and lets a runner seed each step, so a resumed run repeats it exactly. after_step(step, loss,
    metrics) runs after each update, with step counting from 1; it returns True to stop early (a time budget) and
    may raise to cancel (jobs.Cancelled): whatever the runner saved before stays whole.

    A loss that is not finite stops the run with a ValueError before the update, so a ruined model is never
    saved (under fp16 loss scaling an overflowing step is skipped by the scaler instead).
    """
    step = first_step
    for batch in batches:
        loss, metrics = loss_of(batch, step)
        value = float(loss.detach())
        scaled = scaler is not None and scaler.is_enabled()
        if not math.isfinite(value) and not scaled:
            raise ValueError(f"training diverged at step {step + 1} (loss {value}): lower the learning rate(s); "
                             "the last checkpoint, if any, is kept")
        apply_gradients(loss, model, optimizer, schedule, max_grad_norm, scaler)
        step += 1
        if after_step(step, value, metrics):
            break
    return step


def mixed_precision_dtype(device: torch.device) -> torch.dtype | None:
    """bf16 on a CUDA GPU that supports it (Ampere and later; no loss scaling needed), fp16 with loss scaling on
    older GPUs (T4, V100), None (full fp32) on a CPU."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def loss_scaler(device: torch.device) -> torch.amp.GradScaler:
    """Scales fp16 losses so small gradients do not underflow; a pass-through for bf16 and fp32."""
    return torch.amp.GradScaler(device.type, enabled=mixed_precision_dtype(device) == torch.float16)


def mixed_precision(device: torch.device):
    """Mixed-precision context for training's forward passes; a no-op where mixed_precision_dtype is None."""
    dtype = mixed_precision_dtype(device)
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)
