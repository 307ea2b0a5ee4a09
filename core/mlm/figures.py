"""Figures and token HTML for the MLM view: prediction bars, logit-lens heatmap, coloured pseudo-likelihoods.

Builders take a result from core.mlm.fill_mask / scoring / masking and return a plotly figure or an
HTML string with every token escaped; they never run the model.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from core.mlm.fill_mask import LogitLens, MaskPrediction
from core.mlm.masking import MaskingAccuracy, MaskingDraw
from core.mlm.scoring import SentenceScore
from core.render import SPECIAL_COLOR, percent, token_chip

PREDICTION_COLOR = "#4c78a8"
ORIGINAL_COLOR = "#f58518"  # the word the user masked, wherever it shows up
MASK_COLOR = "#ffd27f"
# Pseudo-likelihood colours run from p = 1 (green) to p = 1e-4 and below (red).
LOG_P_FLOOR = float(np.log(1e-4))
ACTION_COLORS = {"mask": "#ffd27f", "random": "#f4a3a3", "keep": "#b9e4b0"}


def tokens_html(tokens: list[str], masked: list[int]) -> str:
    """The input as the model saw it, masked positions highlighted."""
    chips = [token_chip(t, MASK_COLOR if i in masked else "#f3f3f3", f"position {i}") for i, t in enumerate(tokens)]
    return f'<div class="mlm-input" style="line-height:2.2">{"".join(chips)}</div>'


def predictions_figure(mask: MaskPrediction, title: str = "") -> go.Figure:
    """Horizontal bars of the top-k probabilities at one mask, best on top; the original word in orange."""
    preds = mask.predictions[::-1]
    colors = [ORIGINAL_COLOR if p.token == mask.original else PREDICTION_COLOR for p in preds]
    fig = go.Figure(go.Bar(
        x=[p.score for p in preds], y=[f"{html.escape(p.token)} " for p in preds], orientation="h", marker_color=colors,
        text=[percent(p.score) for p in preds], textposition="auto",
        hovertemplate="%{y}: %{x:.2%}<extra></extra>",
    ))
    fig.update_layout(title=title or f"position {mask.position}", xaxis_title="probability", xaxis_tickformat=".1%",
                      height=90 + 26 * len(preds), margin=dict(l=10, r=10, t=40, b=40))
    return fig


def logit_lens_figure(lens: LogitLens) -> go.Figure:
    """Heatmap layers × tokens: how probable each candidate is after every encoder layer."""
    labels = [html.escape(c.token) for c in lens.columns]  # plotly reads HTML tags in labels
    fig = go.Figure(go.Heatmap(
        z=lens.probs, x=labels, y=lens.layers, colorscale="Blues", zmin=0, colorbar=dict(title="p", tickformat=".1%"),
        text=np.vectorize(lambda p: f"{p:.0%}" if p >= 0.005 else "")(lens.probs), texttemplate="%{text}",
        hovertemplate="%{y} · %{x}: %{z:.2%}<extra></extra>",
    ))
    fig.update_layout(
        title=f"MLM head applied after every layer at position {lens.position}",
        xaxis_title="candidate token (last layer's top-k, earlier layers' favourites, the masked word)",
        yaxis_title="depth", yaxis_autorange="reversed", height=140 + 34 * len(lens.layers),
        margin=dict(l=10, r=10, t=50, b=60),
    )
    return fig


def original_rank_figure(lens: LogitLens) -> go.Figure:
    """Rank of the masked word after every layer (1 = the model's top guess), on a log axis."""
    fig = go.Figure(go.Scatter(x=lens.layers, y=lens.original_ranks, mode="lines+markers+text",
                               text=[str(r) for r in lens.original_ranks], textposition="top center",
                               line_color=ORIGINAL_COLOR))
    fig.update_layout(title=f"rank of the masked word «{html.escape(lens.original)}» by depth", yaxis_type="log",
                      yaxis_autorange="reversed", yaxis_title="rank (1 = top)", height=320,
                      margin=dict(l=10, r=10, t=50, b=40))
    return fig


def _score_color(log_prob: float) -> str:
    """Green for a token the model expected (p near 1), through yellow, to red at p <= 1e-4."""
    share = min(1.0, log_prob / LOG_P_FLOOR)  # 0 = certain, 1 = at or below the floor
    return f"hsl({int(120 * (1 - share))}, 75%, 80%)"


def pseudo_likelihood_html(score: SentenceScore) -> str:
    """Every token coloured by log P(token | rest); the tooltip gives the probability."""
    by_position = dict(zip(score.positions, score.log_probs))
    chips = []
    for i, token in enumerate(score.tokens):
        if i not in by_position:
            chips.append(token_chip(token, SPECIAL_COLOR, "not scored"))
            continue
        lp = float(by_position[i])
        chips.append(token_chip(token, _score_color(lp), f"log p = {lp:.2f} · p = {np.exp(lp):.2%}"))
    return f'<div class="mlm-pll" style="line-height:2.2">{"".join(chips)}</div>'


def masking_draw_html(draw: MaskingDraw) -> str:
    """The corrupted input the model saw; chosen positions coloured by what the rule did to them."""
    chosen = {c.position: c for c in draw.chosen}
    chips = []
    for i, shown in enumerate(draw.shown_tokens):
        c = chosen.get(i)
        if c is None:
            chips.append(token_chip(shown, "#f3f3f3", "not chosen"))
        else:
            tip = f"{c.action}: was {c.original!r}; model's top guess {c.predictions[0].token!r}"
            chips.append(token_chip(shown, ACTION_COLORS[c.action], tip))
    return f'<div class="mlm-draw" style="line-height:2.2">{"".join(chips)}</div>'


def masking_accuracy_figure(accuracy: MaskingAccuracy) -> go.Figure:
    """Top-1 accuracy per action over many draws, with how often each action happened."""
    actions = [a for a in ("mask", "random", "keep") if a in accuracy.by_action]
    fig = go.Figure(go.Bar(
        x=[f"{a} (n={accuracy.counts[a]})" for a in actions], y=[accuracy.by_action[a] for a in actions],
        marker_color=[ACTION_COLORS[a] for a in actions], text=[f"{accuracy.by_action[a]:.0%}" for a in actions],
        textposition="auto",
    ))
    fig.update_layout(title=f"top-1 accuracy over {accuracy.draws} draws: {accuracy.accuracy:.0%} overall",
                      yaxis_tickformat=".0%", yaxis_range=[0, 1], height=320, margin=dict(l=10, r=10, t=50, b=40))
    return fig
