"""Batch NSP scoring: a file of sentence pairs (TSV, CSV or JSONL, labels optional) scored in one go.

Note section 4, use 3: two sentences in, "adjacent or not" out — here for many pairs at once, with the
accuracy at 0.5 when the file says which pairs really are adjacent.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core import config
from core.lib import uploads
from core.lib.numerics import roc_auc, softmax
from core.model.loading import LoadedModel
from core.nsp import scoring as nsp
from core.render import spreadsheet_safe

# Header names accepted for the two sentences and the optional label column.
A_NAMES = ("a", "text_a", "sentence_a", "sentence1", "first")
B_NAMES = ("b", "text_b", "sentence_b", "sentence2", "second")
LABEL_NAMES = ("is_next", "label", "adjacent")
# Label spellings. The label says whether B follows A: 1 = yes. (HF's next_sentence_label is the opposite:
# 0 = IsNext — a file written for training must be flipped first; the error below says so.)
TRUE_LABELS = ("1", "true", "yes", "isnext", "is_next", "next", "adjacent")
FALSE_LABELS = ("0", "false", "no", "notnext", "not_next", "random", "not adjacent")


@dataclass(frozen=True)
class LabeledPair:
    """One line of a pairs file."""

    text_a: str
    text_b: str
    is_next: bool | None  # the file's label (B follows A), None when the file has none


def _label(value: str, line: int) -> bool | None:
    word = (value or "").strip().lower()
    if not word:
        return None
    if word in TRUE_LABELS:
        return True
    if word in FALSE_LABELS:
        return False
    raise ValueError(f"line {line}: label {value!r} is not one of 1/0, true/false, IsNext/NotNext (1 = B follows A)")


def _from_row(row: list[str], line: int) -> LabeledPair:
    if len(row) < 2:
        raise ValueError(f"line {line}: expected sentence A and sentence B separated by a tab or comma")
    return LabeledPair(row[0].strip(), row[1].strip(), _label(row[2] if len(row) > 2 else "", line))


def _is_header(row: list[str]) -> bool:
    return len(row) >= 2 and row[0].strip().lower() in A_NAMES and row[1].strip().lower() in B_NAMES


def _parse_jsonl(lines: list[str]) -> list[LabeledPair]:
    pairs = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"line {number}: not a JSON object ({err.msg})") from err
        if not isinstance(item, dict) or "a" not in item or "b" not in item:
            raise ValueError(f'line {number}: expected {{"a": "…", "b": "…"}} (optionally "is_next": 1/0)')
        label = next((item[k] for k in LABEL_NAMES if k in item), "")
        pairs.append(LabeledPair(str(item["a"]).strip(), str(item["b"]).strip(), _label(str(label), number)))
    return pairs


def _read_rows(lines: list[str], delimiter: str) -> list[list[str]]:
    """The non-blank rows of a TSV/CSV text; a malformed one (e.g. an unclosed quote) is named, not raised raw."""
    kind = "TSV" if delimiter == "\t" else "CSV"
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    try:
        return [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as err:
        raise ValueError(f"line {reader.line_num}: not valid {kind} ({err}) — "
                         "check for an unclosed quote") from None


def parse_pairs(text: str, max_pairs: int | None = None) -> list[LabeledPair]:
    """Pairs from TSV (A<TAB>B[<TAB>label]), CSV (a,b[,is_next]) or JSONL ({"a", "b", "is_next"?}); header optional."""
    lines = (text or "").lstrip("\ufeff").splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise ValueError("the file is empty — one pair per line: sentence A, a tab, sentence B")
    if first.lstrip().startswith("{"):
        pairs = _parse_jsonl(lines)
    else:
        rows = _read_rows(lines, "\t" if "\t" in first else ",")
        start = 1 if _is_header(rows[0]) else 0
        pairs = [_from_row(row, number) for number, row in enumerate(rows[start:], start + 1)]
    for number, pair in enumerate(pairs, 1):
        if not pair.text_a or not pair.text_b:
            raise ValueError(f"pair {number}: sentence {'A' if not pair.text_a else 'B'} is empty")
    if not pairs:
        raise ValueError("the file has a header but no pairs")
    if max_pairs is not None and len(pairs) > max_pairs:
        raise ValueError(f"the file holds {len(pairs):,} pairs; this page scores up to {max_pairs:,} at once — split "
                         "it into smaller files, or score it all with `python -m core nsp --batch FILE`")
    return pairs


def read_upload(name: str, content: bytes) -> list[LabeledPair]:
    """The pairs of a file uploaded in the app: within the page's size and pair limits; messages name the file."""
    uploads.check_size(name, len(content), config.NSP_BATCH_UPLOAD_MAX_MB,
                       "split it into smaller files, or score it all with `python -m core nsp --batch FILE`")
    text = uploads.decode_text(name, content)
    try:
        return parse_pairs(text, config.NSP_BATCH_MAX_PAIRS)
    except ValueError as err:
        raise ValueError(f"{name}: {err}") from err


