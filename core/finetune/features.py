"""Turn fine-tune examples into model inputs, and model outputs back into validation metrics.

Note section 4, the four ways to use BERT: [CLS] feeds the sentence(-pair) classifier; every token's
output feeds the token classifier (the label sits on the first WordPiece of each word, the other pieces
are ignored by the loss); QA predicts start/end positions in the passage, which a long passage splits
into overlapping windows (stride) so no answer is lost at a window edge.
"""

from __future__ import annotations

import collections
import re
import string
from dataclasses import dataclass

import numpy as np
from transformers import PreTrainedTokenizerBase

from core.finetune.data import QAExample, TaskData
from core.tasks.qa import WindowLogits, decide

# The loss ignores positions with this label (PyTorch's cross-entropy default ignore_index).
IGNORE = -100


@dataclass
class Features:
    """Model inputs of one split: rows for the collator, plus what QA needs to map answers back to text."""

    rows: list[dict]  # input_ids, token_type_ids, attention_mask, labels | start/end_positions
    example_index: list[int]  # the example each row came from (several rows per long QA passage)
    offsets: list[list[tuple[int, int] | None]] | None = None  # QA: character span of each context token


def align_labels(word_ids: list[int | None], word_labels: list[int]) -> list[int]:
    """One label per token: the word's label on its first piece, IGNORE on later pieces and special tokens."""
    labels, previous = [], None
    for word in word_ids:
        labels.append(IGNORE if word is None or word == previous else word_labels[word])
        previous = word
    return labels


def encode_classification(tokenizer: PreTrainedTokenizerBase, data: TaskData, split: list, max_length: int) -> Features:
    """Sentence / pair classification: [CLS] A [SEP] (B [SEP]) and the class index."""
    label_id = {name: i for i, name in enumerate(data.labels)}
    texts_b = [e.text_b for e in split] if data.task == "pair" else None
    encoded = tokenizer([e.text_a for e in split], texts_b, truncation=True, max_length=max_length)
    rows = [{**_row(encoded, i), "labels": label_id[e.label]} for i, e in enumerate(split)]
    return Features(rows, list(range(len(split))))


def encode_tokens(tokenizer: PreTrainedTokenizerBase, data: TaskData, split: list, max_length: int) -> Features:
    """Token classification: words split into pieces, labels aligned to each word's first piece."""
    label_id = {name: i for i, name in enumerate(data.labels)}
    encoded = tokenizer([list(e.words) for e in split], is_split_into_words=True, truncation=True, max_length=max_length)
    rows = []
    for i, example in enumerate(split):
        tags = [label_id[t] for t in example.tags]
        rows.append({**_row(encoded, i), "labels": align_labels(encoded.word_ids(i), tags)})
    return Features(rows, list(range(len(split))))


def _row(encoded, i: int) -> dict:
    return {key: encoded[key][i] for key in ("input_ids", "token_type_ids", "attention_mask") if key in encoded}


def encode_qa(tokenizer: PreTrainedTokenizerBase, split: list[QAExample], max_length: int, stride: int) -> Features:
    """Question + passage windows overlapping by `stride` tokens; start/end = 0 ([CLS]) when the answer is outside."""
    encoded = tokenizer([e.question for e in split], [e.context for e in split], truncation="only_second",
                        max_length=max_length, stride=stride, return_overflowing_tokens=True,
                        return_offsets_mapping=True)
    rows, example_index, offsets = [], [], []
    for i, sample in enumerate(encoded["overflow_to_sample_mapping"]):
        sequence_ids = encoded.sequence_ids(i)
        context_offsets = [tuple(o) if s == 1 else None for o, s in zip(encoded["offset_mapping"][i], sequence_ids)]
        start, end = answer_positions(split[sample], context_offsets)
        rows.append({**_row(encoded, i), "start_positions": start, "end_positions": end})
        example_index.append(sample)
        offsets.append(context_offsets)
    return Features(rows, example_index, offsets)


def answer_positions(example: QAExample, offsets: list[tuple[int, int] | None]) -> tuple[int, int]:
    """Token positions of the answer inside one window, or (0, 0) when the window does not hold all of it."""
    if example.answer_start < 0:
        return 0, 0
    first, last = example.answer_start, example.answer_start + len(example.answer_text)
    starts = [i for i, o in enumerate(offsets) if o is not None and o[0] <= first < o[1]]
    ends = [i for i, o in enumerate(offsets) if o is not None and o[0] < last <= o[1]]
    return (starts[0], ends[-1]) if starts and ends else (0, 0)


def encode_split(tokenizer: PreTrainedTokenizerBase, data: TaskData, split: list, max_length: int, stride: int) -> Features:
    """The features of one split for the task."""
    if data.task == "qa":
        return encode_qa(tokenizer, split, max_length, stride)
    if data.task == "token":
        return encode_tokens(tokenizer, data, split, max_length)
    return encode_classification(tokenizer, data, split, max_length)


def qa_predictions(examples: list[QAExample], features: Features, start_logits: list, end_logits: list) -> list[str]:
    """The answer text for each example as the Four ways page reads it (tasks.qa.decide over all of its windows,
    with the page's default options): the best span mapped back to characters, or "" when "no answer" wins."""
    windows: dict[int, list[WindowLogits]] = {}
    for row, example_id in enumerate(features.example_index):
        offsets = features.offsets[row]
        seq = len(offsets)  # drop batch padding
        own = windows.setdefault(example_id, [])
        own.append(WindowLogits(len(own), [o or (0, 0) for o in offsets], [o is not None for o in offsets],
                                np.asarray(start_logits[row][:seq]), np.asarray(end_logits[row][:seq])))
    return [decide(windows[i], e.context).text if i in windows else "" for i, e in enumerate(examples)]


def normalize_answer(text: str) -> list[str]:
    """SQuAD-style answer words: lower case, punctuation and articles removed."""
    text = "".join(c for c in text.lower() if c not in set(string.punctuation))
    return re.sub(r"\b(a|an|the)\b", " ", text).split()


def qa_metrics(predictions: list[str], examples: list[QAExample]) -> dict[str, float]:
    """Exact match and word-overlap F1 between predicted and gold answers, averaged over examples."""
    exact, f1 = [], []
    for predicted, example in zip(predictions, examples):
        pred_words, gold_words = normalize_answer(predicted), normalize_answer(example.answer_text)
        exact.append(float(pred_words == gold_words))
        common = sum((collections.Counter(pred_words) & collections.Counter(gold_words)).values())
        if not pred_words or not gold_words:
            f1.append(float(pred_words == gold_words))
        elif common == 0:
            f1.append(0.0)
        else:
            precision, recall = common / len(pred_words), common / len(gold_words)
            f1.append(2 * precision * recall / (precision + recall))
    return {"exact_match": float(np.mean(exact)), "f1": float(np.mean(f1))}


def classification_metrics(predicted: np.ndarray, gold: np.ndarray, num_labels: int, ignore_label: int | None = None) -> dict[str, float]:
    """Accuracy and macro F1 over the classes (token tasks leave out their 'O' class from the F1)."""
    keep = gold != IGNORE
    predicted, gold = predicted[keep], gold[keep]
    f1s = []
    for label in range(num_labels):
        if label == ignore_label:
            continue
        tp = int(((predicted == label) & (gold == label)).sum())
        fp, fn = int(((predicted == label) & (gold != label)).sum()), int(((predicted != label) & (gold == label)).sum())
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0)
    return {"accuracy": float((predicted == gold).mean()) if len(gold) else 0.0, "f1": float(np.mean(f1s)) if f1s else 0.0}
