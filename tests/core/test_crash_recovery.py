"""Kill a training process at any moment, mid-epoch or mid-save: every model listed afterwards loads."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from core import config
from core.model import checkpoints
from core.model import loading as models
from tests.helpers import ROOT


def start_training(home: Path, base: Path, alias: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "core", "finetune", "--task", "sentence", "--data", "demo", "--model", str(base),
           "--out", alias, "--epochs", "40", "--batch-size", "32", "--device", "cpu"]
    env = {**os.environ, "BERT_EXPLORER_HOME": str(home), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_first_save(folder: Path, proc: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.time() + timeout_s
    while not checkpoints.is_complete(folder):
        assert proc.poll() is None, "training ended before its first checkpoint"
        assert time.time() < deadline, "no checkpoint within the time limit"
        time.sleep(0.02)


@pytest.mark.parametrize("delay_s", [0.0, 0.15, 0.4, 0.9])
def test_sigkill_during_training_never_leaves_an_unloadable_model(tmp_path, monkeypatch, tiny_dirs, delay_s):
    alias = "killed-run"
    proc = start_training(tmp_path, tiny_dirs["encoder"], alias)
    try:
        wait_for_first_save(tmp_path / "models" / alias, proc)
        time.sleep(delay_s)  # somewhere in the next epoch or its save
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    monkeypatch.setattr(config, "MODELS_HOME", tmp_path / "models")
    listed = models.trained_models()
    assert alias in listed
    for name in listed:
        loaded = models.load_model(name, device=torch.device("cpu"))
        assert loaded.capabilities.sequence_classification
    checkpoints.recover_leftovers(tmp_path / "models")  # the killed process's leftovers
    assert all(not p.name.startswith(".") for p in (tmp_path / "models").iterdir())
