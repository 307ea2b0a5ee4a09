"""`python -m core lessons`: each lesson step's question, the model's measured answer and the explanation."""

from __future__ import annotations

import argparse

from core.cli.args import add_common
from core.cli.basic import load_for_cli
from core.lessons import course
from core.lib.i18n import LANGUAGES


def _step_result(step: course.Step, model: str | None, language: str) -> dict:
    loaded = load_for_cli(step.model or model)
    reading = step.probe(loaded, step.question_input)
    return {"step": step.key, "model": loaded.name, "question": step.question.in_(language),
            "choices": list(step.choices), "answer": reading.answer, "expected": step.expect,
            "as_expected": reading.answer == step.expect, "facts": reading.facts,
            "explanation": course.explanation(step, reading, language)}


def cmd_lessons(args: argparse.Namespace) -> dict:
    """One step (--step 4.1) or every step, measured on the model (task steps on their ready-made models)."""
    if args.step is not None and args.step not in course.STEPS:
        raise ValueError(f"no step {args.step!r}: the steps are {', '.join(course.STEPS)}")
    steps = [course.STEPS[args.step]] if args.step else list(course.STEPS.values())
    return {"language": args.lang, "steps": [_step_result(step, args.model, args.lang) for step in steps]}


def register(subparsers) -> None:
    parser = subparsers.add_parser("lessons", help="the guided lessons' questions and the model's measured answers")
    parser.add_argument("--step", default=None, help="one step, e.g. 4.1 (default: every step)")
    parser.add_argument("--lang", choices=list(LANGUAGES), default="en", help="en or zh")
    add_common(parser)
    parser.set_defaults(func=cmd_lessons)
