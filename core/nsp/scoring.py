"""Next-sentence prediction: P(IsNext) for a pair from the model's real NSP head (or ALBERT's SOP head).

Note section 3.2 and use 3 of section 4: the [CLS] position feeds a binary classifier that says whether
sentence B is the sentence that followed A in the corpus. The head outputs two logits; index 0 means
"IsNext" (B follows A), index 1 "NotNext" (B is a random sentence) — the opposite of what many readers
guess, so every result carries both probabilities by name. ALBERT replaces NSP with sentence-order
prediction (SOP): index 0 means "A and B in their original order", index 1 "swapped".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from core import config
from core.lib.lru import LRUCache
from core.lib.numerics import softmax
from core.model import forward
from core.model import precision as precisions
from core.model.capabilities import Head, MissingHeadError
from core.model.inputs import clean_texts
from core.model.loading import LoadedModel

# Pairs per forward pass when scoring many (sorted by length first, so padding stays small).
# On one CPU thread the batch size hardly matters; on a GPU bigger batches pay.
BATCH_SIZE = 16
# Scored pairs the process remembers (two floats each, keyed by model + texts).
SCORE_CACHE_SIZE = 50_000
# A score at or above this threshold counts as a "B follows A" decision.
THRESHOLD = 0.5


@dataclass(frozen=True)
class SentenceHead:
    """Which pair head a model has and what its two logits mean."""

    kind: Head  # Head.NSP or Head.SOP
    positive: str  # meaning of logit index 0
    negative: str  # meaning of logit index 1

    @property
    def name(self) -> str:
        """'next-sentence prediction (NSP)' …"""
        return self.kind.label

    def index_meaning(self) -> str:
        """'index 0 = IsNext (B follows A), index 1 = NotNext (B is random)' — said in full, every time."""
        return f"index 0 = {self.positive}, index 1 = {self.negative}"


# How sure a head is, from the larger of its two probabilities: (lowest value, words).
CONFIDENCE_WORDS = ((0.9, "very sure"), (0.7, "fairly sure"), (0.0, "unsure: close to a coin toss"))


@dataclass(frozen=True)
class PairVerdict:
    """What the head decided about one pair, in words a learner reads before the numbers."""

    head_name: str  # e.g. "next-sentence prediction (NSP)"
    follows: bool  # the head's decision at THRESHOLD: index 0 (IsNext / in order) wins
    decision: str  # the winning index's meaning, e.g. "IsNext (B follows A)"
    confidence: str  # "very sure", "fairly sure" or "unsure: …"
    probability: float  # probability of the decision, >= 0.5

    @property
    def sentence(self) -> str:
        """'The NSP head decides IsNext (B follows A), and is very sure (96.1 %).'"""
        return f"The {self.head_name} head decides **{self.decision}**, and is {self.confidence} ({self.probability:.1%})."


def verdict(head: SentenceHead, p_index0: float) -> PairVerdict:
    """The head's decision for one pair from P(index 0), with a confidence word."""
    follows = p_index0 >= THRESHOLD
    probability = p_index0 if follows else 1.0 - p_index0
    confidence = next(words for lowest, words in CONFIDENCE_WORDS if probability >= lowest)
    return PairVerdict(head.name, follows, head.positive if follows else head.negative, confidence, float(probability))


NSP_HEAD = SentenceHead(Head.NSP, "IsNext (B follows A)",
                        "NotNext (B is not A's next sentence)")
SOP_HEAD = SentenceHead(Head.SOP, "in order (A came before B)",
                        "swapped (B came before A)")


def missing_head_message(loaded: LoadedModel) -> str:
    """Why this model cannot score pairs, and what to pick instead."""
    return (
        f"{loaded.name!r} has no trained next-sentence (NSP) or sentence-order (SOP) head, so it cannot say "
        f"whether B follows A — a random head would only show noise. Pick a model that has one: '{config.BUNDLED_ALIAS}' "
        "(offline, with its own NSP head), bert-base-uncased / bert-large-uncased / bert-base-chinese (hub, real NSP "
        "head), albert-base-v2 (SOP head), or a model pre-trained on the Pre-train page (the home page lists each "
        "model's heads)."
    )


