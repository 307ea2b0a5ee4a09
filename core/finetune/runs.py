"""Around the fine-tune runner: saved runs and their disk use, a cost warning before a run, the run as an
exported multi-GPU job, and a before/after comparison of a base model and its fine-tuned copy."""

from __future__ import annotations

import dataclasses
import json
import shlex
from dataclasses import dataclass

import torch

from core import config
from core.finetune.data import TaskData
from core.finetune.runner import FineTuneConfig
from core.finetune.sources import DataSpec
from core.model import checkpoints
from core.model import loading as models
from core.render import percent
from core.tasks import classify, heads, qa

# Rough sustained speeds (FLOP/s) used only to warn before an obviously too-large job. CPU: one thread of this
# project's 2-core machine fine-tuned `bundled` on the QA demo set at ≈ 5e10 (83 s for 2 epochs).
CPU_FLOPS = 5e10
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


def compute_parameters(model: torch.nn.Module) -> int:
    """The parameters a token's forward and backward pass multiplies by: all but the embedding tables (a lookup)."""
    return sum(p.numel() for name, p in model.named_parameters() if ".embeddings." not in f".{name}")


def estimate_seconds(cfg: FineTuneConfig, data: TaskData, num_parameters: int, device: torch.device) -> float:
    """Training time by the 6 × parameters × tokens rule (non-embedding parameters, compute_parameters), at a
    modest assumed speed for the device."""
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
    summary: str  # e.g. "positive (91.0%, sequence classification head)", "Paris", "he/O went/O …", or why none
    probabilities: dict[str, float]  # class → probability (empty for QA and token tasks)


def predict(loaded: models.LoadedModel, task: str, text_a: str, text_b: str | None) -> TaskPrediction:
    """What a model says for the task on the user's input, by the Four ways page's own code (core/tasks):
    sentence and token tasks read A, the pair task A and B, QA the question A about the passage B."""
    if not heads.has_head(loaded, task):
        return TaskPrediction(loaded.name, False, "no trained head for this task (its output would be random)", {})
    if task in ("pair", "qa") and not (text_b or "").strip():
        what = "the passage" if task == "qa" else "a second sentence to judge the pair"
        return TaskPrediction(loaded.name, True, f"sentence B is empty — type {what} in the sidebar", {})
    try:
        if task == "qa":
            return _qa_prediction(loaded, text_a, text_b)
        if task == "token":
            return _token_prediction(loaded, text_a)
        return _class_prediction(loaded, text_a, text_b if task == "pair" else None)
    except ValueError as err:  # an empty sentence or question: say so in the row
        return TaskPrediction(loaded.name, True, str(err), {})


def _class_prediction(loaded: models.LoadedModel, text_a: str, text_b: str | None) -> TaskPrediction:
    """The class the page's bars put first: sentence classifier, or the pair head (NSP/SOP or a pair classifier)."""
    result = classify.classify(loaded, text_a, text_b)
    best = result.predicted
    return TaskPrediction(loaded.name, True, f"{result.labels[best]} ({percent(result.probabilities[best])}, "
                                             f"{result.head.short} head)",
                          {label: float(p) for label, p in zip(result.labels, result.probabilities)})


def _token_prediction(loaded: models.LoadedModel, text: str) -> TaskPrediction:
    """Each word with its label, word pieces merged as the page merges them by default (first piece)."""
    result = classify.classify_tokens(loaded, text)
    words = [f"{result.text[w.start:w.end]}/{w.label}" for w in result.words]
    return TaskPrediction(loaded.name, True, " ".join(words), {})


def _qa_prediction(loaded: models.LoadedModel, question: str, passage: str) -> TaskPrediction:
    """The answer the Four ways page gives with its default options (every window of a long passage, one decoder)."""
    result = qa.answer_question(loaded, question, passage)
    if result.prefers_no_answer:
        return TaskPrediction(loaded.name, True, f"no answer: [CLS] scores {result.no_answer_score:.3g}, above every span", {})
    return TaskPrediction(loaded.name, True, result.text or "(empty)", {})
