"""Figures of a fine-tune run: training loss per step and the validation metrics after each epoch."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

# Loss is noisy batch to batch; a running mean over this many steps shows the trend.
SMOOTHING_STEPS = 10


def smoothed(values: list[float], window: int = SMOOTHING_STEPS) -> list[float]:
    """Running mean over the last `window` values."""
    out = []
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1) : i + 1]
        out.append(sum(chunk) / len(chunk))
    return out


def curves_figure(history: list[dict]) -> go.Figure:
    """Loss (upper panel) and every `val_*` metric (lower panel, 0–1) against the same training steps.

    Two panels, not two y axes on one: a secondary axis got ticks such as 0.268 / 0.564 / 0.859 to line up with
    the loss grid, and the curves crossed for no reason.
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.55, 0.45])
    losses = [h for h in history if "loss" in h]
    steps = [h["step"] for h in losses]
    fig.add_trace(go.Scatter(x=steps, y=[h["loss"] for h in losses], name="loss (per step)", mode="lines",
                             line=dict(color="rgba(31,119,180,0.3)")), row=1, col=1)
    fig.add_trace(go.Scatter(x=steps, y=smoothed([h["loss"] for h in losses]), name="loss (smoothed)",
                             mode="lines", line=dict(color="rgb(31,119,180)")), row=1, col=1)
    metric_names = sorted({k for h in history for k in h if k.startswith("val_")})
    for name in metric_names:
        points = [h for h in history if name in h]
        fig.add_trace(go.Scatter(x=[h["step"] for h in points], y=[h[name] for h in points], mode="lines+markers",
                                 name=name.removeprefix("val_").replace("_", " ") + " (validation)"),
                      row=2, col=1)
    fig.update_yaxes(title_text="training loss", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="validation", range=[0, 1.05], tickmode="linear", tick0=0, dtick=0.2, row=2, col=1)
    fig.update_xaxes(title_text="step", row=2, col=1)
    fig.update_layout(height=440, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=-0.18))
    return fig
