"""Every bench in bench/ runs with its short setting (--quick), so a broken bench fails CI. No time is asserted:
the figures depend on the machine; only that each bench runs to its ratio line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent


def run_bench(script: str, *args: str) -> str:
    result = subprocess.run([sys.executable, f"bench/{script}", "--quick", *args], cwd=REPO, capture_output=True,
                            text=True, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_bench_forward_runs():
    out = run_bench("bench_forward.py")
    assert "baseline:" in out and "ratio" in out


def test_bench_mlm_compares_at_the_same_batch_size_and_with_the_floor():
    out = run_bench("bench_mlm.py")
    assert 'pipeline("fill-mask", batch_size=4' in out and "fill_mask_batch(batch_size=4)" in out
    assert "ours / pipeline at batch 4" in out and "ours / floor" in out and "pseudo-perplexity" in out


def test_bench_finetune_runs_against_trainer_with_fused_adamw(tiny_dirs):
    out = run_bench("bench_finetune.py", "--model", str(tiny_dirs["encoder"]))
    assert "optim=adamw_torch_fused" in out and "ratio ours / Trainer" in out


@pytest.mark.browser
def test_bench_app_runs():
    from tests.helpers import require_chromium

    require_chromium()
    out = run_bench("bench_app.py")
    assert "cold start" in out and "ratio" in out and "over the walk" in out
