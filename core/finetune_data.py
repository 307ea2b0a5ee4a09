"""Fine-tune data: read user files for the four BERT tasks (note section 4) and split off a validation set.

Columns per task (CSV, TSV or JSONL; the first row of a CSV/TSV names the columns):
- sentence: `text`, `label`                 — one sentence in, one class out
- pair:     `text_a`, `text_b`, `label`     — two sentences in, one class out (e.g. adjacent or not)
- token:    `tokens`, `tags`                — words and one tag per word, space-separated in CSV/TSV,
                                              lists in JSONL (e.g. NER: O B-LOC I-LOC)
- qa:       `question`, `context`, `answer` (+ optional `answer_start`, the answer's character offset;
            an empty answer means "no answer in this passage"), or a SQuAD-format JSON file.
Demo sets for offline use live in core/finetune_demo.py.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

TASKS = ("sentence", "token", "pair", "qa")
TASK_TITLES = {
    "sentence": "Sentence classification",
    "token": "Token classification",
    "pair": "Sentence-pair classification",
    "qa": "Extractive question answering",
}
COLUMNS = {
    "sentence": ("text", "label"),
    "pair": ("text_a", "text_b", "label"),
    "token": ("tokens", "tags"),
    "qa": ("question", "context", "answer"),
}
# Share of the examples held out for validation when the user gives no validation file.
VALIDATION_FRACTION = 0.1
# Fewer examples than this cannot make a training set and a validation set.
MIN_EXAMPLES = 4


@dataclass(frozen=True)
class TextExample:
    """Sentence or sentence-pair classification: text_b is None for single sentences."""

    text_a: str
    text_b: str | None
    label: str


@dataclass(frozen=True)
class TokenExample:
    """Token classification: one tag per whitespace-separated word."""

    words: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class QAExample:
    """Extractive QA: the answer is context[answer_start : answer_start + len(answer_text)]; -1 = no answer."""

    question: str
    context: str
    answer_text: str
    answer_start: int


Example = TextExample | TokenExample | QAExample


@dataclass(frozen=True)
class TaskData:
    """A task's training and validation examples and its label names (empty for QA)."""

    task: str
    train: list
    validation: list
    labels: tuple[str, ...]
    source: str  # where the examples came from, shown on the page and saved with the model


def check_task(task: str) -> str:
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
    return task


def read_rows(name: str, content: bytes) -> list[dict]:
    """Rows of a CSV, TSV or JSONL file as dicts (row numbers in messages count from 1 after the header)."""
    text = content.decode("utf-8-sig", errors="replace")
    suffix = Path(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(text)
    if suffix in (".csv", ".tsv", ".txt"):
        delimiter = "\t" if suffix == ".tsv" or (suffix == ".txt" and "\t" in text.split("\n", 1)[0]) else ","
        return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    raise ValueError(f"{name}: unsupported file type {suffix or '(none)'} — use .csv, .tsv, .jsonl or SQuAD .json")


def _read_jsonl(text: str) -> list[dict]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"line {number} is not valid JSON ({err.msg})") from err
        if not isinstance(row, dict):
            raise ValueError(f"line {number} must be a JSON object with named fields")
        rows.append(row)
    return rows


def _field(row: dict, column: str, number: int) -> str:
    value = row.get(column)
    if value is None:
        raise ValueError(f"row {number} has no value in column {column!r}")
    return value if isinstance(value, (list, str)) else str(value)


def _words(value, column: str, number: int) -> tuple[str, ...]:
    words = tuple(value) if isinstance(value, list) else tuple(str(value).split())
    if not words:
        raise ValueError(f"row {number}: column {column!r} is empty")
    return tuple(str(w) for w in words)


def parse_row(task: str, row: dict, number: int) -> Example:
    """One example from one row; ValueError naming the row and column when it is malformed."""
    if task in ("sentence", "pair"):
        text_a = _field(row, "text" if task == "sentence" else "text_a", number).strip()
        text_b = _field(row, "text_b", number).strip() if task == "pair" else None
        label = _field(row, "label", number).strip()
        if not text_a or (task == "pair" and not text_b) or not label:
            raise ValueError(f"row {number} has an empty text or label")
        return TextExample(text_a, text_b, label)
    if task == "token":
        words, tags = _words(row.get("tokens"), "tokens", number), _words(row.get("tags"), "tags", number)
        if len(words) != len(tags):
            raise ValueError(f"row {number} has {len(words)} tokens but {len(tags)} tags: give one tag per word")
        return TokenExample(words, tags)
    return _qa_example(row, number)


