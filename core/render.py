"""HTML snippets for tokens (every token is escaped before it goes into HTML), and user strings as literal Markdown
and as CSV cells no spreadsheet runs as formulas."""

from __future__ import annotations

import html
import re

from core.model.inputs import EncodedInput

# Background colours: special tokens, sentence A, sentence B.
SPECIAL_COLOR = "#e0e0e0"
SENTENCE_COLORS = ("#cfe3ff", "#ffe2c6")
# Every ASCII punctuation character: CommonMark lets each be backslash-escaped to stand for itself.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def percent(p: float) -> str:
    """A probability for people: '12.3%', and tiny ones in scientific notation ('3.2e-05'), never a false '0.0%'."""
    return f"{p:.1%}" if p >= 0.0005 or p == 0 else f"{p:.1e}"


def markdown_literal(text: str) -> str:
    """A user's string (a model name, a label) as Markdown that shows exactly those characters: no link, image,
    emphasis, colour directive or HTML can come out of it."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…), @SUM(…), +cmd|…).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A user's text as a CSV cell a spreadsheet shows as text and never runs as a formula (OWASP: a leading '
    before = + - @ tab CR); numbers such as -0.5 and a lone + or - stay as they are."""
    if not text.startswith(_FORMULA_START) or text in ("+", "-") or _is_number(text):
        return text
    return "'" + text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def token_chip(text: str, color: str, title: str = "") -> str:
    """One token as a coloured chip; text and tooltip are HTML-escaped."""
    return (
        f'<span class="tok" title="{html.escape(title, quote=True)}" style="background:{color};'
        'border-radius:4px;padding:2px 5px;margin:2px;display:inline-block;font-family:monospace">'
        f"{html.escape(text)}</span>"
    )


def token_color(encoded: EncodedInput, i: int) -> str:
    sentence = encoded.sentence_ids[i]
    return SPECIAL_COLOR if sentence is None else SENTENCE_COLORS[sentence]


def token_strip_html(encoded: EncodedInput) -> str:
    """[CLS] A [SEP] B [SEP] as chips coloured by sentence, with id and segment in each tooltip."""
    chips = [
        token_chip(tok, token_color(encoded, i), f"position {i} · id {tid} · segment {seg}")
        for i, (tok, tid, seg) in enumerate(zip(encoded.tokens, encoded.input_ids, encoded.token_type_ids))
    ]
    return f'<div class="token-strip" style="line-height:2.2">{"".join(chips)}</div>'


def encoder_diagram_html(num_layers: int, hidden: int, heads: int, intermediate: int, heads_out: list[str]) -> str:
    """Note section 1 drawn with the loaded model's sizes: embeddings → L × (attention → add & norm →
    feed-forward → add & norm) → contextual vectors → the real heads. Every label is escaped."""
    def box(title: str, detail: str, color: str) -> str:
        return (f'<div style="border:1px solid #888;border-radius:6px;background:{color};padding:6px 10px;'
                f'margin:2px auto;max-width:520px;text-align:center"><b>{html.escape(title)}</b><br>'
                f'<span style="font-size:0.85em">{html.escape(detail)}</span></div>')
    arrow = '<div style="text-align:center;line-height:1.1">↓</div>'
    block = arrow.join([
        box("Multi-head self-attention", f"{heads} heads × {hidden // max(1, heads)} dims = {hidden}", "#cfe3ff"),
        box("Add & LayerNorm", "residual: x + attention(x), then normalise", "#eeeeee"),
        box("Feed-forward", f"{hidden} → {intermediate} → {hidden}, GELU, at every position", "#ffe2c6"),
        box("Add & LayerNorm", "residual: x + feed-forward(x), then normalise", "#eeeeee"),
    ])
    stack = (f'<div style="border:2px dashed #555;border-radius:8px;padding:6px;margin:4px auto;max-width:560px">'
             f'<div style="text-align:right;font-size:0.85em">one encoder, stacked <b>× {num_layers}</b>: '
             f'layer 1 … layer {num_layers}</div>'
             f'{block}</div>')
    outputs = ", ".join(heads_out) or "none (encoder only)"
    return arrow.join([
        box("Input embeddings (“embeddings” in every view)",
            f"token + segment + position → LayerNorm: one {hidden}-vector per token", "#e0f2e0"),
        stack,
        box("Contextual embeddings", f"one {hidden}-vector per token; [CLS] feeds the sentence-level heads", "#e0f2e0"),
        box("Heads", outputs, "#f6e8ff"),
    ])
