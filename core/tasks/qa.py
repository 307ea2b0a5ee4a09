"""Extractive question answering: read the answer's start and end positions off the encoder.

Note section 4, the fourth way to use BERT: `[CLS] question [SEP] passage [SEP]` goes in, and two
learned vectors (the QA head's start and end rows) score every passage token as the answer's first
and last token. Decoding is ours (transformers 5 has no QA pipeline): the best spans with
start ≤ end ≤ start + max_answer_len - 1, inside the passage only, over stride windows when the
passage is longer than the model's input, and "no answer" when the [CLS] score beats every span.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.lib.lru import model_cache
from core.model.capabilities import Head, logits, require_head
from core.model.forward import batch_inputs, max_input_length
from core.model.loading import LoadedModel

# SQuAD's usual settings: answers rarely exceed 30 pieces; windows of 384 overlap by 128.
DEFAULT_TOP_K = 3
DEFAULT_MAX_ANSWER_LEN = 30
DEFAULT_WINDOW_LEN = 384
DEFAULT_STRIDE = 128
# Windows run through the model this many at a time.
WINDOW_BATCH = 8


@dataclass(frozen=True)
class QAOptions:
    """How spans are decoded."""

    top_k: int = DEFAULT_TOP_K  # how many answers to return
    max_answer_len: int = DEFAULT_MAX_ANSWER_LEN  # longest answer, in tokens
    window_len: int = DEFAULT_WINDOW_LEN  # tokens per window (question + passage + 3 specials)
    stride: int = DEFAULT_STRIDE  # tokens two neighbouring windows share
    allow_no_answer: bool = True  # let the [CLS] score say "no answer" (SQuAD 2.0 style)


@dataclass(frozen=True)
class Span:
    """A candidate span in one window, in token positions of that window."""

    token_start: int
    token_end: int  # inclusive
    score: float  # P(start) * P(end), softmax over passage tokens (+ [CLS] when no-answer is allowed)
    logit: float  # start_logit + end_logit


@dataclass(frozen=True)
class Answer:
    """One answer: character offsets into the passage, so passage[start:end] == text."""

    text: str
    start: int
    end: int
    score: float
    logit: float
    window: int  # which window produced it
    token_start: int  # positions inside that window
    token_end: int


@dataclass(frozen=True)
class WindowLogits:
    """What the decoder reads of one window: the QA head's logits and where each passage token lies in the
    passage (the Four ways page's windows and the fine-tune run's validation windows alike)."""

    index: int
    offsets: list[tuple[int, int]]  # (seq,) character span in the passage (question pieces: in the question)
    passage_mask: list[bool]  # (seq,) True for passage tokens
    start_logits: np.ndarray  # (seq,)
    end_logits: np.ndarray  # (seq,)


@dataclass(frozen=True)
class Window(WindowLogits):
    """One slice of the passage as the model saw it, with the head's logits."""

    tokens: list[str]  # (seq,) [CLS] question [SEP] passage slice [SEP]
    char_range: tuple[int, int]  # the part of the passage this window covers
    no_answer_score: float  # P(start=[CLS]) * P(end=[CLS])

    @property
    def passage_positions(self) -> list[int]:
        return [i for i, inside in enumerate(self.passage_mask) if inside]


@dataclass(frozen=True)
class Decision:
    """The answers over all windows of a passage, and whether "no answer" beats them."""

    answers: list[Answer]  # best first, at most top_k
    no_answer_score: float  # lowest [CLS] score over the windows (0 when no-answer is not allowed)
    prefers_no_answer: bool  # the [CLS] score beats the best span (or there is no span)

    @property
    def text(self) -> str:
        """The answer as a reader takes it: the best span's text, or "" for no answer."""
        return "" if self.prefers_no_answer or not self.answers else self.answers[0].text


@dataclass(frozen=True)
class QAResult:
    """The answers to a question about a passage, and every window's logits."""

    model_name: str
    question: str
    passage: str
    answers: list[Answer]  # best first, at most top_k
    windows: list[Window]
    best_window: int | None  # the window of the best answer
    no_answer_score: float  # lowest [CLS] score over windows (0 when no-answer is not allowed)
    prefers_no_answer: bool  # the [CLS] score beats the best span
    unknown_share: float  # share of passage tokens the vocabulary maps to [UNK]
    options: QAOptions

    @property
    def text(self) -> str:
        """The answer as a reader takes it: the best span's text, or "" for no answer."""
        return Decision(self.answers, self.no_answer_score, self.prefers_no_answer).text


