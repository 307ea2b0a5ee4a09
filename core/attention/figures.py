"""Plotly figures of the attention view; each takes a result from core.attention.maps / probe / flow and returns a figure.

Note section 1: a stack of encoders, each with multi-head self-attention — heatmaps of one head,
the layers × heads overview, rollout across the stack, and the q·k scores inside one head.
Token labels go into plotly as text (plotly escapes them); nothing here recomputes model outputs.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.attention.flow import TokenFlow
from core.attention.maps import AttentionMap, HeadStatistic, Rollout
from core.attention.probe import AblationResult, QueryKey
from core.model.layers import attention_layer_label, attention_layer_number

COLORSCALE = "Blues"
# Pixels per token row/column, bounded so a 512-token map still fits a screen and 5 tokens stay readable.
CELL_PX, MIN_PX, MAX_PX = 22, 360, 900
# Label every token up to this many; beyond it plotly picks a readable subset of ticks.
MAX_TICK_LABELS = 80


def _safe(labels: list[str]) -> list[str]:
    """Plotly renders tick text as limited HTML; escape tokens such as '<script>' so they show as text."""
    return [html.escape(label) for label in labels]


def _numbered(labels: list[str]) -> list[str]:
    return [f"{i}: {label}" for i, label in enumerate(labels)]


def download_config(image_format: str = "png", filename: str = "attention") -> dict:
    """plotly's modebar config so the camera button saves PNG or SVG."""
    if image_format not in ("png", "svg"):
        raise ValueError("image format must be png or svg")
    return {"toImageButtonOptions": {"format": image_format, "filename": filename, "scale": 2}, "displaylogo": False}


def heatmap_figure(
    amap: AttentionMap, x_title: str = "attended token (key)", y_title: str = "attending token (query)"
) -> go.Figure:
    """An attention map: rows = attending token (query), columns = attended token (key)."""
    rows, cols = _safe(amap.row_labels), _safe(amap.col_labels)
    if len(rows) > MAX_TICK_LABELS:  # only some ticks are shown, so say which position each is
        rows, cols = _numbered(rows), _numbered(cols)
    fig = go.Figure(go.Heatmap(
        z=amap.matrix, x=cols, y=rows, colorscale=COLORSCALE, zmin=0,
        hovertemplate="%{y} → %{x}<br>weight %{z:.3f}<extra></extra>", colorbar={"title": "weight"},
    ))
    size = int(np.clip(CELL_PX * len(rows), MIN_PX, MAX_PX))
    show_all = len(rows) <= MAX_TICK_LABELS
    fig.update_layout(
        title=amap.title, height=size + 160, margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis={"title": x_title, "side": "top", "tickangle": -60, "type": "category",
               "dtick": 1 if show_all else None},
        yaxis={"title": y_title, "autorange": "reversed", "type": "category",
               "dtick": 1 if show_all else None},
    )
    return fig


