"""Atomic checkpoint saving: a killed or cancelled run never leaves a half-written model.

A model is written to a hidden temporary folder next to its target, then swapped in with renames;
the previous version stays whole until the new one is complete. The hidden folders are named after the
process that writes them, so a restarted app can tell the leftovers of a killed save (its process is gone)
from a save that another live process is still writing, and clean up only the former.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from transformers import PreTrainedModel, PreTrainedTokenizerBase

from core import config

# Written last into a finished checkpoint; a folder without it is never listed or loaded as ours.
COMPLETE_MARKER = "bert_explorer.json"
# A leftover whose writer cannot be checked (another machine sharing the folder, an older name without an
# owner, a process id reused since) is removed only once it is this old: no save takes a day.
ABANDONED_AFTER_S = 24 * 3600
# .<target>.tmp-<8 hex>-<pid>@<host> (staging) or .<target>.old-… (the retired previous version).
_LEFTOVER = re.compile(r"^\.(?P<target>.+)\.(?P<kind>tmp|old)-[0-9a-f]{8}(?:-(?P<pid>\d+)@(?P<host>.+))?$")


def _hidden_name(target: Path, kind: str) -> Path:
    """A hidden sibling of target, named after this process so a later cleanup knows whether it is alive."""
    return target.parent / f".{target.name}.{kind}-{uuid.uuid4().hex[:8]}-{os.getpid()}@{socket.gethostname()}"


def retired_name(target: Path) -> Path:
    """Where a model being replaced or deleted waits for its removal (a leftover the next cleanup removes)."""
    return _hidden_name(target, "old")


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
    staging = _hidden_name(target, "tmp")
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        for name, data in (extra_files or {}).items():
            (staging / name).write_bytes(data)
        info = {"saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"), **(metadata or {})}
        (staging / COMPLETE_MARKER).write_text(json.dumps(info, indent=2))
        _fsync_tree(staging)
        _swap_in(staging, target)
    except BaseException:  # a failed save (disk full, cancelled) leaves no full-size copy behind
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _swap_in(staging: Path, target: Path) -> None:
    """Replace target by staging with renames, so some complete version exists at every instant."""
    if not target.exists():
        os.replace(staging, target)
        return
    retired = _hidden_name(target, "old")
    os.replace(target, retired)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(retired, target)  # the previous version comes back whole
        raise
    shutil.rmtree(retired, ignore_errors=True)


def is_complete(folder: Path) -> bool:
    """Whether a folder holds a checkpoint whose save finished."""
    return (Path(folder) / COMPLETE_MARKER).is_file() and (Path(folder) / "config.json").is_file()


def read_metadata(folder: Path) -> dict:
    """What the run wrote about a checkpoint (task, base model, metrics…)."""
    return json.loads((Path(folder) / COMPLETE_MARKER).read_text())


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def _newest_change(folder: Path) -> float:
    return max((p.stat().st_mtime for p in folder.rglob("*")), default=folder.stat().st_mtime)


def is_abandoned(path: Path) -> bool:
    """Whether a staging/retired folder belongs to a save that can no longer finish (its process is gone)."""
    match = _LEFTOVER.match(path.name)
    if not match or not path.is_dir():
        return False
    if match["pid"] and match["host"] == socket.gethostname() and not _process_alive(int(match["pid"])):
        return True
    return time.time() - _newest_change(path) > ABANDONED_AFTER_S


def recover_leftovers(parent: Path = config.MODELS_HOME) -> list[str]:
    """After a crash: put back a model whose save was killed between its two renames, and remove the other
    leftovers of killed saves. A save still running in another live process is never touched.
    Returns what it did, e.g. ['restored my-run', 'removed .my-run.tmp-…']."""
    if not parent.is_dir():
        return []
    done = []
    # Staging folders first: a complete one is newer than the retired version beside it.
    for path in sorted(parent.iterdir(), key=lambda p: (".old-" in p.name, p.name)):
        if not is_abandoned(path):
            continue
        target = parent / _LEFTOVER.match(path.name)["target"]
        if not target.exists() and is_complete(path):
            try:
                os.replace(path, target)
                done.append(f"restored {target.name}")
            except OSError:  # the target appeared meanwhile (a new save): the leftover goes next time
                pass
        else:
            shutil.rmtree(path, ignore_errors=True)
            done.append(f"removed {path.name}")
    return done


def model_dir(alias: str) -> Path:
    """Where a trained model with this alias lives (aliases are plain folder names)."""
    alias = alias.strip()
    if not alias or "/" in alias or alias.startswith(".") or alias == config.BUNDLED_ALIAS:
        raise ValueError(f"{alias!r} cannot be a model name: use letters, digits, '-' or '_' (and not 'bundled')")
    return config.MODELS_HOME / alias


def new_model_dir(alias: str) -> Path:
    """Where a run may save a new model named `alias`: a name that fits in a folder name and takes over no hub id."""
    target = model_dir(alias)
    alias = alias.strip()
    if len(alias.encode()) > config.MAX_ALIAS_BYTES:
        raise ValueError(f"the model name is too long ({len(alias.encode())} bytes): at most {config.MAX_ALIAS_BYTES}, "
                         "so the run can be saved; pick a shorter one")
    if shadows_hub_id(alias):
        raise ValueError(f"{alias!r} is the name of a Hugging Face hub model: saved under it, your model would take "
                         "that name over for everyone; pick another, e.g. 'my-" + alias + "'")
    return target


def shadows_hub_id(alias: str) -> bool:
    """Whether an alias would hide a hub model of the same name (a suggested one, a BERT-style id, a cached one)."""
    from core.model.hub import in_hub_cache

    lowered = alias.strip().lower()
    suggested = {m.lower() for m in config.SUGGESTED_MODELS}
    return lowered in suggested or bool(re.match(config.HUB_ID_LOOKALIKE, lowered)) or in_hub_cache(alias)


@contextlib.contextmanager
def writer_lock(alias: str):
    """Hold a model name's one writer's lock for a whole run or delete, against other threads and processes;
    ValueError at once when another writer holds it (the kernel frees the lock of a killed process)."""
    folder = config.MODELS_HOME.parent / "locks"  # beside the models folder: never listed as a model or leftover
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{model_dir(alias).name}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ValueError(f"another run is saving {alias.strip()!r} right now (in this or another process): wait "
                             "for it to finish, or pick another name") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def check_overwrite(alias: str, overwrite: bool) -> None:
    """ValueError when a run would replace a saved model without being told to."""
    if overwrite or not model_dir(alias).exists():
        return
    raise ValueError(f"a model named {alias.strip()!r} is already saved: tick 'Replace the saved model' on the page (or pass "
                     "--overwrite on the command line) to train over it, or pick another name")


def delete_model(alias: str, is_kind: Callable[[dict], bool], kind: str) -> None:
    """Remove exactly the saved model `alias` when its metadata passes `is_kind`; ValueError, deleting nothing,
    when it is not of that kind, no longer there, or a run is writing it."""
    folder = model_dir(alias)
    try:
        ours = is_complete(folder) and is_kind(read_metadata(folder))
    except FileNotFoundError as err:
        raise _gone(alias) from err
    if not folder.exists():
        raise _gone(alias)
    if not ours:
        raise ValueError(f"{alias!r} is not {kind} saved by this app: nothing was deleted")
    # Claim the folder with one rename first: of two deletes racing for it, exactly one wins the rename and the
    # other is told the model is gone, instead of both tearing at the same files. A run saving it meanwhile wins.
    retired = retired_name(folder)
    with writer_lock(alias):
        try:
            os.replace(folder, retired)
        except FileNotFoundError as err:
            raise _gone(alias) from err
    shutil.rmtree(retired, ignore_errors=True)


def _gone(alias: str) -> ValueError:
    return ValueError(f"{alias!r} is no longer saved (deleted meanwhile, perhaps by another session): "
                      "nothing was deleted")
