"""The NSP negatives experiment: build pairs of four kinds from documents, score them, compare the kinds.

Note section 3.2: NSP positives are two consecutive segments; BERT's negatives pair segments of
*different documents* at random. The note's criticism: such a negative can be spotted from the topic
alone, so the task is too easy. Its improvement: negatives made of two *non-adjacent segments of the
same document* (same topic, no coherence) and, as ALBERT's sentence-order prediction does, the same two
consecutive segments in *swapped order*. Scoring all four kinds with a real NSP head shows how well the
head separates each kind of negative from the positives.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core import corpus
from core.corpus import Document
from core.lib.numerics import roc_auc
from core.model.loading import LoadedModel
from core.nsp import scoring as nsp

CONSECUTIVE = "consecutive"
RANDOM_DOCUMENT = "random other document"
SAME_DOCUMENT = "same document, non-adjacent"
SWAPPED = "swapped"
# The four kinds, positives first; only consecutive pairs are "B follows A".
KINDS = (CONSECUTIVE, RANDOM_DOCUMENT, SAME_DOCUMENT, SWAPPED)
KIND_HELP = {
    CONSECUTIVE: "segment i and segment i+1 of one document (positive: B follows A)",
    RANDOM_DOCUMENT: "segment i of one document, a random segment of another (BERT's negatives)",
    SAME_DOCUMENT: "segment i and a segment at least two further on in the same document (same topic)",
    SWAPPED: "segment i+1 then segment i of one document (same two sentences, wrong order)",
}
# Pairs per kind when nobody says otherwise.
DEFAULT_PER_KIND = 40
# Beyond this a run scores tens of thousands of pairs (100,000 per kind ran over 4 minutes); the page offers 200.
MAX_PER_KIND = 1000
DEFAULT_SEED = 0


@dataclass(frozen=True)
class Pair:
    """One experiment pair and where its two segments come from."""

    kind: str  # one of KINDS
    text_a: str
    text_b: str
    doc_a: int  # index of A's document in the document list
    index_a: int  # index of A's segment in its document
    doc_b: int
    index_b: int

    @property
    def is_next(self) -> bool:
        """The true label: B is the segment that followed A."""
        return self.kind == CONSECUTIVE


def _pair(kind: str, documents: Sequence[Document], a: tuple[int, int], b: tuple[int, int]) -> Pair:
    return Pair(kind, documents[a[0]].segments[a[1]], documents[b[0]].segments[b[1]], a[0], a[1], b[0], b[1])


def build_pairs(
    documents: Sequence[Document], per_kind: int = DEFAULT_PER_KIND, seed: int = DEFAULT_SEED
) -> list[Pair]:
    """Up to per_kind pairs of each of the four kinds, all anchored on the same sampled adjacent pairs.

    Each anchor (document d, segment i) with a segment i+1 yields: (i, i+1) consecutive, (i+1, i) swapped,
    (i, random segment of another document), and (i, j) with |i - j| >= 2 from the same document.
    """
    if not 1 <= per_kind <= MAX_PER_KIND:
        raise ValueError(f"pairs per kind must be between 1 and {MAX_PER_KIND}, not {per_kind} (four kinds, so up to "
                         f"{4 * MAX_PER_KIND} pairs are scored)")
    if len(documents) < 2:
        raise ValueError("the experiment needs at least two documents (separate them with a line '---')")
    rng = random.Random(seed)
    anchors = [(d, i) for d, doc in enumerate(documents) for i in range(len(doc) - 1)]
    if not anchors:
        raise ValueError("no document has two segments in a row — give documents of several sentences")
    anchors = rng.sample(anchors, min(per_kind, len(anchors)))
    pairs = []
    for d, i in anchors:
        pairs.append(_pair(CONSECUTIVE, documents, (d, i), (d, i + 1)))
        other = corpus.other_document(rng, len(documents), d)
        pairs.append(_pair(RANDOM_DOCUMENT, documents, (d, i), (other, rng.randrange(len(documents[other])))))
        apart = corpus.non_adjacent(rng, len(documents[d]), i)
        if apart:
            pairs.append(_pair(SAME_DOCUMENT, documents, (d, apart[0]), (d, apart[1])))
        pairs.append(_pair(SWAPPED, documents, (d, i + 1), (d, i)))
    return sorted(pairs, key=lambda p: KINDS.index(p.kind))


@dataclass(frozen=True)
class KindSummary:
    """How one head scored one kind of pair."""

    kind: str
    count: int
    mean: float  # mean P(index 0) = P(IsNext) / P(in order)
    accuracy: float  # share of pairs the head gets right at THRESHOLD (positives >= it, negatives below)
    # ROC AUC of this negative kind against the consecutive pairs: how well the head *separates* them at any
    # threshold (1 = every positive above every negative, 0.5 = no better than chance); None for the positives.
    # A head biased towards NotNext gets many negatives "right" at 0.5 and can still separate them badly.
    auc: float | None = None


@dataclass(frozen=True)
class ExperimentResult:
    """Every pair's score under one model's pair head, and the per-kind summary."""

    model_name: str
    head: nsp.SentenceHead
    pairs: list[Pair]
    scores: nsp.BatchScores  # (pairs, 2) logits in pair order
    summary: list[KindSummary]  # in KINDS order, kinds with no pair left out
    agreement: nsp.Agreement | None = None  # how close bf16 came to fp32 on a sample (None: fp32)

    @property
    def is_next(self) -> np.ndarray:
        """(pairs,) P(IsNext) (or P(in order)) per pair."""
        return self.scores.is_next


def correct(is_next: np.ndarray, labels: np.ndarray, threshold: float = nsp.THRESHOLD) -> np.ndarray:
    """(pairs,) bool: the decision at the threshold agrees with the true label."""
    return (is_next >= threshold) == labels.astype(bool)


def summarize(pairs: Sequence[Pair], is_next: np.ndarray) -> list[KindSummary]:
    """Count, mean score, accuracy at THRESHOLD and separation from the positives (AUC) for each kind present."""
    labels = np.array([p.is_next for p in pairs], dtype=bool)
    right = correct(is_next, labels)
    kinds = np.array([p.kind for p in pairs])
    positives = is_next[kinds == CONSECUTIVE]
    summary = []
    for kind in KINDS:
        mask = kinds == kind
        if not mask.any():
            continue
        auc = None if kind == CONSECUTIVE or not len(positives) else roc_auc(positives, is_next[mask])
        summary.append(KindSummary(kind, int(mask.sum()), float(is_next[mask].mean()), float(right[mask].mean()), auc))
    return summary


def run_experiment(
    loaded: LoadedModel, pairs: Sequence[Pair], on_progress: Callable[[int, int], None] | None = None,
    precision: str = "fp32",
) -> ExperimentResult:
    """Score every pair with the model's real NSP (or SOP) head, batched and cached, and summarise per kind."""
    if not pairs:
        raise ValueError("no pairs to score — give documents with several sentences each")
    texts = [(p.text_a, p.text_b) for p in pairs]
    scores = nsp.score_pairs(loaded, texts, on_progress=on_progress, precision=precision)
    return ExperimentResult(loaded.name, scores.head, list(pairs), scores, summarize(pairs, scores.is_next),
                            nsp.agreement(loaded, scores, texts))