def decode_spans(
    start_logits: np.ndarray, end_logits: np.ndarray, passage_mask: list[bool], max_answer_len: int,
    top_k: int, include_cls: bool = True,
) -> tuple[list[Span], float]:
    """Best spans of one window, and the no-answer score. Logits (seq,); [CLS] is position 0."""
    allowed = np.asarray(passage_mask, dtype=bool)
    if include_cls:
        allowed = allowed.copy()
        allowed[0] = True
    p_start, p_end = _masked_softmax(start_logits, allowed), _masked_softmax(end_logits, allowed)
    positions = np.flatnonzero(np.asarray(passage_mask, dtype=bool))
    no_answer = no_answer_score(start_logits, end_logits, passage_mask) if include_cls else 0.0
    if positions.size == 0:
        return [], no_answer
    scores = np.outer(p_start[positions], p_end[positions])  # (passage, passage): rows start, columns end
    gap = positions[None, :] - positions[:, None]
    scores[(gap < 0) | (gap > max_answer_len - 1)] = 0.0
    best = np.argsort(scores, axis=None)[::-1][:top_k]
    spans = []
    for flat in best:
        s, e = np.unravel_index(flat, scores.shape)
        if scores[s, e] <= 0.0:
            break
        i, j = int(positions[s]), int(positions[e])
        spans.append(Span(i, j, float(scores[s, e]), float(start_logits[i] + end_logits[j])))
    return spans, no_answer


def no_answer_score(start_logits: np.ndarray, end_logits: np.ndarray, passage_mask: list[bool]) -> float:
    """P(start=[CLS]) * P(end=[CLS]), softmax over [CLS] and the passage tokens; logits (seq,)."""
    allowed = np.asarray(passage_mask, dtype=bool) | (np.arange(len(passage_mask)) == 0)
    return float(_masked_softmax(start_logits, allowed)[0] * _masked_softmax(end_logits, allowed)[0])


