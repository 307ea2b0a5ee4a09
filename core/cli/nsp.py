"""NSP commands: `nsp A B` (one pair, or `--batch FILE` one JSON line per pair) and `nsp-experiment [FILE]`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from core import corpus
from core.cli.args import add_common, add_sentences, to_jsonable
from core.cli.basic import load_for_cli
from core.lib import uploads
from core.model import precision as precisions
from core.nsp import batch as nsp_batch
from core.nsp import experiment as nsp_experiment
from core.nsp import scoring as nsp


def pair_record(score: nsp.PairScore) -> dict:
    """The stable shape scripts read: model, is_next, not_next, logits (index 0 = IsNext), plus context."""
    return {"model": score.model_name, "is_next": score.is_next, "not_next": score.not_next,
            "logits": [float(x) for x in score.logits], "head": score.head.kind,
            "index_meaning": score.head.index_meaning(), "truncation": score.truncation or None}


def _read(path: str) -> str:
    try:
        content = Path(path).read_bytes()
    except OSError as err:
        raise ValueError(f"cannot read {path!r}: {err.strerror or err}") from err
    return uploads.decode_text(path, content)


def _print_batch(args: argparse.Namespace) -> None:
    """Score a pairs file with one model load and print one JSON object (or one text line) per pair."""
    loaded = load_for_cli(args.model)
    result = nsp_batch.score_file(loaded, _read(args.batch), precision=args.precision)
    if result.agreement is not None:
        print(result.agreement.sentence(), file=sys.stderr)  # stdout stays one line per pair
    for row in result.rows():
        print(json.dumps(row, ensure_ascii=False) if args.json else f"{row['is_next']:.4f}\t{row['a']}\t{row['b']}")


def cmd_nsp(args: argparse.Namespace) -> dict:
    """P(IsNext) of sentence B following sentence A, from the model's real NSP (or SOP) head."""
    if args.batch:
        _print_batch(args)
        # The batch output is one line per pair, already printed; a final summary object would break that shape.
        raise SystemExit(0)
    if args.a is None:
        raise ValueError("give sentence A and sentence B (python -m core nsp \"A\" \"B\"), or --batch FILE")
    loaded = load_for_cli(args.model)
    return pair_record(nsp.score_pair(loaded, args.a, args.b))


def _documents(path: str | None) -> Sequence[corpus.Document]:
    if path is None:
        return corpus.python_reference_documents()
    return corpus.split_documents(_read(path), Path(path).stem)


def experiment_record(result: nsp_experiment.ExperimentResult, with_pairs: bool) -> dict:
    record = {"model": result.model_name, "head": result.head.kind, "index_meaning": result.head.index_meaning(),
              "precision": result.scores.precision, "kinds": to_jsonable(result.summary),
              "agreement_with_fp32": None if result.agreement is None else to_jsonable(result.agreement)}
    if with_pairs:
        record["pairs"] = [{**to_jsonable(p), "is_next": float(s)} for p, s in zip(result.pairs, result.is_next)]
    return record


def cmd_experiment(args: argparse.Namespace) -> dict:
    """Build consecutive / random-document / same-document / swapped pairs and score them per kind."""
    documents = _documents(args.file)
    pairs = nsp_experiment.build_pairs(documents, args.per_kind, args.seed)
    runs = [nsp_experiment.run_experiment(load_for_cli(args.model), pairs, precision=args.precision)]
    if args.sop_model:
        runs.append(nsp_experiment.run_experiment(load_for_cli(args.sop_model), pairs, precision=args.precision))
    return {"documents": corpus.describe(documents), "threshold": nsp.THRESHOLD,
            "results": [experiment_record(r, args.pairs) for r in runs]}


def add_precision(parser: argparse.ArgumentParser, when: str = "") -> None:
    parser.add_argument("--precision", choices=list(precisions.PRECISIONS), default="fp32",
                        help=f"{when}bf16 is about 2x faster on CPUs with bf16 instructions (default fp32, exact)")


def register(subparsers) -> None:
    parser = subparsers.add_parser("nsp", help="P(IsNext) of a sentence pair from the model's NSP head")
    add_common(parser)
    add_sentences(parser, b_help="sentence B, the candidate next sentence", required=False)
    parser.add_argument("--batch", metavar="FILE",
                        help="TSV (A<TAB>B[<TAB>is_next]), CSV or JSONL pairs; one line out per pair")
    add_precision(parser, "with --batch: ")
    parser.set_defaults(func=cmd_nsp)

    parser = subparsers.add_parser("nsp-experiment", help="score four kinds of NSP pairs built from documents")
    add_common(parser)
    parser.add_argument("file", nargs="?", help="text file, documents separated by a line '---' "
                        "(default: Python's own reference topics from pydoc_data)")
    parser.add_argument("--per-kind", type=int, default=nsp_experiment.DEFAULT_PER_KIND, help="pairs per kind")
    parser.add_argument("--seed", type=int, default=nsp_experiment.DEFAULT_SEED, help="sampling seed")
    parser.add_argument("--sop-model", default=None,
                        help="a model with an SOP head (e.g. albert-base-v2) scored side by side")
    parser.add_argument("--pairs", action="store_true", help="include every pair and its score")
    add_precision(parser)
    parser.set_defaults(func=cmd_experiment)

