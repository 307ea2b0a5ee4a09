"""What every finding card is made of: the paper it reproduces, the paper's claim and figure, the verdict of the
measurement here, and a table of the measured numbers for CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from core.render import spreadsheet_safe

# on_progress(done, total): called as a card computes, for a progress bar; None when nobody listens.
Progress = Callable[[int, int], None] | None


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
    name: str  # a short label for the page's card chooser
    title: str
    paper: Paper
    claim: str  # what the paper found, in words
    figure: str  # the paper's own number or figure the measurement is set against


@dataclass(frozen=True)
class Verdict:
    reproduced: bool
    text: str  # one line, starting "reproduced" or "differs", saying how

    @classmethod
    def of(cls, reproduced: bool, how: str) -> Verdict:
        return cls(reproduced, f"{'reproduced' if reproduced else 'differs'}: {how}")


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


def percent(value: float) -> str:
    """A share for the verdict lines: 0.534 -> '53.4 %'."""
    return f"{100 * value:.1f} %"


def halves(num_layers: int) -> tuple[list[int], list[int]]:
    """Encoder layers 1 … N split into the lower and the upper half (the lower takes the smaller half)."""
    cut = num_layers // 2 if num_layers > 1 else 1
    return list(range(1, cut + 1)), list(range(cut + 1, num_layers + 1)) or [num_layers]


def middle_layers(num_layers: int) -> list[int]:
    """Clark et al.'s layers 6–10 of BERT-base's 12, scaled to N layers: 12 -> 6 … 10, 6 -> 3 … 5, 2 -> 1 … 2."""
    first, last = max(1, round(num_layers * 6 / 12)), max(1, round(num_layers * 10 / 12))
    return list(range(first, last + 1))


def layer_span(layers: list[int]) -> str:
    """Consecutive layer numbers in words: [3] -> 'layer 3', [3, 4, 5] -> 'layers 3–5'."""
    return f"layer {layers[0]}" if len(layers) == 1 else f"layers {layers[0]}–{layers[-1]}"
