"""The embedding views' numbers as CSV text, so every chart's data can be downloaded (app) or saved (CLI)."""

from __future__ import annotations

import csv
import io

import numpy as np

from core.embeddings.contextual import Projection, SameWord, SentenceVectors, Units
from core.embeddings.input_embedding import EmbeddingSum, PositionComparison, SegmentVectors
from core.model.layers import hidden_labels, layer_label
from core.render import spreadsheet_safe


def csv_text(header: list[str], rows: list[list]) -> str:
    """Rows as CSV text with a header line; floats keep 6 significant digits, text never runs as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([f"{v:.6g}" if isinstance(v, (float, np.floating)) else
                         spreadsheet_safe(v) if isinstance(v, str) else v for v in row])
    return out.getvalue()


def _matrix(row_names: list, matrix: np.ndarray, first: str, columns: list | None = None) -> str:
    columns = columns if columns is not None else [f"d{j}" for j in range(matrix.shape[1])]
    return csv_text([first, *columns], [[name, *values] for name, values in zip(row_names, matrix.tolist())])


def sum_table(result: EmbeddingSum) -> str:
    """One row per token and part (token, segment, position, sum, layernorm, model_output), one column per dimension."""
    parts = {"token": result.token, "segment": result.segment, "position": result.position, "sum": result.summed,
             "layernorm": result.normalized, "model_output": result.embedding_output}
    width = max(a.shape[1] for a in parts.values())
    rows = [[i, tok, part, *array[i].tolist(), *[""] * (width - array.shape[1])]
            for i, tok in enumerate(result.tokens) for part, array in parts.items()]
    return csv_text(["position", "token", "part", *[f"d{j}" for j in range(width)]], rows)


def norms_table(result: EmbeddingSum) -> str:
    """L2 norm of each token's token, segment and position vectors and of their sum."""
    parts = (result.token, result.segment, result.position, result.summed)
    rows = [[i, tok, *[float(np.linalg.norm(p[i])) for p in parts]] for i, tok in enumerate(result.tokens)]
    return csv_text(["position", "token", "token_norm", "segment_norm", "position_norm", "sum_norm"], rows)


def segment_table(result: SegmentVectors) -> str:
    return _matrix([f"segment {i}" for i in range(len(result.vectors))], result.vectors, "segment")


def position_table(result: PositionComparison) -> str:
    """Both similarity matrices, stacked: a 'kind' column says learned or sinusoidal."""
    n = len(result.learned)
    rows = [[kind, i, *m[i].tolist()] for kind, m in (("learned", result.learned_similarity),
                                                      ("sinusoidal", result.sinusoidal_similarity)) for i in range(n)]
    return csv_text(["kind", "position", *[f"p{j}" for j in range(n)]], rows)


def position_vectors_table(result: PositionComparison) -> str:
    """Both position tables, stacked: a 'kind' column says learned or sinusoidal, one column per dimension."""
    rows = [[kind, i, *row] for kind, table in (("learned", result.learned), ("sinusoidal", result.sinusoidal))
            for i, row in enumerate(table.tolist())]
    return csv_text(["kind", "position", *[f"d{j}" for j in range(result.learned.shape[1])]], rows)


def projection_table(result: Projection) -> str:
    sentence = {0: "A", 1: "B", None: "special"}
    rows = [[i, label, sentence[s], *xy.tolist()]
            for i, (label, s, xy) in enumerate(zip(result.labels, result.sentence_ids, result.coords))]
    return csv_text(["index", "label", "sentence", *[f"pc{k + 1}" for k in range(result.coords.shape[1])]], rows)


def similarity_table(labels: list[str], matrix: np.ndarray) -> str:
    return _matrix(labels, matrix, "token", labels)


def drift_table(chosen: Units, drift: np.ndarray) -> str:
    return _matrix(chosen.labels, drift.T, "token", hidden_labels(drift.shape[0] - 1))


def same_word_table(result: SameWord) -> str:
    return _matrix(result.pair_labels, result.similarity, "sentences",
                   hidden_labels(result.similarity.shape[1] - 1))


def sentence_table(result: SentenceVectors) -> str:
    columns = {"separate_mean": result.separate_mean, "separate_cls": result.separate_cls,
               "in_pair_mean": result.in_pair_mean, "in_pair_cls_vs_mean_a": result.in_pair_cls_vs_mean[:, 0],
               "in_pair_cls_vs_mean_b": result.in_pair_cls_vs_mean[:, 1]}
    return csv_text(["layer", "layer_name", *columns],
                    [[k, layer_label(k), *[c[k] for c in columns.values()]] for k in result.layers])
