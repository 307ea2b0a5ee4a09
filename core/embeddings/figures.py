"""Plotly figures for the embedding views (note sections 1–2); each takes a core result and returns a figure.

Token labels are HTML-escaped before plotly sees them (plotly reads a few HTML tags in text), and
token axes are numeric with the tokens as tick text, so a repeated word ("the" twice) keeps two rows.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.embeddings.contextual import Projection, SameWord, SentenceVectors, Units
from core.embeddings.input_embedding import EmbeddingSum, PositionComparison, SegmentVectors
from core.model.inputs import EncodedInput
from core.model.layers import layer_axis, layer_label
from core.render import token_chip, token_color

# Marker colours: sentence A, sentence B, special tokens ([CLS], [SEP]).
SENTENCE_COLORS = {0: "#1f77b4", 1: "#ff7f0e", None: "#7f7f7f"}
SENTENCE_NAMES = {0: "sentence A", 1: "sentence B", None: "special"}
# Diverging scale for signed values, centred on 0.
DIVERGING = "RdBu_r"
# Above this many tokens an axis labels every k-th token only, and a chart stops growing taller.
MAX_TICKS = 60
MAX_HEIGHT = 1000
# Pixels between two stacked panels: room for the lower one's subplot title.
SUBPLOT_GAP_PX = 45
# Axis half-range of the PCA plot as a multiple of the largest |coordinate|: room for the labels above points.
PROJECTION_PAD = 1.15
SUM_ROWS = ("token", "segment", "position", "sum", "LayerNorm(sum)", "model's embedding output")


def _labels(tokens: list[str]) -> list[str]:
    return [html.escape(t) for t in tokens]


def _token_ticks(labels: list[str]) -> dict:
    """Axis settings that label token positions with the (escaped) tokens; every k-th one for long inputs."""
    step = max(1, -(-len(labels) // MAX_TICKS))
    shown = list(range(0, len(labels), step))
    return dict(tickmode="array", tickvals=shown, ticktext=_labels([labels[i] for i in shown]))


def _height(rows: int, per_row: int, base: int) -> int:
    return min(MAX_HEIGHT, base + per_row * rows)


def word_pieces_html(encoded: EncodedInput) -> str:
    """Each word as typed, with the WordPiece pieces it became underneath (id, segment, position in tooltips)."""
    boxes = []
    for unit in encoded.words:
        members, special = unit.positions, encoded.special_mask[unit.positions[0]]
        word = "special" if special else unit.text
        chips = "".join(
            token_chip(encoded.tokens[i], token_color(encoded, i),
                       f"position {i} · id {encoded.input_ids[i]} · segment {encoded.token_type_ids[i]}")
            for i in members
        )
        boxes.append(
            '<div class="word-box" style="display:inline-block;text-align:center;margin:2px 4px;'
            'border-bottom:2px solid #bbb">'
            f'<div style="font-size:0.8em;color:#555">{html.escape(word)}</div>{chips}</div>'
        )
    return f'<div class="word-pieces" style="line-height:1.6">{"".join(boxes)}</div>'


def sum_figure(result: EmbeddingSum, index: int) -> go.Figure:
    """One token's token / segment / position rows, their sum, its LayerNorm and the model's output, per dimension."""
    rows = [result.token[index], result.segment[index], result.position[index], result.summed[index]]
    normed = [result.normalized[index], result.embedding_output[index]]
    fig = make_subplots(rows=2, cols=1, row_heights=[0.62, 0.38], vertical_spacing=0.2,
                        subplot_titles=("input = token + segment + position", "after LayerNorm vs the model's own"))
    fig.add_trace(go.Heatmap(z=np.stack(rows), y=list(SUM_ROWS[:4]), coloraxis="coloraxis"), 1, 1)
    fig.add_trace(go.Heatmap(z=np.stack(normed), y=list(SUM_ROWS[4:]), coloraxis="coloraxis2"), 2, 1)
    token = html.escape(result.tokens[index])
    fig.update_layout(
        title=f"Position {index}: {token}", height=470, margin=dict(l=10, r=10, t=70, b=30),
        coloraxis=dict(**_axis_scale(np.stack(rows)), colorbar=dict(y=0.72, len=0.5)),
        coloraxis2=dict(**_axis_scale(np.stack(normed)), colorbar=dict(y=0.15, len=0.3)),
    )
    fig.update_xaxes(title_text="embedding dimension", row=2, col=1)
    return fig


def _axis_scale(z: np.ndarray) -> dict:
    """A colour scale centred on 0 that a few outlier dimensions cannot wash out (99th percentile of |z|)."""
    bound = float(np.percentile(np.abs(z), 99)) or 1.0
    return dict(cmin=-bound, cmax=bound, cmid=0, colorscale=DIVERGING)


def norms_figure(result: EmbeddingSum) -> go.Figure:
    """L2 norm of each token's token, segment and position vectors and of their sum, as grouped bars."""
    x = list(range(len(result.tokens)))
    fig = go.Figure([
        go.Bar(x=x, y=np.linalg.norm(getattr(result, part), axis=1), name=part)
        for part in ("token", "segment", "position", "summed")
    ])
    fig.update_layout(title="Size of each summand (L2 norm) per token", barmode="group", height=330,
                      xaxis=_token_ticks(result.tokens), yaxis_title="L2 norm", margin=dict(t=50, b=10))
    return fig


