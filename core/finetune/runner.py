"""The fine-tune runner: train a fresh copy of a base BERT for one of the four tasks of note section 4.

Our own small loop (AdamW + linear warm-up, mixed precision on CUDA), reporting loss and the validation
metric through a callback that knows nothing about the UI. Each epoch ends with an atomic save under
MODELS_HOME/<alias>, so a cancelled or crashed run leaves the last complete checkpoint untouched, and the
saved model appears in every view's model picker by its alias.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from transformers import (
    AutoTokenizer,
    DataCollatorForTokenClassification,
    DataCollatorWithPadding,
)

from core.finetune.data import TaskData, check_task
from core.finetune.features import Features, classification_metrics, encode_split, qa_metrics, qa_predictions
from core.model import adapter, capabilities, checkpoints
from core.model import loading as models
from core.model.capabilities import TASK_MODEL_CLASSES, Head
from core.model.inputs import model_max_length
from core.training.jobs import Progress
from core.training.loop import loss_scaler, mixed_precision, run_steps
from core.training.optim import adamw, warmup_then_linear_decay


@dataclass
class FineTuneConfig:
    """Everything a run needs besides its data; saved next to the model and exportable as JSON."""

    task: str = "sentence"  # one of core.finetune.data.TASKS
    base_model: str = "bundled"  # hub id, folder or alias; a fresh copy is loaded, never the cached one
    alias: str = "my-finetuned"  # the new model's name in the model picker (folder under MODELS_HOME)
    learning_rate: float = 5e-5  # BERT paper's fine-tuning range is 2e-5 … 5e-5; small models like more
    epochs: int = 3  # full passes over the training set; a checkpoint is saved after each
    batch_size: int = 16  # examples per step; 16–32 as in the BERT paper, smaller on a CPU
    warmup_fraction: float = 0.1  # share of steps over which the learning rate rises linearly from 0
    weight_decay: float = 0.01  # AdamW decay, never applied to biases and LayerNorm weights
    max_length: int = 128  # tokens per input; longer inputs are cut (QA passages are windowed instead)
    doc_stride: int = 32  # QA: tokens shared by neighbouring windows of a long passage
    seed: int = 0  # same seed, same data order and initial head: a reproducible run
    freeze_encoder: bool = False  # train the new head only; fast, but the encoder does not adapt
    lora_rank: int = 0  # > 0: train a rank-r LoRA adapter + the head instead of every weight (core/model/adapter.py)
    overwrite: bool = False  # replace a saved model of the same name (else the run is refused before it starts)
    max_grad_norm: float = 1.0  # gradient clipping keeps a bad batch from wrecking the run
    device: str = "auto"  # "auto" = CUDA when present, else CPU; or "cpu" / "cuda"

    def validate(self) -> FineTuneConfig:
        check_task(self.task)
        checkpoints.new_model_dir(self.alias)  # raises a readable error for a bad, too long or hub-shadowing alias
        if self.epochs < 1 or self.batch_size < 1 or not 0 < self.learning_rate < math.inf:
            raise ValueError("epochs, batch size and learning rate must be positive (and the rate a finite number)")
        if not all(math.isfinite(v) for v in (self.warmup_fraction, self.weight_decay, self.max_grad_norm)):
            raise ValueError("warm-up share, weight decay and gradient clipping must be finite numbers")
        if not 16 <= self.max_length <= 512:
            raise ValueError(f"Max length (tokens) must be between 16 and 512, not {self.max_length}")
        if not 0 <= self.lora_rank <= 256:
            raise ValueError("the LoRA rank must be between 0 (off) and 256")
        if self.lora_rank and self.freeze_encoder:
            raise ValueError("choose one: a LoRA adapter already keeps the encoder's weights frozen")
        if self.task == "qa" and not 0 <= self.doc_stride < self.max_length // 2:
            half = self.max_length // 2  # the messages name the fields as the fine-tune page labels them
            raise ValueError(f"QA stride (tokens) must be below half of Max length (tokens) ({self.max_length} / 2 = "
                             f"{half}), not {self.doc_stride} — lower QA stride (tokens) to {max(0, half - 1)} or "
                             f"less, or raise Max length (tokens) to {2 * self.doc_stride + 2} or more")
        return self


@dataclass(frozen=True)
class FineTuneResult:
    """What a finished run produced: the alias to load, where it lives, and its final metrics."""

    alias: str
    base_model: str
    path: str
    task: str
    device: str
    metrics: dict[str, float]  # final validation metrics, e.g. {"accuracy": 0.9, "f1": 0.88}
    history: list[dict]  # every report: {"step", "epoch", "loss", maybe "val_<metric>"}
    train_samples_per_s: float  # training examples per second over the optimisation steps


def suggested_sizes(tokenizer, data: TaskData, device: torch.device) -> tuple[int, int]:
    """(batch size, max length): max length covers 95% of the training inputs (a power of two, 32–512;
    QA passages longer than it are windowed anyway); batches of 32 on a GPU, 16 on a CPU."""
    sample = data.train[:200]
    if data.task == "qa":
        lengths = [len(tokenizer(e.question, e.context)["input_ids"]) for e in sample]
    elif data.task == "token":
        lengths = [len(tokenizer(list(e.words), is_split_into_words=True)["input_ids"]) for e in sample]
    else:
        lengths = [len(tokenizer(e.text_a, e.text_b)["input_ids"]) for e in sample]
    covering = int(np.percentile(lengths, 95)) if lengths else 128
    max_length = min(512, max(32, 1 << (covering - 1).bit_length()))
    return (32 if device.type == "cuda" else 16), max_length


def suggested_learning_rate(hidden_size: int) -> float:
    """The BERT paper's 5e-5 for Base/Large-sized encoders; small ones (hidden ≤ 512, e.g. MiniLM) need more."""
    return 2e-4 if hidden_size <= 512 else 5e-5


