"""Plotly figures of the finding cards; each takes a card's result and returns a figure, never running the model.

Plotly draws titles, labels and hover text as limited HTML, so every string that comes from outside this file (a
model name, a word, a relation, a statement) is escaped before it is drawn.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from core.findings.clark import KIND_LABELS, PAPER_SEP_SHARE, ClarkResult
from core.findings.ethayarajh import EthayarajhResult
from core.findings.head_stats import HeadStatsResult
from core.findings.lama import PAPER_P_AT_1, LamaResult
from core.findings.michel import KEEP_ACCURACY, PAPER_PRUNABLE, MichelResult
from core.model.layers import attention_layer_label, layer_axis

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd")
MARGIN = {"l": 10, "r": 10, "t": 60, "b": 10}
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0}
LEGEND_ABOVE = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1}  # clear of slanted ticks


def _safe(text: str) -> str:
    return html.escape(str(text))


def _attention_layer_ticks(num_layers: int) -> dict:
    """An axis over attention indices 0 … N−1, ticked with their layers' names (layer 1 … layer N)."""
    return {"tickmode": "array", "tickvals": list(range(num_layers)),
            "ticktext": [attention_layer_label(i) for i in range(num_layers)]}


def clark_figure(result: ClarkResult) -> go.Figure:
    """Mean attention to each kind of token per layer (lines), every head as a dot; the middle layers shaded."""
    fig = go.Figure()
    num_layers, num_heads = result.shares.shape[1:]
    layers = np.repeat(np.arange(num_layers), num_heads)
    for k, kind in enumerate(result.kinds):
        color, label = COLORS[k % len(COLORS)], KIND_LABELS[kind]
        fig.add_trace(go.Scatter(x=layers, y=result.shares[k].ravel(), mode="markers", showlegend=False,
                                 marker={"color": color, "size": 6, "opacity": 0.35}, legendgroup=kind,
                                 customdata=np.tile(np.arange(num_heads), num_layers),
                                 hovertemplate=f"{_safe(label)}, head %{{customdata}}: %{{y:.1%}}<extra></extra>"))
        fig.add_trace(go.Scatter(x=list(range(num_layers)), y=result.layer_means()[k], mode="lines+markers",
                                 name=_safe(label), line={"color": color, "width": 3}, legendgroup=kind,
                                 hovertemplate=f"{_safe(label)}, mean of the heads: %{{y:.1%}}<extra></extra>"))
    middle = [n - 1 for n in result.middle_layers]
    fig.add_vrect(x0=middle[0] - 0.4, x1=middle[-1] + 0.4, fillcolor="#999", opacity=0.12, line_width=0)
    fig.add_hline(y=PAPER_SEP_SHARE, line={"dash": "dash", "color": COLORS[0]},
                  annotation_text="paper: [SEP] > 50 % in BERT-base's middle layers", annotation_position="bottom right")
    fig.update_layout(title=f"Where attention goes, {_safe(result.model_name)} (shaded: the middle layers)",
                      height=480, margin=MARGIN, legend=LEGEND_BELOW,
                      xaxis={"title": "layer", "range": [-0.5, num_layers - 0.5], **_attention_layer_ticks(num_layers)},
                      yaxis={"title": "mean share of a token's attention", "tickformat": ".0%", "range": [0, 1.02]})
    return fig


def ethayarajh_figure(result: EthayarajhResult) -> go.Figure:
    """Self-similarity, anisotropy baseline and their difference per hidden state; each word's curve on request."""
    fig = go.Figure()
    x = list(range(len(result.layers)))
    for word in result.words:
        fig.add_trace(go.Scatter(x=x, y=word.self_similarity, mode="lines", name=_safe(word.word), visible="legendonly",
                                 line={"width": 1, "dash": "dot"},
                                 hovertemplate=f"{_safe(word.word)} ({word.contexts} contexts): %{{y:.3f}}<extra></extra>"))
    for values, name, color in ((result.self_similarity, "self-similarity (mean over words)", COLORS[0]),
                                (result.baseline, "anisotropy baseline (random words)", COLORS[1]),
                                (result.adjusted, "self-similarity − baseline", COLORS[2])):
        fig.add_trace(go.Scatter(x=x, y=values, mode="lines+markers", name=name, line={"color": color, "width": 3},
                                 hovertemplate=f"{name}: %{{y:.3f}}<extra></extra>"))
    fig.update_layout(title=f"How contextual are {_safe(result.model_name)}'s word vectors? (lower = more context-specific)",
                      height=500, margin=MARGIN, xaxis=layer_axis(len(result.layers) - 1),
                      legend={**LEGEND_BELOW, "title": {"text": "click a word to show its own curve:", "side": "top"}},
                      yaxis={"title": "mean cosine similarity"})
    return fig