def _masked_softmax(logits: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Softmax over the allowed positions only; the others get probability 0."""
    if not allowed.any():
        return np.zeros(logits.shape, dtype=float)
    weights = np.exp(np.where(allowed, logits - logits[allowed].max(), -np.inf))
    return weights / weights.sum()


def _clean(question: str, passage: str) -> tuple[str, str]:
    question, passage = (question or "").strip(), (passage or "").strip()
    if not question:
        raise ValueError("the question is empty — type a question about the passage")
    if not passage:
        raise ValueError("the passage is empty — paste the text the answer should come from")
    return question, passage


def _encode_windows(loaded: LoadedModel, question: str, passage: str, options: QAOptions):
    """Tokenize question + passage into overlapping windows (the question repeats in each)."""
    tokenizer = loaded.tokenizer
    limit = min(options.window_len, max_input_length(loaded))
    question_len = len(tokenizer(question, add_special_tokens=False)["input_ids"])
    room = limit - question_len - 3  # [CLS] question [SEP] passage [SEP]
    if room < 8:
        raise ValueError(
            f"the question takes {question_len} tokens and leaves no room for the passage in a "
            f"{limit}-token window — shorten the question"
        )
    stride = max(0, min(options.stride, room // 2))  # a stride as long as the room would never advance
    return tokenizer(
        question, passage, truncation="only_second", max_length=limit, stride=stride,
        return_overflowing_tokens=True, return_offsets_mapping=True, padding="longest",
    )


def _run_windows(loaded: LoadedModel, encoding) -> tuple[np.ndarray, np.ndarray]:
    """Start and end logits of every window, (windows, seq) each; one batched forward per WINDOW_BATCH."""
    types = encoding.get("token_type_ids")  # RoBERTa's tokenizer has none
    starts, ends = [], []
    with torch.no_grad():
        for first in range(0, len(encoding["input_ids"]), WINDOW_BATCH):
            rows = slice(first, first + WINDOW_BATCH)
            batch = batch_inputs(loaded, encoding["input_ids"][rows], None if types is None else types[rows],
                                 encoding["attention_mask"][rows])
            span = logits(loaded.model(**batch), Head.QA).float().cpu().numpy()  # (rows, seq, 2): start, end
            starts.append(span[..., 0])
            ends.append(span[..., 1])
    return np.concatenate(starts), np.concatenate(ends)


def _window(loaded: LoadedModel, encoding, index: int, start: np.ndarray, end: np.ndarray, options: QAOptions) -> Window:
    seq_len = int(sum(encoding["attention_mask"][index]))  # drop the padding
    sequence_ids = encoding.sequence_ids(index)[:seq_len]
    mask = [s == 1 for s in sequence_ids]
    offsets = [tuple(o) for o in encoding["offset_mapping"][index][:seq_len]]
    inside = [offsets[i] for i in range(seq_len) if mask[i]]
    return Window(
        index=index,
        tokens=loaded.tokenizer.convert_ids_to_tokens(encoding["input_ids"][index][:seq_len]),
        offsets=offsets,
        passage_mask=mask,
        start_logits=start[:seq_len],
        end_logits=end[:seq_len],
        char_range=(inside[0][0], inside[-1][1]) if inside else (0, 0),
        no_answer_score=no_answer_score(start[:seq_len], end[:seq_len], mask) if options.allow_no_answer else 0.0,
    )


def decide(windows: list[WindowLogits], passage: str, options: QAOptions = QAOptions()) -> Decision:
    """The one decoding of a passage's windows, wherever the logits came from: the top-k answers, and "no answer"
    when the lowest [CLS] score over the windows beats the best span (SQuAD 2.0's rule)."""
    answers = _answers(windows, passage, options)
    if not options.allow_no_answer:
        return Decision(answers, 0.0, False)
    no_answer = min(no_answer_score(w.start_logits, w.end_logits, w.passage_mask) for w in windows)
    return Decision(answers, no_answer, not answers or no_answer > answers[0].score)


def _answers(windows: list[WindowLogits], passage: str, options: QAOptions) -> list[Answer]:
    """Top-k answers over all windows; a span seen by two overlapping windows counts once, at its best."""
    best: dict[tuple[int, int], Answer] = {}
    for w in windows:
        spans, _ = decode_spans(w.start_logits, w.end_logits, w.passage_mask, options.max_answer_len,
                                options.top_k, options.allow_no_answer)
        for span in spans:
            start, end = w.offsets[span.token_start][0], w.offsets[span.token_end][1]
            answer = Answer(passage[start:end], start, end, span.score, span.logit, w.index, span.token_start, span.token_end)
            if (start, end) not in best or best[start, end].score < answer.score:
                best[start, end] = answer
    return sorted(best.values(), key=lambda a: a.score, reverse=True)[:options.top_k]


@model_cache(32)
def answer_question(loaded: LoadedModel, question: str, passage: str, options: QAOptions = QAOptions()) -> QAResult:
    """Top-k answer spans of a question about a passage, with every window's start/end logits."""
    require_head(loaded, Head.QA)
    if options.top_k < 1 or options.max_answer_len < 1:
        raise ValueError("top-k and the maximum answer length must be at least 1")
    question, passage = _clean(question, passage)
    encoding = _encode_windows(loaded, question, passage, options)
    start, end = _run_windows(loaded, encoding)
    windows = [_window(loaded, encoding, i, start[i], end[i], options) for i in range(len(start))]
    decision = decide(windows, passage, options)
    answers = decision.answers
    unknown = loaded.tokenizer.unk_token
    passage_tokens = [t for w in windows for t, m in zip(w.tokens, w.passage_mask) if m]
    return QAResult(
        model_name=loaded.name,
        question=question,
        passage=passage,
        answers=answers,
        windows=windows,
        best_window=answers[0].window if answers else None,
        no_answer_score=decision.no_answer_score,
        prefers_no_answer=decision.prefers_no_answer,
        unknown_share=sum(t == unknown for t in passage_tokens) / max(1, len(passage_tokens)),
        options=options,
    )

