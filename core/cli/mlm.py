"""MLM commands: `fill-mask` (top-k, joint fill, logit lens, batch), `mlm-score` (pseudo-perplexity), `mask-sim`,
`everyday-check`.

`everyday-check` scores a model's MLM and NSP heads on the held-out everyday sets of bench/data.

`fill-mask --json` prints {"model": str, "masks": [{"position": int, "predictions": [{"token": str,
"score": float}, …]}, …]} with one entry per [MASK] in text order; scripts rely on this shape.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.cli.args import add_common, add_sentences, to_jsonable
from core.cli.basic import load_for_cli
from core.mlm import fill_mask as mlm
from core.mlm import masking as mlm_pretraining
from core.mlm import scoring as mlm_scoring
from core.model.capabilities import Head, require_head
from core.model.loading import LoadedModel
from core.pretrain import everyday


def fill_mask_result(loaded: LoadedModel, text: str, text_b: str | None, args: argparse.Namespace) -> dict:
    """The stable fill-mask shape, plus the joint fill and logit lens when asked for."""
    result = mlm.fill_mask(loaded, text, text_b, args.top_k)
    out = {"model": result.model_name, "masks": [
        {"position": m.position,
         "predictions": [{"token": p.token, "score": p.score, "id": p.token_id} for p in m.predictions]}
        for m in result.masks
    ]}
    if args.joint:
        joint = mlm_scoring.joint_fill(loaded, text, text_b)
        out["fills"] = {name: {"tokens": f.tokens, "pll": f.pll, "log_probs": f.log_probs, "text": f.text}
                        for name, f in (("independent", joint.independent), ("iterative", joint.iterative),
                                        ("joint", joint.joint))}
    if args.logit_lens:
        out["logit_lens"] = [_lens_rows(mlm.logit_lens(loaded, text, text_b, m.position)) for m in result.masks]
    return out


def _lens_rows(lens: mlm.LogitLens) -> dict:
    return {"position": lens.position, "layers": [
        {"layer": name, "top": top.token, "score": top.score} for name, top in zip(lens.layers, lens.top)
    ]}


def read_batch(path: str) -> list[tuple[str, str | None]]:
    """One text per line, or JSON lines {"text": …, "text_b": …}; blank lines are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise ValueError(f"cannot read batch file {path!r}: {err.strerror}") from err
    texts = []
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith("{"):
            texts.append(_batch_record(line, f"{path}, line {number}"))
        elif line.strip():
            texts.append((line, None))
    return texts


def _batch_record(line: str, where: str) -> tuple[str, str | None]:
    """(text, text_b) of one JSON line; ValueError naming the line when it is not {"text": "…"[, "text_b": "…"]}."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise ValueError(f"{where}: not valid JSON ({err.msg})") from err
    text, text_b = (record.get("text"), record.get("text_b")) if isinstance(record, dict) else (None, None)
    if not isinstance(text, str) or not isinstance(text_b, (str, type(None))):
        raise ValueError(f'{where}: write {{"text": "…", "text_b": "…" (optional)}} with strings')
    return text, text_b


def cmd_fill_mask(args: argparse.Namespace) -> dict:
    """Top-k predictions at every [MASK]; with --batch, one JSON object per input line."""
    if not args.batch and args.a is None:
        raise ValueError('give a text with [MASK] in it (python -m core fill-mask "A" ["B"]), or --batch FILE')
    loaded = load_for_cli(args.model)
    if not args.batch:
        return fill_mask_result(loaded, args.a, args.b, args)
    for text, text_b in read_batch(args.batch):
        try:
            line = fill_mask_result(loaded, text, text_b, args)
        except ValueError as err:
            line = {"error": str(err), "text": text}
        print(json.dumps(to_jsonable(line), ensure_ascii=False), flush=True)
    sys.exit(0)  # every line is printed already; core.cli.main.main.main would print one more object


def cmd_score(args: argparse.Namespace) -> dict:
    """Pseudo-log-likelihood and pseudo-perplexity, with every token's score."""
    score = mlm_scoring.pseudo_log_likelihood(load_for_cli(args.model), args.a, args.b)
    return {"model": score.model_name, "pseudo_log_likelihood": score.pseudo_log_likelihood,
            "pseudo_perplexity": score.pseudo_perplexity, "forward_passes": score.forward_passes,
            "tokens": [{"position": p, "token": score.tokens[p], "log_prob": float(lp)}
                       for p, lp in zip(score.positions, score.log_probs)]}


def cmd_mask_sim(args: argparse.Namespace) -> dict:
    """One seeded draw of the 15 % / 80-10-10 rule with predictions, and accuracy over many draws."""
    loaded = load_for_cli(args.model)
    draw = mlm_pretraining.simulate_masking(loaded, args.a, args.b, seed=args.seed, top_k=args.top_k)
    accuracy = mlm_pretraining.masking_accuracy(loaded, args.a, args.b, draws=args.draws, seed=args.seed)
    return {"model": draw.model_name, "seed": draw.seed, "shown": draw.shown_tokens,
            "chosen": [{"position": c.position, "original": c.original, "shown": c.shown, "action": c.action,
                        "top": c.predictions[0].token, "correct": c.correct} for c in draw.chosen],
            "accuracy": accuracy}


def cmd_everyday(args: argparse.Namespace) -> dict:
    """Held-out everyday cloze (top-1/top-5) and NSP (accuracy, AUC), and the [CLS] similarity per layer."""
    loaded = load_for_cli(args.model)
    require_head(loaded, Head.MLM)
    require_head(loaded, Head.NSP)
    return {"model": loaded.name, **to_jsonable(everyday.score_everyday(loaded)),
            "cls_cosine_by_layer": everyday.cls_similarity_by_layer(loaded)}


def register(subparsers) -> None:
    parser = subparsers.add_parser("fill-mask", help="predict the words hidden by [MASK]")
    add_common(parser)
    add_sentences(parser, "sentence A with one or more [MASK]", "sentence B (optional; may hold [MASK] too)",
                  required=False)
    parser.add_argument("--top-k", type=int, default=mlm.DEFAULT_TOP_K, help="predictions per mask")
    parser.add_argument("--joint", action="store_true", help="add independent / iterative / joint fills and PLLs")
    parser.add_argument("--logit-lens", action="store_true", help="add the top prediction after every layer")
    parser.add_argument("--batch", metavar="FILE", help="one text per line or JSONL {'text': …}; prints JSON lines")
    parser.set_defaults(func=cmd_fill_mask)

    parser = subparsers.add_parser("mlm-score", help="pseudo-log-likelihood / pseudo-perplexity of a text")
    add_common(parser)
    add_sentences(parser)
    parser.set_defaults(func=cmd_score)

    parser = subparsers.add_parser("mask-sim", help="simulate BERT's 15 %% / 80-10-10 pre-training masking")
    add_common(parser)
    add_sentences(parser)
    parser.add_argument("--seed", type=int, default=0, help="random seed of the draw")
    parser.add_argument("--draws", type=int, default=mlm_pretraining.DEFAULT_DRAWS, help="draws for the accuracy")
    parser.add_argument("--top-k", type=int, default=5, help="predictions per chosen position")
    parser.set_defaults(func=cmd_mask_sim)

    parser = subparsers.add_parser("everyday-check", help="score MLM + NSP on the held-out everyday English sets")
    add_common(parser)
    parser.set_defaults(func=cmd_everyday)