@dataclass(frozen=True)
class BatchResult:
    """A scored pairs file."""

    pairs: list[LabeledPair]
    scores: nsp.BatchScores
    agreement: nsp.Agreement | None = None  # how close bf16 came to fp32 on a sample (None: fp32)

    @property
    def accuracy(self) -> float | None:
        """Share of labelled pairs decided right at THRESHOLD; None when no pair has a label."""
        labelled = [(p, s) for p, s in zip(self.pairs, self.scores.is_next) if p.is_next is not None]
        if not labelled:
            return None
        return float(np.mean([(s >= nsp.THRESHOLD) == p.is_next for p, s in labelled]))

    @property
    def auc(self) -> float | None:
        """ROC AUC of P(IsNext), labelled positives vs labelled negatives; None without both kinds of label."""
        labels = [p.is_next for p in self.pairs]
        scores = self.scores.is_next
        positives = np.array([s for s, label in zip(scores, labels) if label is True])
        negatives = np.array([s for s, label in zip(scores, labels) if label is False])
        return roc_auc(positives, negatives) if len(positives) and len(negatives) else None

    def rows(self) -> list[dict]:
        """One dict per pair: the stable CLI shape (model, is_next, not_next, logits) plus the texts and label."""
        probs = softmax(self.scores.logits) if len(self.pairs) else np.zeros((0, 2))
        return [
            {"model": self.scores.model_name, "head": self.scores.head.kind, "a": p.text_a, "b": p.text_b,
             "is_next": float(probs[i, 0]), "not_next": float(probs[i, 1]),
             "logits": [float(x) for x in self.scores.logits[i]], "label": p.is_next,
             "truncated": bool(self.scores.truncated[i])}
            for i, p in enumerate(self.pairs)
        ]


def score_file(
    loaded: LoadedModel, text: str, on_progress: Callable[[int, int], None] | None = None,
    max_pairs: int | None = None, precision: str = "fp32",
) -> BatchResult:
    """Parse a pairs file (of at most max_pairs pairs) and score every pair with the model's real pair head."""
    return score_labeled_pairs(loaded, parse_pairs(text, max_pairs), on_progress, precision)


def score_labeled_pairs(
    loaded: LoadedModel, pairs: list[LabeledPair], on_progress: Callable[[int, int], None] | None = None,
    precision: str = "fp32",
) -> BatchResult:
    """Score parsed pairs with the model's real pair head (batched, cached); on_progress(done, total) per batch."""
    texts = [(p.text_a, p.text_b) for p in pairs]
    scores = nsp.score_pairs(loaded, texts, on_progress=on_progress, precision=precision)
    return BatchResult(pairs, scores, nsp.agreement(loaded, scores, texts))


def to_csv(result: BatchResult) -> str:
    """The scored pairs as CSV for download: a, b, label, is_next, not_next, logit_0, logit_1, truncated."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["a", "b", "label", "is_next", "not_next", "logit_0_isnext", "logit_1_notnext", "truncated"])
    for row in result.rows():
        label = "" if row["label"] is None else int(row["label"])
        writer.writerow([spreadsheet_safe(row["a"]), spreadsheet_safe(row["b"]), label, f"{row['is_next']:.6f}", f"{row['not_next']:.6f}",
                         f"{row['logits'][0]:.6f}", f"{row['logits'][1]:.6f}", int(row["truncated"])])
    return out.getvalue()
