"""Fine-tune data: read user files for the four BERT tasks (note section 4) and split off a validation set.

Columns per task (CSV, TSV or JSONL; the first row of a CSV/TSV names the columns):
- sentence: `text`, `label`                 — one sentence in, one class out
- pair:     `text_a`, `text_b`, `label`     — two sentences in, one class out (e.g. adjacent or not)
- token:    `tokens`, `tags`                — words and one tag per word, space-separated in CSV/TSV,
                                              lists in JSONL (e.g. NER: O B-LOC I-LOC)
- qa:       `question`, `context`, `answer` (+ optional `answer_start`, the answer's character offset;
            an empty answer means "no answer in this passage"), or a SQuAD-format JSON file.
Demo sets for offline use live in core/finetune/demo.py.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core import config
from core.lib import uploads
from core.tasks.heads import TASKS, check_task  # noqa: F401  (the four tasks, named once)

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
# File types read as data (.txt is CSV, or TSV when its first line holds a tab; .json is SQuAD).
FILE_TYPES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json")
# The shape of a SQuAD file, for messages about one that is not.
SQUAD_SHAPE = ('{"data": [{"paragraphs": [{"context": …, "qas": [{"question": …, '
               '"answers": [{"text": …, "answer_start": …}]}]}]}]}')
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


def read_rows(name: str, text: str) -> list[dict]:
    """Rows of a CSV, TSV or JSONL file's text as dicts (row numbers in messages count from 1 after the header)."""
    suffix = Path(name).suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return _read_jsonl(text)
    if suffix in (".csv", ".tsv", ".txt"):
        delimiter = "\t" if suffix == ".tsv" or (suffix == ".txt" and "\t" in text.split("\n", 1)[0]) else ","
        return _read_table(text, delimiter)
    raise ValueError(f"{name}: unsupported file type {suffix or '(none)'} — use .csv, .tsv, .jsonl or SQuAD .json")


def _read_table(text: str, delimiter: str) -> list[dict]:
    """CSV/TSV rows under the header's names; a row with more or fewer fields than the header is refused
    (an unquoted comma inside a text would otherwise shift the label silently)."""
    kind, separator = ("TSV", "a tab") if delimiter == "\t" else ("CSV", "a comma")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        table = [row for row in reader if row]
    except csv.Error as err:  # e.g. an unclosed quote swallowing the rest of the file
        raise ValueError(f"line {reader.line_num} is not valid {kind} ({err}) — check for an unclosed quote") from None
    if not table:
        return []
    header, rows = table[0], table[1:]
    for number, row in enumerate(rows, start=1):
        if len(row) != len(header):
            fields = f"{len(row)} field{'s' * (len(row) != 1)}"
            raise ValueError(f"row {number} has {fields} but the header names {len(header)} ({', '.join(header)}) — "
                             f"put a text that contains {separator} in double quotes")
    return [dict(zip(header, row)) for row in rows]


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
    start = context.find(answer) if start in (None, "") else _offset(start, number)
    if start < 0 or context[start : start + len(answer)] != answer:
        raise ValueError(f"row {number}: the answer {answer[:40]!r} is not in the context at answer_start {start}")
    return QAExample(question, context, answer, start)


def _offset(value, number: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"row {number}: answer_start {value!r} is not a character offset (a whole number)") from None


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


def parse_squad(text: str) -> list[QAExample]:
    """SQuAD-format JSON ({"data": [{"paragraphs": [{"context", "qas": [...]}]}]}), v1 or v2."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON (line {err.lineno}: {err.msg}); a SQuAD file looks like {SQUAD_SHAPE}") from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise ValueError(f"not a SQuAD-format JSON file: expected {SQUAD_SHAPE}")
    examples = [_qa_example(row, number) for number, row in enumerate(_squad_rows(data["data"]), start=1)]
    if not examples:
        raise ValueError("the SQuAD file holds no questions")
    return examples


def _squad_rows(articles: list) -> Iterator[dict]:
    """One row (question, context, answer, answer_start) per SQuAD question, in file order."""
    for article in articles:
        for paragraph in _squad_list(article, "paragraphs"):
            for qa in _squad_list(paragraph, "qas"):
                row = {"question": qa.get("question"), "context": paragraph.get("context")}
                answers = [] if qa.get("is_impossible") else _squad_list(qa, "answers")
                if answers:
                    row |= {"answer": answers[0].get("text"), "answer_start": answers[0].get("answer_start")}
                yield row


def _squad_list(parent, key: str) -> list[dict]:
    """parent[key] as a list of objects, or a ValueError saying which level of the SQuAD shape is wrong."""
    items = parent.get(key, []) if isinstance(parent, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValueError(f"not a SQuAD-format JSON file: {key!r} must be a list of objects inside an object; "
                         f"expected {SQUAD_SHAPE}")
    return items


def load_examples(task: str, name: str, content: bytes) -> list[Example]:
    """Examples of a task from a file's name and bytes; every message names the file."""
    check_task(task)
    filename, suffix = Path(name).name, Path(name).suffix.lower()
    if suffix not in FILE_TYPES:
        raise ValueError(f"{filename}: unsupported file type {suffix or '(none)'} — use .csv, .tsv, .jsonl or SQuAD .json")
    if suffix == ".json" and task != "qa":
        raise ValueError(f"{filename}: a .json file is read as SQuAD (question answering); use CSV, TSV or JSONL "
                         "for this task")
    text = uploads.decode_text(filename, content)
    try:
        return parse_squad(text) if suffix == ".json" else parse_examples(task, read_rows(name, text))
    except ValueError as err:
        raise ValueError(f"{filename}: {err}") from err


def load_upload(task: str, name: str, content: bytes) -> list[Example]:
    """Examples from a file uploaded in the app, within the page's size limit (the CLI reads any size)."""
    uploads.check_size(Path(name).name, len(content), config.FINETUNE_UPLOAD_MAX_MB,
                       "train on a sample of it here, or on the whole file with `python -m core finetune --data FILE`")
    return load_examples(task, name, content)


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
