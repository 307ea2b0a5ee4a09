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
    """Loss (left axis) and every `val_*` metric (right axis, 0–1) against the training step."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    losses = [h for h in history if "loss" in h]
    steps = [h["step"] for h in losses]
    fig.add_trace(go.Scatter(x=steps, y=[h["loss"] for h in losses], name="loss (per step)", mode="lines",
                             line=dict(color="rgba(31,119,180,0.3)")), secondary_y=False)
    fig.add_trace(go.Scatter(x=steps, y=smoothed([h["loss"] for h in losses]), name="loss (smoothed)",
                             mode="lines", line=dict(color="rgb(31,119,180)")), secondary_y=False)
    metric_names = sorted({k for h in history for k in h if k.startswith("val_")})
    for name in metric_names:
        points = [h for h in history if name in h]
        fig.add_trace(go.Scatter(x=[h["step"] for h in points], y=[h[name] for h in points], mode="lines+markers",
                                 name=name.removeprefix("val_").replace("_", " ") + " (validation)"),
                      secondary_y=True)
    fig.update_yaxes(title_text="training loss", secondary_y=False)
    fig.update_yaxes(title_text="validation metric", range=[0, 1.05], secondary_y=True)
    fig.update_layout(xaxis_title="step", height=360, margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", y=-0.25))
    return fig
