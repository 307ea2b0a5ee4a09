"""`python -m core findings`: the Findings page's cards (published BERT results) measured on a model.

`--json` prints {"model": str, "language": str, "findings": [{"card", "title", "paper", "claim", "paper_figure",
"measured", "verdict", "reproduced", and the card's numbers}, …]}, one entry per card asked for; the text output
shows the same. `--lang zh` gives the texts in Simplified Chinese (the field names and the numbers stay).
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from core.cli.args import add_common, to_jsonable
from core.cli.basic import load_for_cli
from core.findings import gallery
from core.lib.i18n import LANGUAGES
from core.model.layers import attention_layer_label


def _rounded(value):
    """JSON values with floats to 4 decimals (the numbers stay readable; the page's CSV keeps 6 digits)."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _layers(labels: list[str], **series) -> list[dict]:
    """Per-layer rows: {"layer": label, name: value, …} for each series of one value per layer."""
    return [{"layer": label, **{name: round(float(values[k]), 4) for name, values in series.items()}}
            for k, label in enumerate(labels)]


def _clark(result) -> dict:
    labels = [attention_layer_label(i) for i in range(result.shares.shape[1])]
    return {"middle_layers": result.middle_layers, "middle_shares": result.middle_shares,
            "per_layer": _layers(labels, **dict(zip(result.kinds, result.layer_means()))),
            "top_heads": [{"token": kind, "layer": attention_layer_label(h.layer), "head": h.head, "share": h.share}
                          for kind, heads in result.top_heads.items() for h in heads]}


def _ethayarajh(result) -> dict:
    return {"lower_adjusted": result.lower_adjusted, "upper_adjusted": result.upper_adjusted,
            "per_layer": _layers(result.layers, self_similarity=result.self_similarity, baseline=result.baseline,
                                 adjusted=result.adjusted),
            "words": [{"word": w.word, "contexts": w.contexts} for w in result.words]}


def _michel(result) -> dict:
    order = np.argsort(-result.normalized, axis=None)[:5]
    heads = result.normalized.shape[1]
    return {"prunable_share": result.prunable_share, "masked_tokens": result.masked_tokens,
            "curve": [{"pruned": s, "accuracy": a} for s, a in zip(result.pruned_shares, result.accuracy)],
            "most_important_heads": [{"layer": attention_layer_label(int(i) // heads), "head": int(i) % heads,
                                      "normalized_importance": float(result.normalized.flat[i])} for i in order]}


def _lama(result) -> dict:
    return {"p_at_1": result.p_at_1, "p_at_10": result.p_at_10, "facts": len(result.answers), "skipped": result.skipped,
            "relations": [dataclasses.asdict(r) for r in result.relations],
            "answers": [{"statement": a.fact.text, "answer": a.fact.answer, "first_guess": a.predictions[0],
                         "rank": a.rank} for a in result.answers]}


def _head_stats(result) -> dict:
    labels = [attention_layer_label(i) for i in range(result.layer_entropy.shape[0])]
    return {"broadest_layer": result.broadest_layer,
            "per_layer": _layers(labels, **{key: values.mean(axis=1) for key, values in result.values.items()})}


# Each card's numbers as the command prints them: the headline figures and per-layer means (the page's CSV has
# every head).
_NUMBERS = {"clark": _clark, "ethayarajh": _ethayarajh, "michel": _michel, "lama": _lama, "head_stats": _head_stats}


def finding_entry(result, language: str) -> dict:
    """One card's result as the command prints it: what it reproduces, the measured line, the verdict, the numbers
    (the texts in `language`)."""
    card = result.card
    return {"card": card.key, "title": card.title.in_(language), "paper": card.paper.citation(),
            "claim": card.claim.in_(language), "paper_figure": card.figure.in_(language),
            "measured": result.measured.in_(language), "verdict": result.verdict.text.in_(language),
            "reproduced": result.verdict.reproduced, **_rounded(to_jsonable(_NUMBERS[card.key](result)))}


def cmd_findings(args: argparse.Namespace) -> dict:
    """Every card asked for, computed on the model (once per model and card in this process)."""
    loaded = load_for_cli(args.model)
    keys = list(gallery.CARDS) if args.card == "all" else [args.card]
    return {"model": loaded.name, "language": args.lang,
            "findings": [finding_entry(gallery.finding(loaded, key), args.lang) for key in keys]}


def register(subparsers) -> None:
    parser = subparsers.add_parser("findings", help="published BERT findings (Clark, Ethayarajh, Michel, LAMA, head "
                                                    "statistics) measured on a model")
    add_common(parser)
    parser.add_argument("--card", default="all", choices=[*gallery.CARDS, "all"],
                        help="which finding to measure (default: all)")
    parser.add_argument("--lang", choices=list(LANGUAGES), default="en", help="en or zh")
    parser.set_defaults(func=cmd_findings)
