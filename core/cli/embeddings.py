"""`python -m core embeddings`: the input-embedding parity check, segment and position tables, contextual views."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from core.cli.args import add_common, add_sentences
from core.cli.basic import load_for_cli
from core.embeddings import contextual
from core.embeddings import input_embedding as embeddings
from core.embeddings import tables as embedding_tables
from core.model import forward


def _neighbour_similarity(similarity: np.ndarray) -> float:
    """Mean cosine similarity between adjacent positions (i, i + 1)."""
    return float(np.diag(similarity, k=1).mean())


def _write_csvs(folder: str, tables: dict[str, str]) -> list[str]:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (out / f"{name}.csv").write_text(text, encoding="utf-8")
    return sorted(str(out / f"{name}.csv") for name in tables)


def cmd_embeddings(args: argparse.Namespace) -> dict:
    """Parity of LayerNorm(token + segment + position) with the model's embedding output, and the layer views."""
    loaded = load_for_cli(args.model)
    analysis = forward.analyze(loaded, args.a, args.b)
    summed = embeddings.embedding_sum(loaded, analysis)
    positions = embeddings.position_comparison(loaded, min(args.positions, loaded.config.max_position_embeddings))
    chosen = contextual.units(analysis, merge_words=args.merge)
    layer = analysis.num_layers if args.layer is None else args.layer
    projection = contextual.project(chosen, layer, args.dims)
    similarity = contextual.similarity(chosen, layer)
    result = {
        "model": loaded.name,
        "tokens": analysis.inputs.tokens,
        "parity": {"max_abs_diff": summed.max_abs_diff, "matches": summed.matches},
        "positions": {"shown": len(positions.learned),
                      "neighbour_similarity_learned": _neighbour_similarity(positions.learned_similarity),
                      "neighbour_similarity_sinusoidal": _neighbour_similarity(positions.sinusoidal_similarity)},
        "layer": layer,
        "projection": {"labels": projection.labels, "coords": projection.coords, "explained": projection.explained},
        "similarity": similarity,
        "drift": contextual.drift(chosen).T,
    }
    tables = {"embedding_sum": embedding_tables.sum_table(summed),
              "position_similarity": embedding_tables.position_table(positions),
              "projection": embedding_tables.projection_table(projection),
              "token_similarity": embedding_tables.similarity_table(chosen.labels, similarity)}
    if analysis.segment_embeddings is not None:
        segments = embeddings.segment_vectors(loaded, analysis)
        result["segments"] = {"max_spread_within_segment": segments.max_spread, "ids": segments.token_segments}
        tables["segment_vectors"] = embedding_tables.segment_table(segments)
    if analysis.inputs.is_pair:
        vectors = contextual.sentence_vectors(loaded, analysis)
        result["sentence_vectors"] = vectors
        tables["sentence_vectors"] = embedding_tables.sentence_table(vectors)
    if args.word:
        senses = contextual.same_word(loaded, args.word, args.sentence or list(contextual.DEFAULT_SENTENCES))
        result["same_word"] = senses
        tables["same_word"] = embedding_tables.same_word_table(senses)
    if args.csv_dir:
        result["csv_files"] = _write_csvs(args.csv_dir, tables)
    return result


def register(subparsers) -> None:
    parser = subparsers.add_parser("embeddings", help="token+segment+position parity, positions, contextual embeddings")
    add_common(parser)
    add_sentences(parser)
    parser.add_argument("--layer", type=int, default=None,
                        help="layer for projection and similarity (0 = embeddings; default: the last)")
    parser.add_argument("--dims", type=int, default=2, choices=(2, 3), help="PCA dimensions")
    parser.add_argument("--merge", action="store_true", help="merge WordPiece pieces back into words")
    parser.add_argument("--positions", type=int, default=embeddings.DEFAULT_POSITIONS, help="positions to compare")
    parser.add_argument("--word", default=None, help="follow this word across --sentence sentences, layer by layer")
    parser.add_argument("--sentence", action="append",
                        help="a sentence containing --word (repeat it; default: the 'bank' examples)")
    parser.add_argument("--csv-dir", default=None, help="also write every view's data as CSV files into this folder")
    parser.set_defaults(func=cmd_embeddings)
