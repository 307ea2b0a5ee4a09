"""Which local paths a browser user may name: the models folder and the folders the operator allows.

Anyone who can reach the server can type a path into a model or dataset field. The server must neither read
files elsewhere nor tell whether they exist, so every path outside the allowed folders gets the same answer.
The CLI, run by the machine's own user, reads any path it is given and never calls this module.
"""

from __future__ import annotations

import os
from pathlib import Path

from core import config


def allowed_roots() -> tuple[Path, ...]:
    """The folders whose contents a browser user may name: MODELS_HOME and BERT_EXPLORER_DATA_ROOTS."""
    roots = (_resolved(root) for root in (config.MODELS_HOME, *config.DATA_ROOTS))
    return tuple(root for root in roots if root is not None)


def is_local_path(name: str) -> bool:
    """Whether a typed name means a file or folder here rather than a Hugging Face id: it is written as a path
    (/…, ./…, ~…, a/b/c) or names something in the server's working folder (which the hub libraries would read)."""
    name = name.strip()
    return name.startswith((".", "/", "~", "\\")) or os.path.isabs(name) or name.count("/") > 1 or os.path.lexists(name)


def confine(name: str, what: str) -> Path:
    """The resolved path of `name` when it lies inside an allowed folder; otherwise one ValueError for every
    path, whether it exists or not (symbolic links are followed before the check)."""
    path = _resolved(Path(name.strip()).expanduser())
    if path is not None and any(path.is_relative_to(root) for root in allowed_roots()):
        return path
    raise ValueError(f"{what} {name.strip()!r} is not inside a folder this server lets its users read: use a model "
                     "or dataset name, a model trained here, or a folder the operator allows "
                     "(BERT_EXPLORER_DATA_ROOTS); the command line (`python -m core …`) reads any path")


def check_name_length(name: str, what: str, limit: int = config.MAX_NAME_PART_BYTES) -> None:
    """ValueError when a part of `name` is longer than a folder name may be (instead of an OS error, with
    server paths in it, later)."""
    longest = max(len(part.encode()) for part in name.split("/"))
    if longest > limit:
        shown = name if len(name) <= 40 else f"{name[:40]}…"
        raise ValueError(f"{what} {shown!r} is too long: {longest} bytes where a name (each part of a path) may have "
                         f"at most {limit}; pick a shorter one")


def _resolved(path: Path) -> Path | None:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):  # e.g. a NUL byte in the name
        return None