def michel_figure(result: MichelResult) -> go.Figure:
    """MLM accuracy as heads are pruned, least important first; the 90 % line and the paper's 40 %."""
    fig = go.Figure(go.Scatter(x=result.pruned_shares, y=result.accuracy, mode="lines+markers", name="MLM top-1 accuracy",
                               line={"color": COLORS[0], "width": 3},
                               hovertemplate="%{x:.0%} of heads pruned: accuracy %{y:.1%}<extra></extra>"))
    fig.add_hline(y=KEEP_ACCURACY * result.accuracy[0], line={"dash": "dash", "color": "#555"},
                  annotation_text=f"{KEEP_ACCURACY:.0%} of the unpruned accuracy", annotation_position="bottom left")
    fig.add_vline(x=PAPER_PRUNABLE, line={"dash": "dot", "color": COLORS[1]},
                  annotation_text=f"paper: {PAPER_PRUNABLE:.0%} of BERT's heads", annotation_position="top right")
    fig.update_layout(title=f"Pruning {_safe(result.model_name)}'s heads in order of increasing importance",
                      height=440, margin=MARGIN, showlegend=False,
                      xaxis={"title": "share of heads pruned", "tickformat": ".0%", "range": [-0.02, 0.92]},
                      yaxis={"title": f"MLM top-1 accuracy ({result.masked_tokens} masked tokens)", "tickformat": ".0%",
                             "rangemode": "tozero"})
    return fig


def head_grid_figure(values: np.ndarray, title: str, colorbar: str, fmt: str = ".2f") -> go.Figure:
    """A layers × heads heat map of one number per head, each cell labelled. values: (layers, heads)"""
    layers, heads = values.shape
    fig = go.Figure(go.Heatmap(z=values, x=list(range(heads)), y=list(range(layers)), colorscale="Viridis",
                               text=np.vectorize(lambda v: format(v, fmt))(values), texttemplate="%{text}",
                               colorbar={"title": _safe(colorbar)},
                               hovertemplate="head %{x}: %{z:" + fmt + "}<extra></extra>"))
    fig.update_layout(title=_safe(title), height=max(320, 44 * layers + 150), margin=MARGIN,
                      xaxis={"title": "head", "dtick": 1},
                      yaxis={"title": "layer", "autorange": "reversed", **_attention_layer_ticks(layers)})
    return fig


def michel_importance_figure(result: MichelResult) -> go.Figure:
    """Each head's importance, normalised per layer (what the pruning order reads)."""
    return head_grid_figure(result.normalized, "Head importance |∂ MLM loss / ∂ head gate|, normalised per layer",
                            "importance")


def head_stats_figure(result: HeadStatsResult, key: str) -> go.Figure:
    """The chosen statistic for every layer and head, averaged over the corpus."""
    if key not in result.values:
        raise ValueError(f"unknown statistic {key!r}; choose one of {', '.join(result.values)}")
    label = result.labels[key][0]
    title = f"{label[0].upper()}{label[1:]}, {result.model_name}, mean over {result.inputs} pairs"
    return head_grid_figure(result.values[key], title, label)


def lama_figure(result: LamaResult) -> go.Figure:
    """P@1 and P@10 per relation and over all facts, with the paper's T-REx P@1."""
    names = [f"{_safe(r.relation)} ({r.facts})" for r in result.relations] + [f"all ({len(result.answers)})"]
    at_1 = [r.p_at_1 for r in result.relations] + [result.p_at_1]
    at_10 = [r.p_at_10 for r in result.relations] + [result.p_at_10]
    fig = go.Figure([go.Bar(x=names, y=at_1, name="P@1", marker_color=COLORS[0],
                            hovertemplate="%{x}: P@1 %{y:.0%}<extra></extra>"),
                     go.Bar(x=names, y=at_10, name="P@10", marker_color=COLORS[2],
                            hovertemplate="%{x}: P@10 %{y:.0%}<extra></extra>")])
    fig.add_hline(y=PAPER_P_AT_1, line={"dash": "dash", "color": COLORS[1]},
                  annotation_text="paper: BERT-large P@1 on T-REx", annotation_position="top left")
    fig.update_layout(title=f"Facts {_safe(result.model_name)}'s MLM head recalls, per relation (facts in brackets)",
                      barmode="group", height=460, margin=MARGIN, legend=LEGEND_ABOVE,
                      xaxis={"tickangle": -30}, yaxis={"title": "share of facts", "tickformat": ".0%", "range": [0, 1.05]})
    return fig
