"""`python -m core attention`: per-head attention statistics and attention rollout as JSON."""

from __future__ import annotations

import argparse

import numpy as np

from core.attention import flow as attention_flow
from core.attention import maps as attention
from core.cli.args import add_common, add_sentences
from core.cli.basic import load_for_cli
from core.model import forward


def _round(values: np.ndarray) -> list:
    """NaN (a statistic that does not apply) as null; 4 decimals keep the JSON readable."""
    return [[None if np.isnan(v) else round(float(v), 4) for v in row] for row in values]


def cmd_attention(args: argparse.Namespace) -> dict:
    """Statistics for every layer and head, rollout top sources per token, optionally flow and one map."""
    loaded = load_for_cli(args.model)
    analysis = forward.analyze(loaded, args.a, args.b)
    keys = list(attention.STATISTICS) if args.statistic == "all" else [args.statistic]
    statistics = {key: _round(attention.head_statistic(analysis, key).values) for key in keys}
    rollout = attention.attention_rollout(analysis, args.residual)
    tokens = analysis.inputs.tokens
    result = {
        "model": loaded.name,
        "tokens": tokens,
        "layers": analysis.num_layers,
        "heads": analysis.num_heads,
        "statistics": {"values_are": "[layer - 1][head]: row 0 is layer 1 (see core/model/layers.py), averaged over "
                                     "the attending tokens", **statistics},
        "rollout": {
            "residual": rollout.residual,
            "top_sources": [
                {"position": i, "token": tok,
                 "sources": [{"token": t, "weight": round(w, 4)} for t, w in attention.top_sources(rollout, i, args.top)]}
                for i, tok in enumerate(tokens)
            ],
        },
    }
    if args.full_rollout:
        result["rollout"]["matrix"] = np.round(rollout.matrices[-1], 4)
    if args.flow_token is not None:
        flow = attention_flow.token_flow(analysis, args.flow_token)
        result["flow"] = {"position": flow.token, "token": tokens[flow.token],
                          "shares": [{"token": t, "share": round(float(v), 4)} for t, v in zip(tokens, flow.shares)]}
    if args.layer is not None:
        if not 1 <= args.layer <= analysis.num_layers:
            raise ValueError(f"--layer {args.layer} does not exist: this model has layers 1–{analysis.num_layers}")
        amap = attention.attention_map(analysis, args.layer - 1, args.head, merge=args.words)
        result["map"] = {"title": amap.title, "note": amap.note, "rows": [attention.plain_label(r) for r in amap.row_labels],
                         "cols": [attention.plain_label(c) for c in amap.col_labels],
                         "matrix": np.round(amap.matrix, 4)}
    return result


def register(subparsers) -> None:
    parser = subparsers.add_parser("attention", help="per-head attention statistics and attention rollout")
    add_common(parser)
    add_sentences(parser)
    parser.add_argument("--statistic", default="all", choices=["all", *attention.STATISTICS],
                        help="which per-head statistic to report (default: all)")
    parser.add_argument("--residual", type=float, default=attention.ROLLOUT_RESIDUAL,
                        help="weight of the identity term in rollout (Abnar & Zuidema use 0.5)")
    parser.add_argument("--top", type=int, default=5, help="rollout sources listed per token")
    parser.add_argument("--full-rollout", action="store_true", help="also print the final rollout matrix")
    parser.add_argument("--flow-token", type=int, default=None,
                        help=f"also print attention flow from this position (inputs up to {attention_flow.FLOW_MAX_TOKENS} tokens)")
    parser.add_argument("--layer", type=int, default=None, help="also print the attention map of this layer (1 … N, as on the page)")
    parser.add_argument("--head", type=int, default=None, help="with --layer: one head (default: head average)")
    parser.add_argument("--words", action="store_true", help="with --layer: merge word pieces into words")
    parser.set_defaults(func=cmd_attention)
