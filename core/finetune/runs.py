"""Around the fine-tune runner: saved runs and their disk use, a cost warning before a run, the run as an
exported multi-GPU job, and a before/after comparison of a base model and its fine-tuned copy."""

from __future__ import annotations

import dataclasses
import json
import shlex
from dataclasses import dataclass

import numpy as np
import torch

from core import config
from core.finetune.data import TaskData
from core.finetune.runner import FineTuneConfig
from core.finetune.sources import DataSpec
from core.lib.numerics import softmax
from core.model import checkpoints
from core.model import loading as models

# Rough sustained speeds (FLOP/s) used only to warn before an obviously too-large job.
CPU_FLOPS = 2e10
GPU_FLOPS = 5e13
# A job estimated to take longer than this gets a warning on the page and in the CLI.
WARN_AFTER_S = 15 * 60


@dataclass(frozen=True)
class SavedRun:
    """A fine-tuned model on disk."""

    alias: str
    task: str
    base_model: str
    metrics: dict
    saved_at: str
    size_mb: float


def saved_runs() -> list[SavedRun]:
    """Every complete fine-tuned model under MODELS_HOME, newest first."""
    runs = []
    for alias in models.trained_models():
        folder = config.MODELS_HOME / alias
        meta = checkpoints.read_metadata(folder)
        if meta.get("kind") != "finetune":
            continue
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
        runs.append(SavedRun(alias, meta.get("task", "?"), meta.get("base_model", "?"), meta.get("metrics", {}),
                             meta.get("saved_at", ""), round(size, 1)))
    return sorted(runs, key=lambda r: r.saved_at, reverse=True)


def delete_run(alias: str) -> None:
    """Remove exactly the fine-tuned model named `alias` (see checkpoints.delete_model)."""
    checkpoints.delete_model(alias, lambda meta: meta.get("kind") == "finetune", "a fine-tuned model")


def estimate_seconds(cfg: FineTuneConfig, data: TaskData, num_parameters: int, device: torch.device) -> float:
    """Training time by the 6 × parameters × tokens rule, at a modest assumed speed for the device."""
    tokens = cfg.epochs * len(data.train) * cfg.max_length * (1.5 if cfg.task == "qa" else 1.0)
    flops = 6 * num_parameters * tokens * (0.35 if cfg.freeze_encoder else 1.0)
    return flops / (GPU_FLOPS if device.type == "cuda" else CPU_FLOPS)


def size_warning(cfg: FineTuneConfig, data: TaskData, num_parameters: int, device: torch.device) -> str | None:
    """A warning when a job would obviously run for long, with what to change."""
    seconds = estimate_seconds(cfg, data, num_parameters, device)
    if seconds <= WARN_AFTER_S:
        return None
    return (f"this run may take about {seconds / 60:.0f} minutes on {device.type.upper()} "
            f"({len(data.train)} examples × {cfg.epochs} epochs × {cfg.max_length} tokens); lower the max length "
            "or epochs, freeze the encoder, or use a GPU")


def export_job(cfg: FineTuneConfig, data: DataSpec, gpus: int = 2) -> dict[str, str]:
    """The run as files for another machine: job.json and a launch script calling the same CLI command."""
    job = dataclasses.asdict(cfg)
    flags = " ".join(shlex.quote(a) for a in data.cli_args())
    script = "\n".join([
        "#!/usr/bin/env bash",
        "# Fine-tune job exported from the BERT explorer; run it from a checkout of the project.",
        "# One process per GPU: each takes its share of every batch, rank 0 evaluates and saves.",
        "set -euo pipefail",
        f"torchrun --nproc_per_node={gpus} -m core finetune --config job.json {flags}",
        f"# or: accelerate launch --num_processes={gpus} -m core finetune --config job.json {flags}",
        "",
    ])
    return {"job.json": json.dumps(job, indent=2), "launch.sh": script}


@dataclass(frozen=True)
class TaskPrediction:
    """One model's answer for the user's input, in words; `available` is False when the head is not real."""

    model: str
    available: bool
    summary: str  # e.g. "positive (91%)", "Paris", "he/O went/O …", or why there is no answer
    probabilities: dict[str, float]  # class → probability (empty for QA and token tasks)


def predict(loaded: models.LoadedModel, task: str, text_a: str, text_b: str | None) -> TaskPrediction:
    """What a model says for the task on the user's input (sentence / pair / token / QA = text_a? text_b)."""
    caps = loaded.capabilities
    has_head = {"sentence": caps.sequence_classification, "pair": caps.sequence_classification,
                "token": caps.token_classification, "qa": caps.qa}[task]
    if task == "pair" and not has_head and caps.nsp:
        return _nsp_prediction(loaded, text_a, text_b)
    if not has_head:
        return TaskPrediction(loaded.name, False, "no trained head for this task (its output would be random)", {})
    if task == "qa":
        return _qa_prediction(loaded, text_a, text_b or "")
    pair_b = text_b if task == "pair" else None
    inputs = loaded.tokenizer(text_a, pair_b, truncation=True, max_length=config.MAX_SEQ_LEN, return_tensors="pt")
    with torch.no_grad():
        out = loaded.model(**inputs.to(loaded.device))
    labels = loaded.capabilities.labels
    if task == "token":
        ids = out.logits[0].argmax(-1).tolist()
        tokens = loaded.tokenizer.convert_ids_to_tokens(inputs["input_ids"][0])
        words = [f"{t}/{labels[i]}" for t, i, w in zip(tokens, ids, inputs.word_ids(0)) if w is not None]
        return TaskPrediction(loaded.name, True, " ".join(words), {})
    probs = torch.softmax(out.logits[0].float(), -1).cpu().numpy()
    best = int(np.argmax(probs))
    return TaskPrediction(loaded.name, True, f"{labels[best]} ({probs[best]:.0%})",
                          {label: float(p) for label, p in zip(labels, probs)})


def _nsp_prediction(loaded: models.LoadedModel, text_a: str, text_b: str | None) -> TaskPrediction:
    from core.model import forward

    logits = forward.analyze(loaded, text_a, text_b).next_sentence_logits
    probs = softmax(logits)
    decision = "IsNext" if probs[0] >= 0.5 else "NotNext"
    return TaskPrediction(loaded.name, True, f"NSP head: {decision} ({max(probs):.0%})",
                          {"IsNext": float(probs[0]), "NotNext": float(probs[1])})


def _qa_prediction(loaded: models.LoadedModel, question: str, passage: str) -> TaskPrediction:
    """The best answer as the Four ways page finds it (tasks.qa: every window of a long passage, one decoder)."""
    from core.tasks import qa

    try:
        answers = qa.answer_question(loaded, question, passage).answers
    except ValueError as err:  # an empty question or passage: say so in the row
        return TaskPrediction(loaded.name, True, str(err), {})
    if not answers:
        return TaskPrediction(loaded.name, True, "(no answer span in the passage)", {})
    return TaskPrediction(loaded.name, True, answers[0].text or "(empty)", {})