def build_model(cfg: FineTuneConfig, labels: tuple[str, ...]):
    """A fresh tokenizer + head model loaded from the base model's files (the new head starts random)."""
    location = models.resolve(cfg.base_model).location
    kwargs = {}
    if labels:
        kwargs = dict(num_labels=len(labels), id2label=dict(enumerate(labels)),
                      label2id={name: i for i, name in enumerate(labels)}, ignore_mismatched_sizes=True)
    try:
        tokenizer = AutoTokenizer.from_pretrained(location)
        model = TASK_MODEL_CLASSES[cfg.task].from_pretrained(location, **kwargs)
    except (OSError, ValueError) as err:
        raise ValueError(f"could not load base model {cfg.base_model!r}: {str(err).splitlines()[0]}") from err
    return tokenizer, model


def collator_for(task: str, tokenizer):
    """Pads each batch to its longest row (token labels padded with the ignored label)."""
    if task == "token":
        return DataCollatorForTokenClassification(tokenizer, return_tensors="pt")
    return DataCollatorWithPadding(tokenizer, return_tensors="pt")


def batches(features: Features, batch_size: int, collate, generator: torch.Generator | None = None,
            rank: int = 0, world: int = 1):
    """Batches of collated rows, shuffled when a generator is given; with several processes, this
    process's share of every batch (rows rank, rank + world, …)."""
    order = torch.randperm(len(features.rows), generator=generator).tolist() if generator else range(len(features.rows))
    order = list(order)
    for first in range(0, len(order), batch_size):
        rows = order[first : first + batch_size]
        if len(rows) >= world:  # a last batch too small to share is skipped by every process alike
            yield collate([features.rows[i] for i in rows[rank::world]])


def distributed_setup(device: torch.device) -> tuple[int, int, torch.device]:
    """(rank, world size, device) under torchrun / accelerate launch; (0, 1, device) in one process."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 1, device
    if not torch.distributed.is_initialized():
        torch.distributed.init_process_group("nccl" if device.type == "cuda" else "gloo")
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    return torch.distributed.get_rank(), world, device


def _optimizer(model, cfg: FineTuneConfig, total_steps: int):
    """AdamW (fused on CPU and CUDA) without decay on biases/LayerNorm, and a linear warm-up then linear decay."""
    device = next((p.device.type for p in model.parameters() if p.requires_grad), "cpu")
    optimizer = adamw(model, lambda name: cfg.learning_rate, cfg.weight_decay, fused=device in ("cpu", "cuda"))
    warmup = max(1, int(total_steps * cfg.warmup_fraction))
    return optimizer, warmup_then_linear_decay(optimizer, warmup, total_steps)


@torch.no_grad()
def validation_metrics(model, data: TaskData, features: Features, collate, device: torch.device, batch_size: int) -> dict[str, float]:
    """Validation metrics: accuracy + macro F1 for classification, exact match + F1 for QA."""
    model.eval()
    outputs: dict[str, list] = {"logits": [], "labels": [], "start": [], "end": []}
    for batch in batches(features, batch_size, collate):
        batch = {k: v.to(device) for k, v in batch.items()}
        with mixed_precision(device):
            out = model(**batch)
        if data.task == "qa":
            span = capabilities.logits(out, Head.QA).float().cpu().numpy()  # (rows, seq, 2): start, end
            outputs["start"] += list(span[..., 0])
            outputs["end"] += list(span[..., 1])
        else:
            head = Head.TOKEN if data.task == "token" else Head.SEQUENCE
            outputs["logits"].append(capabilities.logits(out, head).float().argmax(-1).cpu().numpy().reshape(-1))
            outputs["labels"].append(batch["labels"].cpu().numpy().reshape(-1))
    model.train()
    if data.task == "qa":
        return qa_metrics(qa_predictions(data.validation, features, outputs["start"], outputs["end"]), data.validation)
    outside = data.labels.index("O") if data.task == "token" and "O" in data.labels else None
    return classification_metrics(np.concatenate(outputs["logits"]), np.concatenate(outputs["labels"]),
                                  len(data.labels), outside)


def save_run(model, tokenizer, cfg: FineTuneConfig, data: TaskData, metrics: dict, history: list, epoch: int) -> str:
    """Atomic save: model, tokenizer, labels (in the config), run settings and a metrics file. A LoRA run saves
    the merged model (an ordinary checkpoint every view loads) and its adapter's own files beside it."""
    metadata = {"kind": "finetune", "task": cfg.task, "base_model": cfg.base_model, "epoch": epoch,
                "labels": list(data.labels), "data_source": data.source, "metrics": metrics,
                "config": dataclasses.asdict(cfg)}
    files = {"metrics.json": json.dumps({"final": metrics, "history": history}, indent=1).encode()}
    if cfg.lora_rank:
        files |= adapter.adapter_files(model, cfg.lora_rank)
        model = adapter.merged_copy(model)
    path = checkpoints.save_atomic(model, tokenizer, checkpoints.model_dir(cfg.alias), metadata, files)
    return str(path)