def segment_figure(result: SegmentVectors, tokens: list[str]) -> go.Figure:
    """The segment table's rows, and the row every token received: identical within a sentence."""
    # The lower subplot's title sits in the gap between the panels: the upper panel's x ticks are hidden (both panels
    # share the dimension axis) and the gap is kept at SUBPLOT_GAP_PX whatever the height, so they never overlap.
    height = _height(len(tokens), 16, 260)
    fig = make_subplots(rows=2, cols=1, row_heights=[0.25, 0.75], shared_xaxes=True,
                        vertical_spacing=SUBPLOT_GAP_PX / height,
                        subplot_titles=("segment table (one row per segment id)", "the row each token got"))
    names = [f"segment {i}" + (" (A)" if i == 0 else " (B)" if i == 1 else "") for i in range(len(result.vectors))]
    fig.add_trace(go.Heatmap(z=result.vectors, y=names, coloraxis="coloraxis"), 1, 1)
    labels = [f"{t} · seg {s}" for t, s in zip(tokens, result.token_segments)]
    fig.add_trace(go.Heatmap(z=result.per_token, y=list(range(len(tokens))), coloraxis="coloraxis"), 2, 1)
    fig.update_yaxes(autorange="reversed", **_token_ticks(labels), row=2, col=1)
    fig.update_xaxes(title_text="embedding dimension", row=2, col=1)
    fig.update_layout(coloraxis=_axis_scale(result.vectors), height=height, margin=dict(l=10, r=10, t=40, b=30))
    return fig


def position_figure(result: PositionComparison) -> go.Figure:
    """Cosine similarity between positions: learned table (left) vs sine/cosine encoding (right)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=("learned (BERT): cos(position i, position j)",
                                        "sine/cosine (original Transformer)"))
    for col, z in ((1, result.learned_similarity), (2, result.sinusoidal_similarity)):
        fig.add_trace(go.Heatmap(z=z, coloraxis="coloraxis"), 1, col)
        fig.update_xaxes(title_text="position j", row=1, col=col)
        fig.update_yaxes(title_text="position i", autorange="reversed", scaleanchor=f"x{col if col > 1 else ''}",
                         row=1, col=col)
    fig.update_layout(coloraxis=dict(cmin=-1, cmax=1, cmid=0, colorscale=DIVERGING), height=520,
                      margin=dict(l=10, r=10, t=50, b=30))
    return fig


def position_values_figure(result: PositionComparison) -> go.Figure:
    """The position vectors themselves, positions × dimensions, learned vs sine/cosine."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.14,
                        subplot_titles=("learned position embeddings", "sine/cosine encoding"))
    fig.add_trace(go.Heatmap(z=result.learned, coloraxis="coloraxis"), 1, 1)
    fig.add_trace(go.Heatmap(z=result.sinusoidal, coloraxis="coloraxis2"), 1, 2)
    for col in (1, 2):
        fig.update_xaxes(title_text="dimension", row=1, col=col)
        fig.update_yaxes(title_text="position" if col == 1 else None, autorange="reversed", row=1, col=col)
    fig.update_layout(coloraxis=dict(**_axis_scale(result.learned), colorbar=dict(x=0.43)),
                      coloraxis2=_axis_scale(result.sinusoidal), height=420, margin=dict(l=10, r=10, t=50, b=30))
    return fig


