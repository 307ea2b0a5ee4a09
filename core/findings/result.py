"""What every finding card is made of: the paper it reproduces, the paper's claim and figure, the verdict of the
measurement here, and a table of the measured numbers for CSV export. Every text a person reads is a Text in
English and Simplified Chinese, filled from the same numbers; the CSV's column names stay English."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from core.lib.i18n import Text
from core.model.layers import layer_label
from core.render import spreadsheet_safe

# on_progress(done, total): called as a card computes, for a progress bar; None when nobody listens.
OnProgress = Callable[[int, int], None] | None


@dataclass(frozen=True)
class Paper:
    authors: str
    year: int
    title: str
    venue: str

    def citation(self) -> str:
        return f"{self.authors} ({self.year}), “{self.title}”, {self.venue}"


@dataclass(frozen=True)
class Card:
    """The static side of a card: what is reproduced and what the paper reported."""

    key: str  # the card's name in the CLI and the page (clark, ethayarajh, michel, lama, head_stats)
    name: Text  # a short label for the page's card chooser
    title: Text
    paper: Paper  # cited as published, in either language
    claim: Text  # what the paper found, in words
    figure: Text  # the paper's own number or figure the measurement is set against


@dataclass(frozen=True)
class Verdict:
    reproduced: bool
    text: Text  # one line, starting "reproduced" or "differs" (已复现 / 有差异), saying how

    @classmethod
    def of(cls, reproduced: bool, how: Text) -> Verdict:
        return cls(reproduced, (REPRODUCED if reproduced else DIFFERS).format(how=how))


REPRODUCED = Text("reproduced: {how}", "已复现：{how}")
DIFFERS = Text("differs: {how}", "有差异：{how}")


@dataclass(frozen=True)
class Table:
    """The measured numbers in rows, as the CSV export writes them."""

    columns: tuple[str, ...]  # (columns,)
    rows: list[tuple]  # (rows, columns) strings and numbers


def table_csv(table: Table) -> str:
    """A result's table as CSV text; text cells are made safe for spreadsheets (never run as formulas)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([spreadsheet_safe(cell) if isinstance(cell, str) else _number(cell) for cell in row])
    return buffer.getvalue()


def _number(value) -> str:
    if value is None:
        return ""
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def halves(num_layers: int) -> tuple[list[int], list[int]]:
    """Encoder layers 1 … N split into the lower and the upper half (the lower takes the smaller half)."""
    cut = num_layers // 2 if num_layers > 1 else 1
    return list(range(1, cut + 1)), list(range(cut + 1, num_layers + 1)) or [num_layers]


def middle_layers(num_layers: int) -> list[int]:
    """Clark et al.'s layers 6–10 of BERT-base's 12, scaled to N layers: 12 -> 6 … 10, 6 -> 3 … 5, 2 -> 1 … 2."""
    first, last = max(1, round(num_layers * 6 / 12)), max(1, round(num_layers * 10 / 12))
    return list(range(first, last + 1))


def layer_name(hidden_index: int) -> Text:
    """A layer's name in both languages (core/model/layers.py's in English): 0 -> embeddings, k -> layer k."""
    return Text(layer_label(hidden_index), "嵌入层" if hidden_index == 0 else f"第 {hidden_index} 层")


def layer_span(layers: list[int]) -> Text:
    """Consecutive layer numbers in words: [3] -> 'layer 3', [3, 4, 5] -> 'layers 3–5' (第 3–5 层)."""
    if len(layers) == 1:
        return layer_name(layers[0])
    return Text(f"layers {layers[0]}–{layers[-1]}", f"第 {layers[0]}–{layers[-1]} 层")
