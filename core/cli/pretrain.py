"""Pre-training commands: `pretrain` (MLM + NSP with a progress bar), `pretrain-compare`, `pretrain-lesson`."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from core import config
from core.cli.args import add_common
from core.corpus import document_texts
from core.lib import uploads
from core.pretrain import lesson
from core.pretrain.data import NEGATIVE_STRATEGIES
from core.pretrain.runner import PretrainConfig
from core.pretrain.runs import FROM_SCRATCH, RunRequest, compare_runs, example_documents, run
from core.training.jobs import Progress


def read_documents(paths: list[str]) -> list[str]:
    """Documents from text files (one document each, or several split by `---` lines) or folders of .txt files."""
    if not paths:
        return example_documents()
    documents = []
    for name in paths:
        path = Path(name).expanduser()
        files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
        for file in files:
            if not file.is_file():
                raise ValueError(f"no such document file {str(file)!r}")
            documents.extend(document_texts(uploads.decode_text(str(file), file.read_bytes())))
    return documents


def progress_bar(progress: Progress) -> None:
    """A one-line bar on stderr, so --json output on stdout stays clean."""
    width, m = 30, progress.metrics
    done = int(width * progress.step / max(1, progress.total_steps))
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {progress.step}/{progress.total_steps} "
                     f"loss {m.get('loss', 0):.3f} mlm {m.get('mlm_accuracy', 0):.2f} nsp {m.get('nsp_accuracy', 0):.2f}")
    if progress.step == progress.total_steps:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_pretrain(args: argparse.Namespace) -> dict:
    """Run MLM + NSP pre-training and save it as a model alias."""
    cfg = PretrainConfig(steps=args.steps, batch_size=args.batch_size, max_seq_len=args.max_seq_len,
                         encoder_lr=args.lr, negatives=args.negatives, whole_word=args.whole_word,
                         checkpoint_every=args.checkpoint_every, seed=args.seed, bf16=args.bf16)
    base = FROM_SCRATCH if args.from_scratch else (args.model or config.BUNDLED_ALIAS)
    request = RunRequest(tuple(read_documents(args.docs)), base, args.out, cfg, resume=args.resume,
                         overwrite=args.overwrite)
    result = run(request, progress_bar)
    last = result.history[-1] if result.history else {}
    return {"model": args.out, "saved_to": result.output_dir, "base": base, "steps": result.step,
            "negatives": args.negatives, "whole_word": args.whole_word,
            "last_batch": {k: last.get(k) for k in ("loss", "mlm_accuracy", "nsp_accuracy")}}


def cmd_compare(args: argparse.Namespace) -> dict:
    """Score pre-training runs on the same held-out pairs of every negative strategy."""
    scores = compare_runs(args.runs, read_documents(args.docs))
    return {"runs": scores}


def cmd_lesson(args: argparse.Namespace) -> dict:
    """Three short runs from one model, one per kind of negative, each scored on every kind (note section 3.2)."""
    cfg = replace(lesson.LESSON_CONFIG, steps=args.steps)
    result = lesson.run_lesson(read_documents(args.docs), args.model or config.BUNDLED_ALIAS, cfg, progress_bar)
    return {"base": result.base, "steps_per_run": result.steps, "pairs_per_kind": result.pairs_per_kind,
            "held_out_is_unseen": result.held_out_is_unseen,
            "runs": [{"negatives": r.negatives, "seconds": round(r.seconds, 1), "auc": r.auc, "accuracy": r.accuracy}
                     for r in result.runs],
            "findings": result.findings()}


def register(subparsers) -> None:
    parser = subparsers.add_parser("pretrain", help="pre-train MLM + NSP on documents (continued or from scratch)")
    add_common(parser)
    parser.add_argument("docs", nargs="*", help="text files or folders of .txt (default: Python's doc topics)")
    parser.add_argument("--out", required=True, help="save the run as this model name (an alias)")
    parser.add_argument("--from-scratch", action="store_true", help="start a tiny 2-layer BERT instead of --model")
    parser.add_argument("--negatives", choices=list(NEGATIVE_STRATEGIES), default="random_document")
    parser.add_argument("--whole-word", action="store_true", help="mask every piece of a word together")
    parser.add_argument("--steps", type=int, default=PretrainConfig.steps)
    parser.add_argument("--batch-size", type=int, default=PretrainConfig.batch_size)
    parser.add_argument("--max-seq-len", type=int, default=PretrainConfig.max_seq_len)
    parser.add_argument("--lr", type=float, default=PretrainConfig.encoder_lr, help="encoder learning rate")
    parser.add_argument("--checkpoint-every", type=int, default=PretrainConfig.checkpoint_every)
    parser.add_argument("--seed", type=int, default=PretrainConfig.seed)
    parser.add_argument("--bf16", action="store_true", help="bfloat16 autocast (faster on recent CPUs)")
    parser.add_argument("--resume", action="store_true", help="continue the last checkpoint of --out")
    parser.add_argument("--overwrite", action="store_true", help="replace a saved model of the same name")
    parser.set_defaults(func=cmd_pretrain)
    compare = subparsers.add_parser("pretrain-compare", help="compare pre-training runs on the same held-out pairs")
    add_common(compare, model=False)
    compare.add_argument("runs", nargs="+", help="model names saved by `pretrain --out`")
    compare.add_argument("--docs", nargs="*", default=[], help="the documents the runs used (default: doc topics)")
    compare.set_defaults(func=cmd_compare)
    taught = subparsers.add_parser("pretrain-lesson", help="what each kind of NSP negative teaches: three short "
                                   "runs from --model, scored on every kind of held-out pair")
    add_common(taught)
    taught.add_argument("docs", nargs="*", help="text files or folders of .txt (default: Python's doc topics)")
    taught.add_argument("--steps", type=int, default=lesson.LESSON_CONFIG.steps, help="steps per run")
    taught.set_defaults(func=cmd_lesson)
