"""Commands for the four ways to use BERT: `classify`, `tokens`, `qa` (note section 4)."""

from __future__ import annotations

import argparse

from core.cli.args import add_common, add_sentences
from core.cli.basic import load_for_cli
from core.tasks import classify as tasks
from core.tasks import qa


def cmd_classify(args: argparse.Namespace) -> dict:
    """Sentence classification (--a) or pair classification (--a and --b) from the [CLS] vector."""
    loaded = load_for_cli(args.model)
    result = tasks.classify(loaded, args.a, args.b)
    summary = {
        "model": loaded.name, "task": result.task, "head": result.head.short,
        "label": result.labels[result.predicted],
        "probabilities": {label: float(p) for label, p in zip(result.labels, result.probabilities)},
    }
    if args.saliency:
        explained = tasks.saliency(loaded, args.a, args.b, args.saliency, args.ig_steps)
        summary["saliency"] = {"method": explained.method, "target": explained.target,
                               "tokens": [{"token": t, "score": float(s)} for t, s in zip(explained.tokens, explained.scores)]}
    return summary


def cmd_tokens(args: argparse.Namespace) -> dict:
    """A label for every token, merged into entities."""
    loaded = load_for_cli(args.model)
    result = tasks.classify_tokens(loaded, args.a, args.aggregation)
    return {
        "model": loaded.name, "aggregation": result.aggregation,
        "entities": [{"label": e.label, "text": e.text, "start": e.start, "end": e.end, "score": e.score} for e in result.entities],
        "tokens": [{"token": t, "label": label} for t, label in zip(result.inputs.tokens, result.predicted)],
    }


def cmd_qa(args: argparse.Namespace) -> dict:
    """Top-k answer spans, with character offsets into the passage."""
    loaded = load_for_cli(args.model)
    options = qa.QAOptions(top_k=args.top_k, max_answer_len=args.max_answer_len, stride=args.stride,
                           allow_no_answer=not args.always_answer)
    result = qa.answer_question(loaded, args.a, args.b or "", options)
    return {
        "model": loaded.name,
        "answers": [{"text": a.text, "start": a.start, "end": a.end, "score": a.score, "window": a.window} for a in result.answers],
        "no_answer": {"score": result.no_answer_score, "preferred": result.prefers_no_answer},
        "windows": len(result.windows),
        "best_window": result.best_window,
    }


def register(subparsers) -> None:
    parser = subparsers.add_parser("classify", help="sentence or sentence-pair classification from [CLS]")
    add_common(parser)
    add_sentences(parser, b_help="sentence B: judge the pair (NSP head or a pair classifier)")
    parser.add_argument("--saliency", choices=tasks.SALIENCY_METHODS, default=None, help="also explain the prediction per token")
    parser.add_argument("--ig-steps", type=int, default=tasks.IG_STEPS, help="integrated-gradients path steps")
    parser.set_defaults(func=cmd_classify)

    parser = subparsers.add_parser("tokens", help="token classification (e.g. NER) merged into entities")
    add_common(parser)
    add_sentences(parser, "the sentence", b_help=None)
    parser.add_argument("--aggregation", choices=tasks.AGGREGATIONS, default="first", help="how word pieces are merged")
    parser.set_defaults(func=cmd_tokens)

    parser = subparsers.add_parser("qa", help="extractive question answering: answer spans in the passage")
    add_common(parser)
    add_sentences(parser, "the question (sentence A)", "the passage (sentence B) that holds the answer")
    parser.add_argument("--top-k", type=int, default=qa.DEFAULT_TOP_K)
    parser.add_argument("--max-answer-len", type=int, default=qa.DEFAULT_MAX_ANSWER_LEN, help="in tokens")
    parser.add_argument("--stride", type=int, default=qa.DEFAULT_STRIDE, help="tokens shared by neighbouring windows")
    parser.add_argument("--always-answer", action="store_true", help="never answer 'no answer' ([CLS])")
    parser.set_defaults(func=cmd_qa)
