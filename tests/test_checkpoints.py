"""Atomic saves: a crash at any point leaves the previous checkpoint whole and loadable."""

import os

import pytest
import torch

from core import checkpoints, config, models


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
    assert checkpoints.clean_leftovers(tmp_path)  # the half-written staging folder is found and removed
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
