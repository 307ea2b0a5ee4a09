"""Figures and highlighted-text HTML for the four ways to use BERT (note section 4).

Builders take a result from core/tasks/classify.py or core/tasks/qa.py and return a plotly figure or an HTML
string; they never run the model. Every piece of user text (label names included: plotly reads a few HTML tags,
links among them, in labels) is HTML-escaped before it is drawn.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from core.model.layers import layer_axis
from core.render import percent
from core.tasks.classify import Classification, Saliency, TokenClassification
from core.tasks.qa import QAResult, Window

START_COLOR, END_COLOR = "#1f77b4", "#d62728"
ANSWER_COLORS = ("#ffd54f", "#ffe9a8", "#fff4d1")  # best answer first, then the runners-up
ENTITY_PALETTE = ("#a5d6a7", "#90caf9", "#ffcc80", "#ce93d8", "#f48fb1", "#80deea", "#e6ee9c")


def probability_bars(result: Classification) -> go.Figure:
    """Class probabilities as horizontal bars, the predicted class highlighted."""
    colors = ["#1f77b4" if i == result.predicted else "#9ecae1" for i in range(len(result.labels))]
    fig = go.Figure(go.Bar(
        x=result.probabilities, y=[html.escape(label) for label in result.labels], orientation="h", marker_color=colors,
        text=[percent(p) for p in result.probabilities], textposition="auto",
    ))
    fig.update_layout(title="P(class), read off the [CLS] vector", xaxis=dict(range=[0, 1], title="probability"),
                      yaxis=dict(autorange="reversed"), height=120 + 40 * len(result.labels), margin=dict(l=10, r=10, t=40, b=40))
    return fig


def cls_path_figure(result: Classification) -> go.Figure:
    """The [CLS] vector layer by layer: the real head's class probabilities on it, and its similarity to the final vector."""
    layers = list(range(len(result.cls_norms)))
    fig = go.Figure()
    if result.layer_probabilities is not None:
        for i, label in enumerate(result.labels):
            fig.add_trace(go.Scatter(x=layers, y=result.layer_probabilities[:, i], mode="lines+markers",
                                     name=f"P({html.escape(label)})"))
    fig.add_trace(go.Scatter(x=layers, y=result.cls_similarity_to_final, mode="lines", name="cosine to final [CLS]",
                             line=dict(dash="dot", color="gray")))
    # A short title: in compare mode the chart is half the page wide, and plotly does not wrap titles.
    fig.update_layout(title="[CLS] through the layers", xaxis=layer_axis(len(layers) - 1),
                      yaxis=dict(title="probability / cosine"), height=360, margin=dict(l=10, r=10, t=40, b=40),
                      legend=dict(orientation="h", yanchor="top", y=-0.25, x=0))
    return fig


def qa_logits_figure(result: QAResult, window_index: int | None = None) -> go.Figure:
    """Start and end logits over the passage tokens of one window, the best answer's span shaded."""
    index = result.best_window if window_index is None else window_index
    window = result.windows[index or 0]
    positions = window.passage_positions
    labels = [f"{p}:{window.tokens[p]}" for p in positions]  # unique x labels even for repeated tokens
    fig = go.Figure([
        go.Scatter(x=labels, y=window.start_logits[positions], mode="lines+markers", name="start logit", line_color=START_COLOR),
        go.Scatter(x=labels, y=window.end_logits[positions], mode="lines+markers", name="end logit", line_color=END_COLOR),
    ])
    # The two [CLS] levels are often close: their labels go to opposite ends so they never overlap.
    fig.add_hline(y=float(window.start_logits[0]), line=dict(dash="dot", color=START_COLOR), annotation_text="[CLS] start",
                  annotation_position="top left", annotation_font_color=START_COLOR)
    fig.add_hline(y=float(window.end_logits[0]), line=dict(dash="dot", color=END_COLOR), annotation_text="[CLS] end",
                  annotation_position="bottom right", annotation_font_color=END_COLOR)
    for answer in (a for a in result.answers[:1] if a.window == window.index):
        fig.add_vrect(x0=positions.index(answer.token_start) - 0.5, x1=positions.index(answer.token_end) + 0.5,
                      fillcolor=ANSWER_COLORS[0], opacity=0.35, line_width=0, annotation_text="best answer")
    fig.update_layout(title=f"Start / end logits over the passage tokens (window {window.index + 1} of {len(result.windows)})",
                      xaxis=dict(title="passage token", tickangle=-60), yaxis_title="logit", height=380,
                      margin=dict(l=10, r=10, t=70, b=110), legend=dict(orientation="h", y=1.02, yanchor="bottom"))
    return fig


