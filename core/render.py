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
