"""Atomic checkpoint saving: a killed or cancelled run never leaves a half-written model.

A model is written to a hidden temporary folder next to its target, then swapped in with renames;
the previous version stays whole until the new one is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

from transformers import PreTrainedModel, PreTrainedTokenizerBase

from core import config

# Written last into a finished checkpoint; a folder without it is never listed or loaded as ours.
COMPLETE_MARKER = "bert_explorer.json"


def _fsync_tree(folder: Path) -> None:
    """Flush every file of a folder to disk before it is renamed into place."""
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def save_atomic(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    target: Path,
    metadata: dict | None = None,
    extra_files: dict[str, bytes] | None = None,
) -> Path:
    """Save model + tokenizer (+ metadata, + extra files) to `target` atomically; returns target."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    for name, data in (extra_files or {}).items():
        (staging / name).write_bytes(data)
    info = {"saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"), **(metadata or {})}
    (staging / COMPLETE_MARKER).write_text(json.dumps(info, indent=2))
    _fsync_tree(staging)
    _swap_in(staging, target)
    return target


def _swap_in(staging: Path, target: Path) -> None:
    """Replace target by staging with renames, so some complete version exists at every instant."""
    if not target.exists():
        os.replace(staging, target)
        return
    retired = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
    os.replace(target, retired)
    os.replace(staging, target)
    shutil.rmtree(retired, ignore_errors=True)


def is_complete(folder: Path) -> bool:
    """Whether a folder holds a checkpoint whose save finished."""
    return (Path(folder) / COMPLETE_MARKER).is_file() and (Path(folder) / "config.json").is_file()


def read_metadata(folder: Path) -> dict:
    """What the run wrote about a checkpoint (task, base model, metrics…)."""
    return json.loads((Path(folder) / COMPLETE_MARKER).read_text())


def clean_leftovers(parent: Path = config.MODELS_HOME) -> list[str]:
    """Remove staging/retired folders that a killed save left behind; returns their names."""
    if not parent.is_dir():
        return []
    removed = []
    for path in parent.iterdir():
        if path.name.startswith(".") and (".tmp-" in path.name or ".old-" in path.name):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def model_dir(alias: str) -> Path:
    """Where a trained model with this alias lives (aliases are plain folder names)."""
    alias = alias.strip()
    if not alias or "/" in alias or alias.startswith(".") or alias == config.BUNDLED_ALIAS:
        raise ValueError(f"{alias!r} cannot be a model name: use letters, digits, '-' or '_' (and not 'bundled')")
    return config.MODELS_HOME / alias
