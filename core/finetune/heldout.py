"""Held-out scores of a task model, read through the same inference code the Four ways page shows.

The sets in bench/data were written by hand, before any training, in plain everyday English, and no build
trains on them (issue 17's bars: sentiment accuracy ≥ 90 %, NER entity F1 ≥ 80 % for PER/LOC/ORG, QA exact
match ≥ 60 % and F1 ≥ 75 %):
- sentiment_heldout.tsv: `text`, `label` (positive / negative);
- ner_heldout.jsonl: {"tokens": [...], "tags": [...]} with CoNLL BIO tags, punctuation as tokens of its own;
- qa_heldout.jsonl: {"question", "context", "answer", "answer_start"}; "" and -1 when there is no answer.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from core import config
from core.finetune.data import QAExample
from core.finetune.features import qa_metrics
from core.model.loading import LoadedModel
from core.tasks import classify, qa

HELD_OUT = config.REPO_ROOT / "bench" / "data"
FILES = {"sentence": "sentiment_heldout.tsv", "token": "ner_heldout.jsonl", "qa": "qa_heldout.jsonl"}
ENTITY_KINDS = ("PER", "LOC", "ORG", "MISC")


def read_rows(task: str, folder: Path = HELD_OUT) -> list:
    path = folder / FILES[task]
    if task == "sentence":
        with path.open(newline="", encoding="utf-8") as f:
            return [(row["text"], row["label"]) for row in csv.DictReader(f, delimiter="\t")]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if task == "token":
        return [(tuple(r["tokens"]), tuple(r["tags"])) for r in rows]
    return [QAExample(r["question"], r["context"], r["answer"], r["answer_start"]) for r in rows]


def sentiment_scores(loaded: LoadedModel, rows: list[tuple[str, str]]) -> dict:
    """Accuracy, and the sentences the model got wrong."""
    wrong = []
    for text, label in rows:
        result = classify.classify(loaded, text)
        if result.labels[result.predicted] != label:
            wrong.append(text)
    return {"accuracy": 1 - len(wrong) / len(rows), "examples": len(rows), "wrong": wrong}


def gold_entities(tokens: tuple[str, ...], tags: tuple[str, ...]) -> tuple[str, set[tuple[str, int, int]]]:
    """The sentence as the page receives it (words joined by spaces) and its entities as (kind, start, end)."""
    text, spans, position = " ".join(tokens), [], 0
    for token in tokens:
        spans.append((position, position + len(token)))
        position += len(token) + 1
    entities, current = set(), None
    for (start, end), tag in zip(spans, tags):
        if tag.startswith("I-") and current and current[0] == tag[2:]:
            current = (current[0], current[1], end)
            continue
        if current:
            entities.add(current)
        current = (tag[2:], start, end) if tag != "O" else None
    if current:
        entities.add(current)
    return text, entities


def ner_scores(loaded: LoadedModel, rows: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> dict:
    """Entity-level precision / recall / F1 per kind and over PER+LOC+ORG: a predicted entity counts only when
    its kind and its exact character span match a gold one (CoNLL's rule)."""
    counts = {kind: [0, 0, 0] for kind in ENTITY_KINDS}  # true positives, predicted, gold
    for tokens, tags in rows:
        text, gold = gold_entities(tokens, tags)
        predicted = {(e.label, e.start, e.end) for e in classify.classify_tokens(loaded, text).entities}
        for kind in ENTITY_KINDS:
            g, p = {e for e in gold if e[0] == kind}, {e for e in predicted if e[0] == kind}
            counts[kind][0] += len(g & p)
            counts[kind][1] += len(p)
            counts[kind][2] += len(g)

    def f1(tp: int, predicted: int, gold: int) -> dict:
        precision, recall = tp / max(predicted, 1), tp / max(gold, 1)
        return {"precision": precision, "recall": recall, "gold": gold,
                "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0}

    scores = {kind: f1(*counts[kind]) for kind in ENTITY_KINDS}
    main = [sum(counts[k][i] for k in ("PER", "LOC", "ORG")) for i in range(3)]
    return {"per_kind": scores, "per_loc_org_f1": f1(*main)["f1"], "sentences": len(rows)}


def qa_scores(loaded: LoadedModel, rows: list[QAExample], options: qa.QAOptions | None = None) -> dict:
    """Exact match and F1 of the page's best answer ('' when it prefers no answer), and the misses."""
    predictions, options = [], options or qa.QAOptions()  # the Four ways page's defaults
    for example in rows:
        result = qa.answer_question(loaded, example.question, example.context, options)
        predictions.append("" if result.prefers_no_answer or not result.answers else result.answers[0].text)
    metrics = qa_metrics(predictions, rows)
    misses = [(e.question, e.answer_text, p) for e, p in zip(rows, predictions) if p.strip() != e.answer_text]
    return metrics | {"questions": len(rows), "misses": misses}


def scores(loaded: LoadedModel, task: str, folder: Path = HELD_OUT) -> dict:
    rows = read_rows(task, folder)
    return {"sentence": sentiment_scores, "token": ner_scores, "qa": qa_scores}[task](loaded, rows)
