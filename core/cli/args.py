"""What every command shares: --json and --model, sentences A/B given positionally or as --a/--b, and results as
JSON values or indented text."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys

import numpy as np


def to_jsonable(value):
    """Dataclasses, numpy arrays and tuples as plain JSON values; NaN and infinities (not JSON) as null."""
    if dataclasses.is_dataclass(value):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            value = np.where(np.isfinite(value), value, None)
        return value.tolist()
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_text(value, indent: int = 0) -> None:
    """A readable, indented rendering of a JSON-able result."""
    pad = "  " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item and not all(isinstance(i, (str, int, float)) for i in item):
                print(f"{pad}{key}:")
                print_text(item, indent + 1)
            else:
                print(f"{pad}{key}: {item}")
    elif isinstance(value, list):
        for item in value:
            print_text(item, indent) if isinstance(item, dict) else print(f"{pad}- {item}")
            if isinstance(item, dict):
                print()
    else:
        print(f"{pad}{value}")


def add_common(parser: argparse.ArgumentParser, model: bool = True) -> None:
    """--json for every command; --model (hub id, folder or alias) where a model is used."""
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    if model:
        parser.add_argument("--model", default=None, help="hub id, local folder or alias (default: as the app)")


def report_error(message: str, as_json: bool, code: int) -> int:
    """Print an error as JSON ({"error": …}) or on stderr, and return the exit code."""
    if as_json:
        print(json.dumps({"error": message}))
    else:
        print(f"error: {message}", file=sys.stderr)
    return code


def add_sentences(parser: argparse.ArgumentParser, a_help: str = "sentence A", b_help: str | None = "sentence B "
                  "(optional)", required: bool = True) -> None:
    """Sentence A (and B unless b_help is None), the same way for every command that reads text: positionally
    (`"A" "B"`) or as --a/--b. `required=False` where another input (e.g. --batch FILE) can stand in for A."""
    parser.add_argument("a_arg", nargs="?", metavar="A", help=f"{a_help} (or --a)")
    parser.add_argument("--a", default=None, help=a_help)
    if b_help is not None:
        parser.add_argument("b_arg", nargs="?", metavar="B", help=f"{b_help} (or --b)")
        parser.add_argument("--b", default=None, help=b_help)
    parser.set_defaults(sentence_a_required=required)


def merge_sentences(args: argparse.Namespace) -> None:
    """Fold the positional sentences into args.a / args.b (ValueError when A is missing or given twice)."""
    for name in ("a", "b"):
        if not hasattr(args, f"{name}_arg"):
            continue
        positional, flag = getattr(args, f"{name}_arg"), getattr(args, name)
        if positional is not None and flag is not None and positional != flag:
            raise ValueError(f"sentence {name.upper()} given twice (as an argument and as --{name}): give it once")
        setattr(args, name, flag if flag is not None else positional)
    if getattr(args, "sentence_a_required", False) and args.a is None:
        raise ValueError(f'give sentence A: python -m core {args.command} "A" ["B"] (or --a "A" [--b "B"])')