def sentence_head(loaded: LoadedModel) -> SentenceHead:
    """The model's pair head (SOP wins when both exist, as in forward.analyze), or a clear ValueError."""
    if loaded.capabilities.sop:
        return SOP_HEAD
    if loaded.capabilities.nsp:
        return NSP_HEAD
    raise MissingHeadError(missing_head_message(loaded), Head.NSP)


@dataclass(frozen=True)
class PairScore:
    """The head's verdict on one pair, from the one cached forward pass."""

    model_name: str
    head: SentenceHead
    text_a: str
    text_b: str
    tokens: list[str]  # (seq,) [CLS] A [SEP] B [SEP] as the model read it
    sentence_ids: list[int | None]  # (seq,) 0 = A, 1 = B, None = special token
    logits: np.ndarray  # (2,) raw head logits; index 0 = IsNext (NSP) / in order (SOP)
    is_next: float  # softmax(logits)[0]
    not_next: float  # softmax(logits)[1]
    cls_attention: np.ndarray  # (heads, seq) last layer: how [CLS] attends over every token
    truncation: str  # what was cut to fit the model, or ""


def require_pair(text_a: str | None, text_b: str | None) -> tuple[str, str]:
    """Both sentences, stripped; a missing one is a ValueError that says what to type."""
    text_a, text_b = clean_texts(text_a, text_b)
    if text_b is None:
        raise ValueError("sentence B is empty — NSP scores a pair: type the sentence that may follow A as sentence B")
    return text_a, text_b


def score_pair(loaded: LoadedModel, text_a: str, text_b: str) -> PairScore:
    """P(IsNext) of one pair, read from forward.analyze (the one cached forward pass)."""
    head = sentence_head(loaded)
    text_a, text_b = require_pair(text_a, text_b)
    analysis = forward.analyze(loaded, text_a, text_b)
    logits = analysis.next_sentence_logits
    probs = softmax(logits)
    return PairScore(
        model_name=loaded.name,
        head=head,
        text_a=text_a,
        text_b=text_b,
        tokens=analysis.inputs.tokens,
        sentence_ids=analysis.inputs.sentence_ids,
        logits=logits,
        is_next=float(probs[0]),
        not_next=float(probs[1]),
        cls_attention=analysis.attentions[-1, :, 0, :],
        truncation=analysis.inputs.truncation_notice(),
    )


@dataclass(frozen=True)
class BatchScores:
    """Head logits of many pairs, in input order."""

    model_name: str
    head: SentenceHead
    logits: np.ndarray  # (pairs, 2)
    truncated: np.ndarray  # (pairs,) bool: the pair was cut to fit the model
    precision: str = "fp32"  # a key of core.model.precision.PRECISIONS

    @property
    def is_next(self) -> np.ndarray:
        """(pairs,) P(index 0) = P(IsNext) for NSP, P(in order) for SOP."""
        return softmax(self.logits)[:, 0] if len(self.logits) else np.zeros(0)


# (logits, truncated) per model + pair, so a rerun scores only new pairs; misses = pairs that went through the model.
_CACHE: LRUCache[tuple[np.ndarray, bool]] = LRUCache(SCORE_CACHE_SIZE)


def _token_counts(loaded: LoadedModel, pairs: Sequence[tuple[str, str]]) -> list[int]:
    """(pairs,) how many tokens each pair makes before truncation."""
    if not pairs:
        return []
    encoded = loaded.tokenizer([a for a, _ in pairs], [b for _, b in pairs], truncation=False, verbose=False)
    return [len(ids) for ids in encoded["input_ids"]]


def _run_batch(loaded: LoadedModel, pairs: Sequence[tuple[str, str]], max_length: int,
               precision: str = "fp32") -> np.ndarray:
    """One padded pass of the encoder + pair head over a batch of pairs (no MLM head): (batch, 2) head logits."""
    batch = loaded.tokenizer([a for a, _ in pairs], [b for _, b in pairs], padding=True, truncation="longest_first",
                             max_length=max_length, return_tensors="pt")
    if not loaded.uses_token_types:
        batch.pop("token_type_ids", None)
    with torch.no_grad(), precisions.autocast(loaded.device, precision):
        logits = forward.pair_logits_only(loaded, {k: v.to(loaded.device) for k, v in batch.items()})
    return logits.float().cpu().numpy()


