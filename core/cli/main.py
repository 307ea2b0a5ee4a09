"""Command-line interface over the core: every command prints JSON with --json, text otherwise.

Each command module exposes `register(subparsers)` that adds its sub-parser with `func` set to a
function `(args) -> dict`; a new view adds its module to COMMAND_MODULES.
"""

from __future__ import annotations

import argparse
import json

from core.cli import attention, basic, embeddings, findings, finetune, lessons, mlm, nsp, pretrain, tasks
from core.cli.args import merge_sentences, print_text, report_error, to_jsonable

# Modules whose register() adds sub-commands, in the order `--help` lists them.
COMMAND_MODULES = (basic, mlm, tasks, nsp, embeddings, attention, finetune, pretrain, lessons, findings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="BERT explorer core, from the command line.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        merge_sentences(args)
        result = to_jsonable(args.func(args))
    except ValueError as err:  # ModelLoadError and every input check are ValueErrors with a user message
        return report_error(str(err), args.json, 2)
    except Exception as err:  # out of memory, a disk error, a bug: still one line, never a traceback
        return report_error(f"the command failed: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}",
                            args.json, 1)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, allow_nan=False))
    else:
        print_text(result)
    return 0
