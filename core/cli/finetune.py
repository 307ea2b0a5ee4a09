"""`python -m core finetune`: the fine-tune runner from a terminal, with a progress bar on stderr."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

from core.cli.args import add_common
from core.finetune import runner as finetune
from core.finetune import runs as finetune_runs
from core.finetune.data import TASKS
from core.finetune.sources import DataSpec, load_data
from core.model import checkpoints
from core.training.jobs import Progress

BAR_WIDTH = 30


def data_spec(args: argparse.Namespace) -> DataSpec:
    """The run's data as the flags describe it."""
    return DataSpec(args.data, args.validation or "", args.hf_config or "", args.split, args.validation_split or "",
                    args.columns or "", args.max_examples)


def progress_printer(started: float):
    """A report callback drawing `[#####.....] step/total loss eta` on stderr."""
    def report(progress: Progress) -> None:
        if not progress.total_steps:
            print(progress.message, file=sys.stderr)
            return
        done = progress.step / progress.total_steps
        elapsed = time.time() - started
        eta = elapsed / progress.step * (progress.total_steps - progress.step) if progress.step else 0
        metrics = " ".join(f"{k}={v:.3f}" for k, v in progress.metrics.items())
        bar = "#" * int(done * BAR_WIDTH) + "." * (BAR_WIDTH - int(done * BAR_WIDTH))
        end = "\n" if any(k.startswith("val_") for k in progress.metrics) else ""
        print(f"\r[{bar}] {progress.step}/{progress.total_steps} {metrics} eta {eta:.0f}s   ",
              end=end, file=sys.stderr, flush=True)
    return report


def config_from_args(args: argparse.Namespace) -> finetune.FineTuneConfig:
    """Defaults, then a --config JSON (an exported job), then the flags given on the command line."""
    values = _read_job(args.config) if args.config else {}
    fields = {f.name for f in dataclasses.fields(finetune.FineTuneConfig)}
    for name in fields:
        given = getattr(args, name, None)
        if given is not None:
            values[name] = given
    return finetune.FineTuneConfig(**{k: v for k, v in values.items() if k in fields})


def _read_job(path: str) -> dict:
    """The fields of a job.json, each of its default's type; ValueError naming the file and the bad field."""
    try:
        values = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"cannot read job file {path!r}: {err}") from err
    if not isinstance(values, dict):
        raise ValueError(f"job file {path!r} must hold one JSON object of settings")
    defaults = finetune.FineTuneConfig()
    for name, value in values.items():
        wanted = type(getattr(defaults, name, value))
        if wanted is float and type(value) is int:
            continue  # 1 is a fine learning rate
        if type(value) is not wanted:
            raise ValueError(f"job file {path!r}: {name} must be of type {wanted.__name__}, not {value!r}")
    return values


def cmd_finetune(args: argparse.Namespace) -> dict:
    """Train, then print the new model's alias, folder and validation metrics."""
    cfg = config_from_args(args).validate()
    checkpoints.check_overwrite(cfg.alias, cfg.overwrite)  # before the data is read
    data = load_data(cfg.task, data_spec(args), cfg.seed)
    rank = int(os.environ.get("RANK", "0"))  # under torchrun only rank 0 reports, evaluates and saves
    if rank == 0:
        print(f"{len(data.train)} training / {len(data.validation)} validation examples from {data.source}", file=sys.stderr)
    result = finetune.train(cfg, data, progress_printer(time.time()))
    if rank:
        return {"rank": rank, "status": "done; rank 0 saved the model"}
    print(file=sys.stderr)
    return {"alias": result.alias, "path": result.path, "task": result.task, "device": result.device,
            "metrics": result.metrics, "train_samples_per_s": round(result.train_samples_per_s, 1)}


def cmd_runs(args: argparse.Namespace) -> dict:
    """Fine-tuned models on disk with their size; --delete removes one."""
    if args.delete:
        finetune_runs.delete_run(args.delete)
    return {"runs": [dataclasses.asdict(r) for r in finetune_runs.saved_runs()]}


def register(subparsers) -> None:
    parser = subparsers.add_parser("finetune", help="fine-tune a base model for one of the four BERT tasks")
    add_common(parser, model=False)
    parser.add_argument("--task", choices=TASKS, default=None, help="sentence, token, pair or qa")
    parser.add_argument("--data", default="demo",
                        help="'demo', a .csv/.tsv/.jsonl file (SQuAD .json for qa), or hf:<dataset id or folder>")
    parser.add_argument("--validation", default=None, help="validation file (default: 10%% of --data held out)")
    hub = parser.add_argument_group("Hugging Face datasets (--data hf:…)")
    hub.add_argument("--hf-config", default=None, help="dataset configuration, e.g. sst2 for nyu-mll/glue")
    hub.add_argument("--split", default="train", help="training split")
    hub.add_argument("--validation-split", default=None, help="default: the dataset's validation split if any")
    hub.add_argument("--columns", default=None, help="column overrides, e.g. 'text=review,label=stars'")
    hub.add_argument("--max-examples", type=int, default=DataSpec.max_examples, help="training examples sampled")
    parser.add_argument("--model", dest="base_model", default=None, help="base model: hub id, folder or alias")
    parser.add_argument("--out", dest="alias", default=None, help="alias of the new model (its folder name)")
    parser.add_argument("--config", default=None, help="job.json exported by the app (flags override it)")
    for name, kind in (("epochs", int), ("batch_size", int), ("learning_rate", float), ("max_length", int),
                       ("doc_stride", int), ("warmup_fraction", float), ("weight_decay", float), ("seed", int)):
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind, default=None)
    parser.add_argument("--freeze-encoder", dest="freeze_encoder", action="store_true", default=None)
    parser.add_argument("--lora-rank", dest="lora_rank", type=int, default=None,
                        help="train a rank-r LoRA adapter + the head instead of every weight (0 = off)")
    parser.add_argument("--overwrite", action="store_true", default=None,
                        help="replace a saved model of the same name (without it such a run is refused)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default=None)
    parser.set_defaults(func=cmd_finetune)
    runs = subparsers.add_parser("finetune-runs", help="list (or --delete) fine-tuned models on disk")
    add_common(runs, model=False)
    runs.add_argument("--delete", default=None, help="alias of a fine-tuned model to delete")
    runs.set_defaults(func=cmd_runs)
