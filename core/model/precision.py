"""Inference precision for the batch workloads that show no internals (NSP batch, NSP negatives).

fp32 is the model's own arithmetic, exact against a plain Hugging Face forward, and every view of internals
(attention, embeddings, logit lens) keeps it. bf16 runs the matrix products in bfloat16 under torch.autocast:
on CPUs with bf16 instructions (AVX-512 BF16, AMX) and on recent GPUs about twice as fast, with results close
to fp32 but not equal, so a page that uses it says how close (`agreement` on a sample).
"""

from __future__ import annotations

import contextlib
import functools

import torch

PRECISIONS = {
    "bf16": "bf16 — bfloat16 matrix products, about 2× faster here, P(IsNext) within a few thousandths",
    "fp32": "fp32 — the model's own float32, exact",
}
AGREEMENT_SAMPLE = 16  # pairs scored in both precisions to show how close bf16 is


@functools.cache
def bf16_supported(device_type: str) -> bool:
    """Whether bf16 matrix products run natively (fast) on this device: never guess, emulated bf16 is slower."""
    if device_type == "cuda":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    if device_type == "cpu":
        capability = getattr(torch.backends.cpu, "get_cpu_capability", lambda: "")()
        return capability in ("AVX512", "AMX") or bool(getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported",
                                                               lambda: False)())
    return False


def default_precision(device: torch.device) -> str:
    """bf16 where it is native, else fp32."""
    return "bf16" if bf16_supported(device.type) else "fp32"


def check_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; pick one of {', '.join(PRECISIONS)}")
    return precision


def autocast(device: torch.device, precision: str):
    """The context a forward pass runs in for `precision` (fp32: none)."""
    if check_precision(precision) == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)
