"""Plotly figures for the NSP view: the two probabilities, the [CLS] attention, score distributions per kind.

Figures take core results and return figures; they never run the model. Tokens are HTML-escaped
before they become tick labels (plotly renders a subset of HTML in text).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.nsp import scoring as nsp
from core.nsp.experiment import KINDS, ExperimentResult

# One colour per pair kind, positives green, the easy negative grey, the hard negatives warm.
KIND_COLORS = {KINDS[0]: "#2ca02c", KINDS[1]: "#7f7f7f", KINDS[2]: "#ff7f0e", KINDS[3]: "#d62728"}


def _token_labels(tokens: Sequence[str]) -> list[str]:
    """Unique, escaped tick labels: 'position token'."""
    return [f"{i} {html.escape(t)}" for i, t in enumerate(tokens)]


def probability_figure(comparison: nsp.SwapComparison) -> go.Figure:
    """Stacked bars of P(index 0) and P(index 1) for the pair as given (A → B) and swapped (B → A)."""
    head = comparison.original.head
    names = ["A → B", "B → A"]
    positive = [comparison.original.is_next, comparison.swapped_is_next]
    negative = [comparison.original.not_next, comparison.swapped_not_next]
    fig = go.Figure([
        go.Bar(name=f"index 0: {head.positive}", y=names, x=positive, orientation="h",
               marker_color="#2ca02c", text=[f"{p:.3f}" for p in positive], textposition="inside"),
        go.Bar(name=f"index 1: {head.negative}", y=names, x=negative, orientation="h",
               marker_color="#d62728", text=[f"{p:.3f}" for p in negative], textposition="inside"),
    ])
    fig.add_vline(x=nsp.THRESHOLD, line_dash="dot", line_color="black")
    fig.update_layout(barmode="stack", height=220, xaxis=dict(range=[0, 1], title="probability"),
                      yaxis=dict(autorange="reversed"),
                      margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.25, traceorder="normal"))
    return fig


def cls_attention_figure(score: nsp.PairScore) -> go.Figure:
    """Heat map (heads, tokens) of the last layer's [CLS] row: what the position feeding the head reads."""
    labels = _token_labels(score.tokens)
    heads = [f"head {h}" for h in range(score.cls_attention.shape[0])]
    mean = score.cls_attention.mean(axis=0, keepdims=True)
    fig = go.Figure(go.Heatmap(z=np.vstack([mean, score.cls_attention]), x=labels, y=["mean", *heads],
                               colorscale="Blues", zmin=0, colorbar=dict(title="attention"),
                               hovertemplate="%{y} · %{x}: %{z:.3f}<extra></extra>"))
    fig.update_layout(height=140 + 22 * len(heads), margin=dict(l=10, r=10, t=10, b=10),
                      yaxis=dict(autorange="reversed"), xaxis=dict(tickangle=-60))
    return fig


def distribution_figure(results: Sequence[ExperimentResult]) -> go.Figure:
    """Box plots with every point of P(index 0) per pair kind, one group per model/head side by side."""
    fig = go.Figure()
    for result in results:
        scores = result.is_next
        for kind in KINDS:
            mask = np.array([p.kind == kind for p in result.pairs], dtype=bool)
            if not mask.any():
                continue
            fig.add_trace(go.Box(
                y=scores[mask], x=[f"{result.model_name} ({result.head.kind.upper()})"] * int(mask.sum()),
                name=kind, legendgroup=kind, showlegend=result is results[0], marker_color=KIND_COLORS[kind],
                boxpoints="all", jitter=0.4, pointpos=0, hovertemplate=f"{kind}: %{{y:.3f}}<extra></extra>",
            ))
    fig.add_hline(y=nsp.THRESHOLD, line_dash="dot", line_color="black", annotation_text="0.5")
    fig.update_layout(boxmode="group", height=420, yaxis=dict(range=[-0.02, 1.02], title="P(IsNext) or P(in order)"),
                      margin=dict(l=60, r=10, t=30, b=10), legend=dict(orientation="h", y=1.1))
    return fig


def separation_figure(results: Sequence[ExperimentResult]) -> go.Figure:
    """ROC AUC of each negative kind against the consecutive pairs (bars), one bar group per model/head."""
    fig = go.Figure()
    for result in results:
        negatives = [s for s in result.summary if s.auc is not None]
        fig.add_trace(go.Bar(
            x=[s.kind for s in negatives], y=[s.auc for s in negatives],
            name=f"{result.model_name} ({result.head.kind.upper()})",
            text=[f"AUC {s.auc:.2f}" for s in negatives], textposition="outside",
        ))
    fig.add_hline(y=0.5, line_dash="dot", annotation_text="chance", annotation_position="bottom right")
    fig.update_layout(barmode="group", height=360,
                      yaxis=dict(range=[0, 1.15], title="separation from consecutive pairs (ROC AUC)"),
                      margin=dict(l=60, r=10, t=30, b=10), legend=dict(orientation="h", y=1.15))
    return fig


def accuracy_figure(results: Sequence[ExperimentResult]) -> go.Figure:
    """Accuracy at 0.5 per pair kind (bars), one bar group per model/head."""
    fig = go.Figure()
    for result in results:
        fig.add_trace(go.Bar(
            x=[s.kind for s in result.summary], y=[s.accuracy for s in result.summary],
            name=f"{result.model_name} ({result.head.kind.upper()})",
            text=[f"{s.accuracy:.0%} of {s.count}" for s in result.summary], textposition="outside",
        ))
    fig.update_layout(barmode="group", height=360,
                      yaxis=dict(range=[0, 1.15], title="accuracy at 0.5", tickformat=".0%"),
                      margin=dict(l=60, r=10, t=30, b=10), legend=dict(orientation="h", y=1.15))
    return fig
