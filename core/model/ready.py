"""The ready-made task models: `bundled` fine-tuned for sentiment, named entities and question answering.

Each ships in assets/task_models/<alias>/ as a LoRA adapter over `bundled` (core/model/adapter.py: fp16
low-rank changes of the encoder's linear layers plus the task head, about 1–2 MB) and the card of its build
(scripts/build_task_models.py: data, steps, time, held-out scores, labels). On first use the adapter is merged
into a copy of `bundled` and the full model is saved atomically under config.HOME, then reused; the folder
name changes whenever the adapter or `bundled` does.
"""

from __future__ import annotations

import json
from pathlib import Path

from transformers import AutoTokenizer

from core import config
from core.model import adapter, bundled, checkpoints
from core.model.capabilities import TASK_MODEL_CLASSES

READY_DIR = config.REPO_ROOT / "assets" / "task_models"
CARD_FILE = "card.json"

def asset_dir(alias: str) -> Path:
    if alias not in config.READY_ALIASES:
        raise ValueError(f"{alias!r} is not a ready-made model; they are {', '.join(config.READY_ALIASES)}")
    return READY_DIR / alias


def read_card(alias: str) -> dict:
    """What the build measured (task, labels, data, steps, held-out scores); {} when the card is missing."""
    try:
        return json.loads((asset_dir(alias) / CARD_FILE).read_text())
    except (OSError, ValueError):
        return {}


def is_shipped(alias: str) -> bool:
    folder = asset_dir(alias)
    return (folder / adapter.ADAPTER_WEIGHTS).is_file() and (folder / CARD_FILE).is_file()


def materialized_path(alias: str) -> Path:
    """Where the merged model lives; named after the adapter's and `bundled`'s content."""
    version = bundled.content_hash(asset_dir(alias) / adapter.ADAPTER_WEIGHTS)
    base = bundled.content_hash(bundled.DELTA_FILE) if bundled.DELTA_FILE.is_file() else "base"
    return config.HOME / "bundled" / f"{alias}-{version}-over-{base}"


def materialize(alias: str) -> Path:
    """The full model folder of a ready-made model, merging its adapter into `bundled` on first use."""
    if not is_shipped(alias):
        raise FileNotFoundError(f"the ready-made model {alias!r} is missing from {READY_DIR} "
                                "(build it with scripts/build_task_models.py)")
    target = materialized_path(alias)
    if checkpoints.is_complete(target):
        return target
    card = read_card(alias)
    base = bundled.bundled_path()
    labels = list(card.get("labels", []))
    kwargs = dict(num_labels=len(labels), id2label=dict(enumerate(labels)),
                  label2id={name: i for i, name in enumerate(labels)}) if labels else {}
    model = TASK_MODEL_CLASSES[card["task"]].from_pretrained(base, **kwargs)
    model = adapter.apply(model, (asset_dir(alias) / adapter.ADAPTER_WEIGHTS).read_bytes(), card["lora_rank"])
    tokenizer = AutoTokenizer.from_pretrained(base)
    metadata = {"kind": "ready-made", "task": card["task"], "labels": labels, "base_model": config.BUNDLED_ALIAS,
                "adapter": f"assets/task_models/{alias}"}
    return checkpoints.save_atomic(model, tokenizer, target, metadata)