def score_pairs(
    loaded: LoadedModel,
    pairs: Sequence[tuple[str, str]],
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int, int], None] | None = None,
    precision: str = "fp32",
) -> BatchScores:
    """Head logits of many (A, B) pairs in padded batches; pairs scored before come from the cache.

    on_progress(done, total) is called after every batch, for a progress bar. precision: see core.model.precision.
    """
    head = sentence_head(loaded)
    precisions.check_precision(precision)
    pairs = [require_pair(a, b) for a, b in pairs]
    max_length = forward.max_input_length(loaded)
    keys = [(loaded.load_id, max_length, precision, a, b) for a, b in pairs]
    results = {i: hit for i, key in enumerate(keys) if (hit := _CACHE.get(key)) is not None}
    todo = [i for i in range(len(pairs)) if i not in results]
    counts = dict(zip(todo, _token_counts(loaded, [pairs[i] for i in todo])))
    todo.sort(key=counts.get)  # similar lengths share a batch, so little compute goes to padding
    for start in range(0, len(todo), batch_size):
        chunk = todo[start:start + batch_size]
        for i, logits in zip(chunk, _run_batch(loaded, [pairs[i] for i in chunk], max_length, precision)):
            results[i] = (logits, counts[i] > max_length)
            _CACHE.put(keys[i], results[i])
        if on_progress:
            on_progress(len(pairs) - len(todo) + start + len(chunk), len(pairs))
    logits = np.array([results[i][0] for i in range(len(pairs))], dtype=np.float32).reshape(-1, 2)
    truncated = np.array([results[i][1] for i in range(len(pairs))], dtype=bool)
    return BatchScores(loaded.name, head, logits, truncated, precision)


@dataclass(frozen=True)
class Agreement:
    """How close a precision's scores are to fp32 on a sample of the same pairs."""

    precision: str
    pairs: int
    max_abs_diff: float  # largest |P(index 0) − P_fp32(index 0)|
    same_decisions: float  # share of pairs decided the same way at THRESHOLD

    def sentence(self) -> str:
        return (f"{self.precision} against fp32 on {self.pairs} of these pairs: P differs by at most "
                f"{self.max_abs_diff:.4f}, {self.same_decisions:.0%} of the decisions are the same.")


def agreement(loaded: LoadedModel, scores: BatchScores, pairs: Sequence[tuple[str, str]],
              sample: int = precisions.AGREEMENT_SAMPLE) -> Agreement | None:
    """The first `sample` pairs scored again in fp32, against `scores` (None when scores already are fp32)."""
    if scores.precision == "fp32" or not len(pairs):
        return None
    exact = score_pairs(loaded, list(pairs)[:sample]).is_next
    fast = scores.is_next[:len(exact)]
    return Agreement(scores.precision, len(exact), float(np.abs(fast - exact).max()),
                     float(((fast > THRESHOLD) == (exact > THRESHOLD)).mean()))


def pairs_scored_count() -> int:
    """How many pairs score_pairs has sent through a model in this process (cache misses)."""
    return _CACHE.misses


@dataclass(frozen=True)
class SwapComparison:
    """One pair as given (A → B) and swapped (B → A): how much the head cares about order."""

    original: PairScore  # A → B, from the one cached forward pass every view shares
    swapped_logits: np.ndarray  # (2,) B → A, from the pair scorer (its own cache, no second full analysis)

    @property
    def swapped_is_next(self) -> float:
        return float(softmax(self.swapped_logits)[0])

    @property
    def swapped_not_next(self) -> float:
        return float(softmax(self.swapped_logits)[1])


def score_both_orders(loaded: LoadedModel, text_a: str, text_b: str) -> SwapComparison:
    """The pair as given and with A and B swapped, in one call."""
    original = score_pair(loaded, text_a, text_b)
    swapped = score_pairs(loaded, [(original.text_b, original.text_a)])
    return SwapComparison(original, swapped.logits[0])
