"""One forward pass per corpus pair, shared by the attention cards (clark, head_stats) and the contextuality card.

Each pair of core/findings/corpus.py is read as `[CLS] A [SEP] B [SEP]` by the one forward pass of
core/model/forward.py; what the cards need is kept from it and the rest let go: every per-head statistic of
core/attention/maps.py for that input (a few floats per head), and the vectors of the words the contextuality
card compares (the corpus' CONTEXT_WORDS, plus a seeded sample of all other words for its baseline).

The passes are run directly (forward.run_forward), not through forward.analyze's cache: that cache keeps the
user's own inputs, and 51 corpus analyses would push them out; this module keeps its compact result instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.attention import maps
from core.findings import corpus
from core.findings.result import OnProgress
from core.lib.lru import LRUCache
from core.model import forward
from core.model.inputs import EncodedInput
from core.model.loading import LoadedModel

# Other words' occurrences kept for the anisotropy baseline (random words in random contexts), and their seed.
BASELINE_OCCURRENCES = 400
BASELINE_SEED = 0
# Corpus passes kept by the process (one per model; a bert-base pass holds about 20 MB of word vectors).
CACHE_SIZE = 4


@dataclass(frozen=True)
class CorpusPass:
    """What the cards keep of one forward pass over every corpus pair."""

    model_name: str
    num_layers: int
    num_heads: int
    statistics: dict[str, np.ndarray]  # maps.STATISTICS key -> (inputs, layers, heads), each input's mean per head
    words: list[str]  # (occurrences,) the kept words, lower case
    word_inputs: np.ndarray  # (occurrences,) the corpus pair each occurrence is in
    word_vectors: np.ndarray  # (occurrences, layers + 1, hidden) mean of the word's pieces at every hidden state
    tokens: int  # tokens read over all inputs
    truncated: int  # pairs cut at the model's input limit


@dataclass(frozen=True)
class _Occurrence:
    word: str
    pair: int
    positions: list[int]  # its WordPiece positions in the pair's input


def _occurrences(pair: int, encoded: EncodedInput) -> list[_Occurrence]:
    """Every word of an encoded pair (special tokens left out), with its pieces' positions."""
    groups, texts = maps.word_groups(encoded)
    return [_Occurrence(text.lower(), pair, group) for group, text in zip(groups, texts)
            if not encoded.special_mask[group[0]]]


def _kept(occurrences: list[_Occurrence]) -> list[_Occurrence]:
    """The first occurrence of each context word in each pair, then a seeded sample of the other words."""
    targets, others, seen = [], [], set()
    for occurrence in occurrences:
        key = (occurrence.word, occurrence.pair)
        if occurrence.word in corpus.CONTEXT_WORDS and key not in seen:
            seen.add(key)
            targets.append(occurrence)
        elif occurrence.word not in corpus.CONTEXT_WORDS:
            others.append(occurrence)
    rng = np.random.default_rng(BASELINE_SEED)
    picked = rng.choice(len(others), size=min(BASELINE_OCCURRENCES, len(others)), replace=False)
    return targets + [others[i] for i in sorted(picked)]


def _statistics(analysis: forward.Analysis) -> dict[str, np.ndarray]:
    """Every per-head statistic of one analysis. key -> (layers, heads)"""
    return {key: maps.head_statistic(analysis, key).values for key in maps.STATISTICS}


def run_corpus_pass(loaded: LoadedModel, on_progress: OnProgress = None) -> CorpusPass:
    """One forward pass per corpus pair: per-head statistics of each, and the kept words' vectors."""
    encoded = [forward.encode_for(loaded, a, b) for a, b in corpus.PAIRS]
    kept = _kept([o for pair, enc in enumerate(encoded) for o in _occurrences(pair, enc)])
    by_pair: dict[int, list[int]] = {}
    for index, occurrence in enumerate(kept):
        by_pair.setdefault(occurrence.pair, []).append(index)
    statistics: list[dict[str, np.ndarray]] = []
    vectors: list[np.ndarray | None] = [None] * len(kept)
    for pair, enc in enumerate(encoded):
        analysis = forward.run_forward(loaded, enc)
        statistics.append(_statistics(analysis))
        for index in by_pair.get(pair, []):
            vectors[index] = analysis.hidden_states[:, kept[index].positions].mean(axis=1)
        if on_progress:
            on_progress(pair + 1, len(encoded))
    return CorpusPass(
        model_name=loaded.name,
        num_layers=loaded.config.num_hidden_layers,
        num_heads=loaded.config.num_attention_heads,
        statistics={key: np.stack([s[key] for s in statistics]) for key in maps.STATISTICS},
        words=[o.word for o in kept],
        word_inputs=np.array([o.pair for o in kept]),
        word_vectors=np.stack(vectors).astype(np.float32),
        tokens=sum(len(e) for e in encoded),
        truncated=sum(e.truncated for e in encoded),
    )


_CACHE: LRUCache[CorpusPass] = LRUCache(CACHE_SIZE)


def corpus_pass(loaded: LoadedModel, on_progress: OnProgress = None) -> CorpusPass:
    """The corpus pass of this model, run once and kept (progress is reported only when it runs)."""
    return _CACHE.get_or_run(loaded.load_id, lambda: run_corpus_pass(loaded, on_progress))


def corpus_passes_run() -> int:
    """How many corpus passes the process has run (cache misses)."""
    return _CACHE.misses