def _span(text: str, style: str = "", title: str = "") -> str:
    body = html.escape(text).replace("\n", "<br>")
    if not style:
        return body
    return f'<span style="{style}" title="{html.escape(title, quote=True)}">{body}</span>'


def answers_html(result: QAResult) -> str:
    """The passage with the top answers highlighted (darkest = best); escaped."""
    rank = np.full(len(result.passage), -1)
    for r, answer in reversed(list(enumerate(result.answers))):
        rank[answer.start:answer.end] = r  # better answers overwrite worse ones where they overlap
    parts, start = [], 0
    for i in range(1, len(result.passage) + 1):
        if i == len(result.passage) or rank[i] != rank[start]:
            r = int(rank[start])
            style = f"background:{ANSWER_COLORS[min(r, len(ANSWER_COLORS) - 1)]};border-radius:3px" if r >= 0 else ""
            title = f"answer {r + 1}: score {result.answers[r].score:.3f}" if r >= 0 else ""
            parts.append(_span(result.passage[start:i], style, title))
            start = i
    return f'<div class="qa-passage" style="line-height:1.8">{"".join(parts)}</div>'


def window_html(result: QAResult, window: Window) -> str:
    """Which characters of the passage a window covers (the rest greyed out); escaped."""
    a, b = window.char_range
    grey = "color:#aaa"
    return (f'<div class="qa-window" style="line-height:1.6">{_span(result.passage[:a], grey, "outside this window")}'
            f'{_span(result.passage[a:b])}{_span(result.passage[b:], grey, "outside this window")}</div>')


def saliency_html(result: Saliency) -> str:
    """Tokens shaded by their contribution: green pushed toward the explained class, red away; escaped."""
    scale = float(np.abs(result.scores).max()) or 1.0
    chips = []
    for token, score in zip(result.tokens, result.scores):
        alpha = min(1.0, abs(float(score)) / scale)
        rgb = "46,160,67" if score >= 0 else "214,39,40"
        style = f"background:rgba({rgb},{alpha:.2f});border-radius:4px;padding:2px 5px;margin:2px;display:inline-block;font-family:monospace"
        chips.append(_span(token, style, f"{score:+.4f}"))
    return f'<div class="saliency" style="line-height:2.2">{"".join(chips)}</div>'


def entity_colors(labels: list[str]) -> dict[str, str]:
    """One colour per entity type (B-LOC and I-LOC share LOC's colour)."""
    kinds = dict.fromkeys(lbl.split("-", 1)[-1] for lbl in labels if lbl.upper() != "O")
    return {kind: ENTITY_PALETTE[i % len(ENTITY_PALETTE)] for i, kind in enumerate(kinds)}


def entities_html(result: TokenClassification) -> str:
    """The sentence with each merged entity highlighted and labelled; escaped."""
    colors = entity_colors(result.labels)
    parts, cursor = [], 0
    for entity in result.entities:
        parts.append(_span(result.text[cursor:entity.start]))
        badge = f'<sup style="font-size:0.7em;font-weight:bold">{html.escape(entity.label)}</sup>'
        style = f"background:{colors.get(entity.label, '#eeeeee')};border-radius:4px;padding:1px 4px"
        parts.append(f'<span class="entity" style="{style}" title="score {entity.score:.3f}">'
                     f"{html.escape(entity.text)} {badge}</span>")
        cursor = entity.end
    parts.append(_span(result.text[cursor:]))
    return f'<div class="entities" style="line-height:2.2">{"".join(parts)}</div>'