def overview_figure(stat: HeadStatistic, selected: tuple[int, int] | None = None) -> go.Figure:
    """The layers × heads grid of one statistic; the selected head is outlined. Click a cell to open it."""
    layers, heads = stat.values.shape
    text = np.vectorize(lambda v: "—" if np.isnan(v) else f"{v:.2f}")(stat.values)
    fig = go.Figure(go.Heatmap(
        z=stat.values, x=list(range(heads)), y=list(range(layers)), colorscale="Viridis", text=text,
        texttemplate="%{text}" if layers * heads <= 400 else None, colorbar={"title": stat.label},
        hoverinfo="skip",
    ))
    fig.add_trace(_click_targets(stat))
    if selected is not None:
        layer, head = selected
        fig.add_shape(type="rect", x0=head - 0.5, x1=head + 0.5, y0=layer - 0.5, y1=layer + 0.5,
                      line={"color": "red", "width": 3})
    fig.update_layout(
        title=f"{stat.label} for every layer and head", height=max(300, 40 * layers + 140),
        xaxis={"title": "head", "dtick": 1, "range": [-0.5, heads - 0.5]},
        yaxis={"title": "layer", "range": [layers - 0.5, -0.5], **_attention_layer_ticks(layers)},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def _attention_layer_ticks(layers: int) -> dict:
    """Axis ticks for attention indices 0 … N−1, labelled with their layers (layer 1 … layer N)."""
    return {"tickmode": "array", "tickvals": list(range(layers)),
            "ticktext": [attention_layer_label(i) for i in range(layers)]}


def _click_targets(stat: HeadStatistic) -> go.Scatter:
    """Invisible square markers on every cell: plotly reports clicks on points, not on heatmap cells.

    y is the attention index (what the click handler reads); the hover names the layer by its number.
    """
    layers, heads = np.meshgrid(range(stat.values.shape[0]), range(stat.values.shape[1]), indexing="ij")
    numbers = np.vectorize(attention_layer_number)(layers.ravel())
    return go.Scatter(
        x=heads.ravel(), y=layers.ravel(), mode="markers", customdata=np.stack([stat.values.ravel(), numbers], 1),
        showlegend=False, marker={"symbol": "square", "size": 28, "color": "rgba(0,0,0,0)"},
        hovertemplate="layer %{customdata[1]}, head %{x}<br>" + stat.label
                      + " %{customdata[0]:.3f}<extra>click to open</extra>",
    )


def rollout_sources_figure(rollout: Rollout, token: int) -> go.Figure:
    """What one token attends to after all layers: its row of the final rollout, as bars over input tokens."""
    title = f"Rollout: after all {len(rollout.matrices)} layers, {html.escape(rollout.tokens[token])} (position {token}) draws on"
    return _sources_figure(rollout.tokens, rollout.matrices[-1][token], title, "rollout weight (row sums to 1)")


def flow_sources_figure(flow: TokenFlow) -> go.Figure:
    """Attention flow from one output token to every input token, normalised to sum 1."""
    title = f"Attention flow: {html.escape(flow.tokens[flow.token])} (position {flow.token}) after all layers draws on"
    return _sources_figure(flow.tokens, flow.shares, title, "share of the max flow (sums to 1)")


def _sources_figure(tokens: list[str], values: np.ndarray, title: str, y_title: str) -> go.Figure:
    labels = [f"{i}: {t}" for i, t in enumerate(_safe(tokens))]
    fig = go.Figure(go.Bar(x=labels, y=values, hovertemplate="%{x}<br>%{y:.3f}<extra></extra>"))
    fig.update_layout(title=title, yaxis={"title": y_title}, xaxis={"tickangle": -60, "type": "category"},
                      height=380, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def query_key_figure(qk: QueryKey, layer: int, head: int, token: int) -> go.Figure:
    """Inside one head for one attending token i: q_i, every k_j, q_i ⊙ k_j, q_i·k_j/√d and the softmax."""
    if not 0 <= token < len(qk.tokens):
        raise ValueError(f"token {token} does not exist: the input has positions 0–{len(qk.tokens) - 1}")
    q, k = qk.queries[layer, head, token], qk.keys[layer, head]
    labels = [f"{j}: {t}" for j, t in enumerate(_safe(qk.tokens))]
    fig = make_subplots(
        rows=2, cols=4, row_heights=[0.06, 0.94], shared_yaxes=True, horizontal_spacing=0.03, vertical_spacing=0.03,
        specs=[[{}, None, None, None], [{}, {}, {}, {}]],
        subplot_titles=("query q_i (top), keys k_j (below)", "", "q_i ⊙ k_j (elementwise)", "q_i·k_j / √d",
                        "softmax = attention"),
    )
    lim = float(np.abs(np.concatenate([q, k.ravel()])).max()) or 1.0
    cells = dict(colorscale="RdBu", zmid=0, zmin=-lim, zmax=lim, showscale=False)
    fig.add_trace(go.Heatmap(z=q[None], y=[labels[token]], hovertemplate="dim %{x}: %{z:.3f}<extra></extra>", **cells), 1, 1)
    fig.add_trace(go.Heatmap(z=k, y=labels, hovertemplate="%{y} dim %{x}: %{z:.3f}<extra></extra>", **cells), 2, 1)
    product = q[None] * k
    plim = float(np.abs(product).max()) or 1.0
    fig.add_trace(go.Heatmap(z=product, y=labels, colorscale="RdBu", zmid=0, zmin=-plim, zmax=plim, showscale=False,
                             hovertemplate="%{y} dim %{x}: %{z:.3f}<extra></extra>"), 2, 2)
    fig.add_trace(go.Bar(x=qk.scores(layer, head)[token], y=labels, orientation="h", marker_color="#888"), 2, 3)
    fig.add_trace(go.Bar(x=qk.weights(layer, head)[token], y=labels, orientation="h", marker_color="#1f77b4"), 2, 4)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(showticklabels=False, row=1, col=1)
    fig.update_xaxes(title_text="dimension of the head", row=2, col=1)
    fig.update_layout(
        title=f"{attention_layer_label(layer).capitalize()}, head {head}: how {html.escape(qk.tokens[token])} (position {token}) scores every token",
        height=int(np.clip(CELL_PX * len(labels), MIN_PX, MAX_PX)) + 160, showlegend=False,
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
    )
    return fig


def ablation_figure(result: AblationResult) -> go.Figure:
    """How much each token's final hidden state moved when the chosen heads were switched off."""
    labels = [f"{i}: {t}" for i, t in enumerate(_safe(result.tokens))]
    fig = go.Figure(go.Bar(x=labels, y=1.0 - result.hidden_cosine, marker_color="#d62728",
                           hovertemplate="%{x}<br>1 − cosine %{y:.4f}<extra></extra>"))
    fig.update_layout(
        title="Change in each token's last hidden state (1 − cosine similarity, intact vs ablated)",
        yaxis={"title": "1 − cosine"}, xaxis={"tickangle": -60, "type": "category"}, height=380,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig
