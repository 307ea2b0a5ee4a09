"""Atomic saves: a crash at any point leaves the previous checkpoint whole and loadable."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from core import config
from core.model import checkpoints
from core.model import loading as models


def test_save_then_load_round_trip(tmp_path, tiny_model):
    target = checkpoints.save_atomic(tiny_model.model, tiny_model.tokenizer, tmp_path / "m", {"task": "demo"})
    assert checkpoints.is_complete(target)
    assert checkpoints.read_metadata(target)["task"] == "demo"
    assert models.load_model(str(target), device=torch.device("cpu")).capabilities.mlm


def test_crash_during_save_keeps_the_previous_version(tmp_path, tiny_model, monkeypatch):
    target = checkpoints.save_atomic(tiny_model.model, tiny_model.tokenizer, tmp_path / "m", {"version": 1})

    def crash(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(checkpoints, "_fsync_tree", crash)
    with pytest.raises(OSError):
        checkpoints.save_atomic(tiny_model.model, tiny_model.tokenizer, target, {"version": 2})
    assert checkpoints.read_metadata(target)["version"] == 1
    assert models.load_model(str(target), device=torch.device("cpu"))
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # the failed save removed its staging folder
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_crash_between_renames_leaves_a_complete_folder(tmp_path, tiny_model, monkeypatch):
    target = checkpoints.save_atomic(tiny_model.model, tiny_model.tokenizer, tmp_path / "m", {"version": 1})
    real_replace = os.replace
    calls = []

    def replace_then_die(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt  # killed after retiring the old folder, before the new one moved in
        real_replace(src, dst)

    monkeypatch.setattr(checkpoints.os, "replace", replace_then_die)
    with pytest.raises(KeyboardInterrupt):
        checkpoints.save_atomic(tiny_model.model, tiny_model.tokenizer, target, {"version": 2})
    complete = [p for p in tmp_path.iterdir() if checkpoints.is_complete(p)]
    assert complete  # the retired version is still whole on disk


@pytest.mark.parametrize("alias", ["", "a/b", ".hidden", config.BUNDLED_ALIAS])
def test_bad_aliases_are_refused(alias):
    with pytest.raises(ValueError, match="cannot be a model name"):
        checkpoints.model_dir(alias)


def dead_pid() -> int:
    """The id of a process that has just exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def leftover(parent, target: str, kind: str, owner: str, complete_from=None):
    """A staging ('tmp') or retired ('old') folder as a killed save leaves it; complete when copied from a checkpoint."""
    path = parent / f".{target}.{kind}-0123abcd-{owner}"
    if complete_from is not None:
        shutil.copytree(complete_from, path)
    else:
        path.mkdir()
        (path / "config.json").write_text("{")  # half written
    return path


def test_hidden_folders_are_named_after_the_saving_process(tmp_path, tiny_model, monkeypatch):
    seen = []
    real_replace = os.replace
    monkeypatch.setattr(checkpoints.os, "replace", lambda src, dst: (seen.extend([src, dst]), real_replace(src, dst)))
    target = checkpoints.save_atomic(tiny_model.model, tiny_model.tokenizer, tmp_path / "m")
    checkpoints.save_atomic(tiny_model.model, tiny_model.tokenizer, target)  # retires the first version
    hidden = {Path(p).name for p in seen if Path(p).name.startswith(".")}
    assert {name[:7] for name in hidden} == {".m.tmp-", ".m.old-"}
    assert all(name.endswith(f"-{os.getpid()}@{socket.gethostname()}") for name in hidden)


def test_recovery_removes_leftovers_of_dead_processes_and_keeps_live_saves(tmp_path, tiny_model):
    host = socket.gethostname()
    whole = checkpoints.save_atomic(tiny_model.model, tiny_model.tokenizer, tmp_path / "m")
    dead = leftover(tmp_path, "m", "tmp", f"{dead_pid()}@{host}")
    live = leftover(tmp_path, "m", "tmp", f"{os.getpid()}@{host}")  # a save this live process is writing
    elsewhere = leftover(tmp_path, "m", "tmp", f"{dead_pid()}@another-machine")  # cannot be checked from here
    unowned = tmp_path / ".m.old-89abcdef"  # named before owners were recorded
    unowned.mkdir()
    assert checkpoints.recover_leftovers(tmp_path) == [f"removed {dead.name}"]
    assert live.exists() and elsewhere.exists() and unowned.exists() and checkpoints.is_complete(whole)
    day_ago = time.time() - checkpoints.ABANDONED_AFTER_S - 60
    for path in (elsewhere, unowned, *elsewhere.rglob("*"), *unowned.rglob("*")):
        os.utime(path, (day_ago, day_ago))
    assert sorted(checkpoints.recover_leftovers(tmp_path)) == sorted([f"removed {elsewhere.name}", f"removed {unowned.name}"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["m", live.name])


def test_recovery_puts_back_a_model_killed_between_its_two_renames(tmp_path, tiny_model):
    owner = f"{dead_pid()}@{socket.gethostname()}"
    first = checkpoints.save_atomic(tiny_model.model, tiny_model.tokenizer, tmp_path / "first", {"version": 1})
    retired = leftover(tmp_path, "m", "old", owner, complete_from=first)
    staging = leftover(tmp_path, "m", "tmp", owner, complete_from=first)  # the new version, also whole
    assert checkpoints.recover_leftovers(tmp_path) == ["restored m", f"removed {retired.name}"]
    assert checkpoints.is_complete(tmp_path / "m") and not staging.exists() and not retired.exists()
    assert models.load_model(str(tmp_path / "m"), device=torch.device("cpu"))
