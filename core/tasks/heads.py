"""Which of the four ways to use BERT (note section 4) a model has a real head for, and which models to offer.

Each task opens with its ready-made model (config.READY_MODELS). A model trained here says in its saved
metadata which task it learned; a classifier trained on single sentences is never used to judge a pair (it
never saw sentence B), nor one trained on pairs to classify a single sentence.
"""

from __future__ import annotations

from pathlib import Path

from core import config
from core.model import checkpoints
from core.model import loading as models

# The four ways to use BERT, in the note's order (section 4); the fine-tune runner trains a head for each.
TASKS = ("sentence", "token", "pair", "qa")
# The two tasks whose head is one classifier on [CLS]: a classifier trained for one does not serve the other.
CLASSIFIER_TASKS = ("sentence", "pair")
# Saved tasks (core/finetune and core/pretrain metadata) that give a model the head a task needs; pre-training
# keeps the next-sentence head, which judges a pair.
SAVED_TASKS_FOR = {"sentence": ("sentence",), "token": ("token",), "pair": ("pair", "pretraining"), "qa": ("qa",)}


def check_task(task: str) -> str:
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
    return task


def saved_task(loaded: models.LoadedModel) -> str | None:
    """The task a model was trained for: a ready-made model's, or the one a run here saved; None when unknown
    (hub models, plain folders)."""
    ready = {name: task for task, name in config.READY_MODELS.items() if name != config.BUNDLED_ALIAS}
    if loaded.name in ready:
        return ready[loaded.name]
    folder = Path(loaded.source.location)
    if loaded.source.kind == "hub" or not checkpoints.is_complete(folder):
        return None
    try:
        return checkpoints.read_metadata(folder).get("task")
    except (OSError, ValueError):  # an unreadable metadata file says nothing about the task
        return None


def classifier_fits(loaded: models.LoadedModel, task: str) -> bool:
    """Whether the model's classifier on [CLS] was not trained for the other of the two classification tasks."""
    trained_for = saved_task(loaded)
    return trained_for not in CLASSIFIER_TASKS or trained_for == task


def has_head(loaded: models.LoadedModel, task: str) -> bool:
    """Whether the model has the real head `task` needs (the pair task: NSP/SOP, or a pair classifier)."""
    check_task(task)
    caps = loaded.capabilities
    if task == "qa":
        return caps.qa
    if task == "token":
        return caps.token_classification
    if task == "pair" and (caps.nsp or caps.sop):
        return True
    return caps.sequence_classification and classifier_fits(loaded, task)


def trained_here(task: str) -> list[str]:
    """Models trained and saved here whose saved task gives them the head `task` needs (read without loading)."""
    check_task(task)
    found = []
    for name in models.trained_models():
        try:
            saved = checkpoints.read_metadata(config.MODELS_HOME / name).get("task")
        except (OSError, ValueError):
            continue
        if saved in SAVED_TASKS_FOR[task]:
            found.append(name)
    return found


def model_options(task: str, sidebar_model: str) -> list[str]:
    """The models offered for a task: its ready-made model first, the sidebar's, then those trained here."""
    check_task(task)
    return list(dict.fromkeys([config.READY_MODELS[task], sidebar_model, *trained_here(task)]))


def default_model(task: str, sidebar: models.LoadedModel | None) -> str:
    """The sidebar's model when it already has the task's head (e.g. a user's own fine-tuned model), else the
    task's ready-made model."""
    if sidebar is not None and has_head(sidebar, task):
        return sidebar.name
    return config.READY_MODELS[task]
