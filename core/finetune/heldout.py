"""Held-out scores of a task model, read through the same inference code the Four ways page shows.

The sets in bench/data were written by hand, before any training, in plain everyday English, and no build
trains on them (issue 17's bars: sentiment accuracy ≥ 90 %, NER entity F1 ≥ 80 % for PER/LOC/ORG, QA exact
match ≥ 60 % and F1 ≥ 75 %):
- sentiment_heldout.tsv: `text`, `label` (positive / negative);
- ner_heldout.jsonl: {"tokens": [...], "tags": [...]} with CoNLL BIO tags, punctuation as tokens of its own;
- qa_heldout.jsonl: {"question", "context", "answer", "answer_start"}; "" and -1 when there is no answer;
- qa_heldout_2.jsonl: a second QA set of the same form, written later by someone who never saw the generator or
  the first set, after the generator had been revised from the first set's misses;
- qa_heldout_3.jsonl: a third, written later by someone who saw neither the generator nor the other sets. A
  revision of the generator from the second set's misses was built and scored on it, and rejected: it lifted
  the second set but not this one (README, the bundled-qa card).
"""

from __future__ import annotations

from pathlib import Path

from core import config
from core.finetune.data import QAExample, TextExample, TokenExample, load_examples
from core.finetune.features import qa_metrics
from core.model.loading import LoadedModel
from core.tasks import classify, qa

HELD_OUT = config.REPO_ROOT / "bench" / "data"
# task → its held-out sets, in the order they were written (a model card calls them held_out, held_out_second, …)
SETS = {"sentence": ("sentiment_heldout.tsv",), "token": ("ner_heldout.jsonl",),
        "qa": ("qa_heldout.jsonl", "qa_heldout_2.jsonl", "qa_heldout_3.jsonl")}
CARD_KEYS = ("held_out", "held_out_second", "held_out_third")
ENTITY_KINDS = ("PER", "LOC", "ORG", "MISC")


def held_out_examples(task: str, folder: Path = HELD_OUT, number: int = 1) -> list:
    """The examples of the task's held-out set `number` (1 = the first), read by the fine-tune data reader (the
    sets use its columns)."""
    path = folder / SETS[task][number - 1]
    return load_examples(task, path.name, path.read_bytes())


def sentiment_scores(loaded: LoadedModel, rows: list[TextExample]) -> dict:
    """Accuracy, and the sentences the model got wrong."""
    wrong = []
    for example in rows:
        result = classify.classify(loaded, example.text_a)
        if result.labels[result.predicted] != example.label:
            wrong.append(example.text_a)
    return {"accuracy": 1 - len(wrong) / len(rows), "examples": len(rows), "wrong": wrong}


def gold_entities(tokens: tuple[str, ...], tags: tuple[str, ...]) -> tuple[str, set[tuple[str, int, int]]]:
    """The sentence as the page receives it (words joined by spaces) and its entities as (kind, start, end),
    merged by the page's own rule (classify.group_entities)."""
    text, words, position = " ".join(tokens), [], 0
    for i, (token, tag) in enumerate(zip(tokens, tags)):
        words.append(classify.WordLabel(i, position, position + len(token), tag, 1.0))
        position += len(token) + 1
    return text, {(e.label, e.start, e.end) for e in classify.group_entities(words, text)}


def ner_scores(loaded: LoadedModel, rows: list[TokenExample]) -> dict:
    """Entity-level precision / recall / F1 per kind and over PER+LOC+ORG: a predicted entity counts only when
    its kind and its exact character span match a gold one (CoNLL's rule)."""
    counts = {kind: [0, 0, 0] for kind in ENTITY_KINDS}  # true positives, predicted, gold
    for example in rows:
        text, gold = gold_entities(example.words, example.tags)
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


def card_figures(scores: dict) -> dict:
    """The figures of a scores dict a model card keeps: everything but the lists of misses."""
    return {k: v for k, v in scores.items() if k not in ("wrong", "misses")}


def scores(loaded: LoadedModel, task: str, folder: Path = HELD_OUT, number: int = 1) -> dict:
    """The model's scores on the task's held-out set `number`, with its misses."""
    rows = held_out_examples(task, folder, number)
    return {"sentence": sentiment_scores, "token": ner_scores, "qa": qa_scores}[task](loaded, rows)