def projection_figure(result: Projection) -> go.Figure:
    """Token (or word) vectors of one layer on their top principal components, coloured by sentence."""
    dims = result.coords.shape[1]
    fig = go.Figure()
    for sentence in (0, 1, None):
        idx = [i for i, s in enumerate(result.sentence_ids) if s == sentence]
        if not idx:
            continue
        pts = result.coords[idx]
        common = dict(mode="markers+text", text=[html.escape(result.labels[i]) for i in idx],
                      name=SENTENCE_NAMES[sentence], textposition="top center",
                      marker=dict(color=SENTENCE_COLORS[sentence], size=8 if dims == 2 else 4))
        trace = go.Scatter(x=pts[:, 0], y=pts[:, 1], **common) if dims == 2 else go.Scatter3d(
            x=pts[:, 0], y=pts[:, 1], z=pts[:, 2], **common)
        fig.add_trace(trace)
    # The same range at every layer (and no autorange), so moving the layer slider moves the points, not the axes.
    bound = PROJECTION_PAD * result.extent
    axes = [dict(title=f"aligned axis {i + 1}", range=[-bound, bound], autorange=False, zeroline=False)
            for i in range(dims)]
    title = (f"{layer_label(result.layer).capitalize()} — PCA: the top {dims} components hold "
             f"{result.explained.sum():.0%} of its variance<br><sup>each layer's plane is scaled to the same spread and "
             "rotated to line up with the layer below; axes are the same at every layer</sup>")
    if dims == 2:
        fig.update_layout(xaxis=axes[0], yaxis=axes[1])
    else:
        fig.update_layout(scene=dict(xaxis=axes[0], yaxis=axes[1], zaxis=axes[2], aspectmode="cube"))
    fig.update_layout(title=title, height=580, margin=dict(l=10, r=10, t=70, b=10))
    return fig


def similarity_figure(labels: list[str], matrix: np.ndarray, layer: int) -> go.Figure:
    """Token-by-token cosine similarity at one layer."""
    fig = go.Figure(go.Heatmap(z=matrix, zmin=-1, zmax=1, zmid=0, colorscale=DIVERGING,
                               x=list(range(len(labels))), y=list(range(len(labels)))))
    size = max(420, _height(len(labels), 22, 0))
    fig.update_layout(title=f"Cosine similarity between tokens, {layer_label(layer)}", height=size,
                      xaxis=_token_ticks(labels), yaxis=dict(autorange="reversed", **_token_ticks(labels)),
                      margin=dict(l=10, r=10, t=50, b=10))
    return fig


def drift_figure(chosen: Units, drift: np.ndarray) -> go.Figure:
    """cos(vector at layer k, vector at layer 0) for every token: how far context moves each one."""
    fig = go.Figure(go.Heatmap(z=drift.T, zmin=-1, zmax=1, zmid=0, colorscale=DIVERGING,
                               x=list(range(drift.shape[0])), y=list(range(drift.shape[1]))))
    fig.update_layout(title="Similarity of each token to its own input embedding",
                      xaxis=layer_axis(drift.shape[0] - 1),
                      yaxis=dict(autorange="reversed", **_token_ticks(chosen.labels)),
                      height=max(320, _height(len(chosen.labels), 20, 0)), margin=dict(l=10, r=10, t=50, b=10))
    return fig


def _layer_lines(title: str, series: dict[str, np.ndarray], yaxis: str) -> go.Figure:
    fig = go.Figure([go.Scatter(x=list(range(len(v))), y=v, mode="lines+markers", name=html.escape(k))
                     for k, v in series.items()])
    depth = max(len(v) for v in series.values())
    fig.update_layout(title=title, xaxis=layer_axis(depth - 1), yaxis_title=yaxis,
                      height=380, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def same_word_figure(result: SameWord) -> go.Figure:
    """Cosine similarity of one word's vectors between sentences, per layer."""
    series = {f"sentences {label}": row for label, row in zip(result.pair_labels, result.similarity)}
    title = f"“{html.escape(result.word)}” in different sentences: similarity per layer"
    return _layer_lines(title, series, "cosine similarity")


def sentence_figure(result: SentenceVectors) -> go.Figure:
    """[CLS] vs mean pooling: how similar sentences A and B look through each layer."""
    series = {
        "mean(A) vs mean(B), encoded alone": result.separate_mean,
        "[CLS] of A vs [CLS] of B, encoded alone": result.separate_cls,
        "mean(A) vs mean(B), inside the pair": result.in_pair_mean,
        "[CLS] vs mean(A), inside the pair": result.in_pair_cls_vs_mean[:, 0],
        "[CLS] vs mean(B), inside the pair": result.in_pair_cls_vs_mean[:, 1],
    }
    return _layer_lines("Sentence vectors: cosine similarity per layer", series, "cosine similarity")