def _qa_example(row: dict, number: int) -> QAExample:
    question, context = _field(row, "question", number), _field(row, "context", number)
    answer = _field(row, "answer", number) if "answer" in row else ""
    start = row.get("answer_start")
    if not answer:
        return QAExample(question, context, "", -1)
    start = context.find(answer) if start in (None, "") else int(start)
    if start < 0 or context[start : start + len(answer)] != answer:
        raise ValueError(f"row {number}: the answer {answer[:40]!r} is not in the context at answer_start {start}")
    return QAExample(question, context, answer, start)


def parse_examples(task: str, rows: list[dict]) -> list[Example]:
    """Every row as an example; checks the columns first so the message names the missing one."""
    check_task(task)
    if not rows:
        raise ValueError("the file has no data rows")
    required = COLUMNS[task] if task != "qa" else ("question", "context")
    missing = [c for c in required if c not in rows[0]]
    if missing:
        raise ValueError(
            f"missing column {', '.join(repr(c) for c in missing)} for {TASK_TITLES[task].lower()}: "
            f"expected columns {', '.join(COLUMNS[task])}; found {', '.join(map(str, rows[0])) or 'none'}"
        )
    return [parse_row(task, row, number) for number, row in enumerate(rows, start=1)]


def parse_squad(content: bytes) -> list[QAExample]:
    """SQuAD-format JSON ({"data": [{"paragraphs": [{"context", "qas": [...]}]}]}), v1 or v2."""
    try:
        data = json.loads(content.decode("utf-8-sig"))["data"]
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ValueError("not a SQuAD-format JSON file: expected {\"data\": [{\"paragraphs\": [...]}]}") from err
    examples = []
    for article in data:
        for paragraph in article.get("paragraphs", []):
            for qa in paragraph.get("qas", []):
                answers = [] if qa.get("is_impossible") else qa.get("answers", [])
                row = {"question": qa.get("question", ""), "context": paragraph.get("context", "")}
                if answers:
                    row |= {"answer": answers[0]["text"], "answer_start": answers[0]["answer_start"]}
                examples.append(_qa_example(row, len(examples) + 1))
    if not examples:
        raise ValueError("the SQuAD file holds no questions")
    return examples


def load_examples(task: str, name: str, content: bytes) -> list[Example]:
    """Examples of a task from an uploaded file's name and bytes."""
    check_task(task)
    if Path(name).suffix.lower() == ".json":
        if task != "qa":
            raise ValueError("a .json file is read as SQuAD (question answering); use CSV, TSV or JSONL for this task")
        return parse_squad(content)
    try:
        return parse_examples(task, read_rows(name, content))
    except ValueError as err:
        raise ValueError(f"{Path(name).name}: {err}") from err


def split_validation(examples: list, fraction: float = VALIDATION_FRACTION, seed: int = 0) -> tuple[list, list]:
    """A reproducible shuffle, then the last `fraction` (at least one example) as the validation set."""
    if len(examples) < MIN_EXAMPLES:
        raise ValueError(f"only {len(examples)} examples: give at least {MIN_EXAMPLES} to train and validate")
    shuffled = list(examples)
    random.Random(seed).shuffle(shuffled)
    held_out = max(1, round(len(shuffled) * fraction))
    return shuffled[:-held_out], shuffled[-held_out:]


def label_names(task: str, examples: list) -> tuple[str, ...]:
    """Sorted class names (tags for token classification); empty for QA."""
    if task == "qa":
        return ()
    if task == "token":
        return tuple(sorted({tag for e in examples for tag in e.tags}))
    return tuple(sorted({e.label for e in examples}))


def make_task_data(task: str, train: list, validation: list | None, source: str, seed: int = 0) -> TaskData:
    """Training + validation examples (split automatically when no validation set is given) and labels."""
    if validation is None:
        train, validation = split_validation(train, seed=seed)
    labels = label_names(task, train + validation)
    if task != "qa" and len(labels) < 2:
        raise ValueError(f"every example has the label {labels[0] if labels else '?'}: a classifier needs two or more")
    return TaskData(task, train, validation, labels, source)