Report = Callable[[Progress], None]


def train(cfg: FineTuneConfig, data: TaskData, report: Report | None = None) -> FineTuneResult:
    """Fine-tune, evaluating and saving after every epoch; `report` may raise to stop (jobs.Cancelled). One run
    per model name at a time: the saving process (rank 0) holds the name's writer lock for the whole run."""
    cfg.validate()
    checkpoints.check_overwrite(cfg.alias, cfg.overwrite)
    saving = int(os.environ.get("RANK", "0")) == 0
    with checkpoints.writer_lock(cfg.alias) if saving else contextlib.nullcontext():
        return _train(cfg, data, report)


def _train(cfg: FineTuneConfig, data: TaskData, report: Report | None) -> FineTuneResult:
    if data.task != cfg.task:
        raise ValueError(f"the data is for task {data.task!r} but the run is for {cfg.task!r}")
    torch.manual_seed(cfg.seed)
    rank, world, device = distributed_setup(models.pick_device(cfg.device))
    report = report if report and rank == 0 else (lambda progress: None)  # one process speaks and saves
    tokenizer, model = build_model(cfg, data.labels)
    if cfg.freeze_encoder:
        model.base_model.requires_grad_(False)
    if cfg.lora_rank:
        model = adapter.wrap(model, cfg.lora_rank)
    model.to(device).train()
    trained = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    max_length = min(cfg.max_length, model_max_length(tokenizer, model.config.max_position_embeddings))
    train_features = encode_split(tokenizer, data, data.train, max_length, cfg.doc_stride)
    valid_features = encode_split(tokenizer, data, data.validation, max_length, cfg.doc_stride)
    collate = collator_for(cfg.task, tokenizer)
    total = len(train_features.rows) // cfg.batch_size * cfg.epochs
    total += cfg.epochs if len(train_features.rows) % cfg.batch_size >= world else 0
    optimizer, schedule = _optimizer(model, cfg, total)
    scaler = loss_scaler(device)
    generator = torch.Generator().manual_seed(cfg.seed)
    history, metrics, step, seen, training_s, path = [], {}, 0, 0, 0.0, ""
    report(Progress(0, total, message=f"training on {device.type.upper()}: {len(train_features.rows)} rows"))
    for epoch in range(1, cfg.epochs + 1):
        def after_step(done: int, loss: float, rows: int, epoch: int = epoch) -> bool:
            nonlocal seen
            seen += rows * world
            history.append({"step": done, "epoch": epoch, "loss": loss})
            report(Progress(done, total, {"loss": loss}, f"epoch {epoch}/{cfg.epochs}"))
            return False

        started = time.perf_counter()
        step = run_steps(trained, batches(train_features, cfg.batch_size, collate, generator, rank, world),
                         lambda batch, _: _loss(trained, batch, device), optimizer, schedule, after_step, step,
                         cfg.max_grad_norm, scaler)
        training_s += time.perf_counter() - started  # speed counts training steps, not evaluation and saving
        if rank == 0:
            metrics = validation_metrics(model, data, valid_features, collate, device, cfg.batch_size * 2)
            history[-1] |= {f"val_{k}": v for k, v in metrics.items()}
            report(Progress(step, total, {f"val_{k}": v for k, v in metrics.items()}, f"epoch {epoch} evaluated"))
            path = save_run(model, tokenizer, cfg, data, metrics, history, epoch)
    speed = seen / max(training_s, 1e-9)
    return FineTuneResult(cfg.alias, cfg.base_model, path, cfg.task, str(device), metrics, history, speed)


def _loss(model, batch: dict, device: torch.device) -> tuple[torch.Tensor, int]:
    """The batch's loss under mixed precision, and how many rows it had."""
    batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
    with mixed_precision(device):
        return model(**batch).loss, len(batch["input_ids"])
