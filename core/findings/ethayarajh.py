"""Card "ethayarajh": how contextual the word vectors are — Ethayarajh (2019), "How Contextual are Contextualized
Word Representations?".

Per layer (0 = the embeddings … N): the **self-similarity** of a word, the mean cosine between its vectors in
different contexts; the **anisotropy baseline**, the mean cosine between vectors of random different words in
random contexts (in BERT all vectors share a direction, more so higher up); and self-similarity minus baseline.
The paper: in BERT self-similarity falls in the upper layers while the baseline rises, so the upper layers'
vectors are more context-specific. Words are the corpus' CONTEXT_WORDS, each in at least five pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.embeddings.input_embedding import cosine_matrix
from core.findings import corpus
from core.findings.passes import CorpusPass, corpus_pass
from core.findings.result import Card, OnProgress, Paper, Table, Verdict, halves, layer_span
from core.lib.i18n import NOTHING, Text
from core.model.layers import hidden_labels
from core.model.loading import LoadedModel

# Random pairs of different words in different contexts the baseline averages over, and their seed.
BASELINE_PAIRS = 2000
BASELINE_SEED = 0
# A word needs vectors in at least this many different pairs to have a self-similarity.
MIN_CONTEXTS = 2

CARD = Card(
    key="ethayarajh",
    name=Text("Contextuality (Ethayarajh)", "语境化程度（Ethayarajh）"),
    title=Text("How contextual are the word vectors? Self-similarity per layer", "词向量有多依赖语境？逐层的自相似度"),
    paper=Paper("Ethayarajh", 2019, "How Contextual are Contextualized Word Representations? Comparing the "
                "Geometry of BERT, ELMo, and GPT-2 Embeddings", "EMNLP"),
    claim=Text("Upper layers produce more context-specific representations: in BERT a word's self-similarity (the "
               "cosine of its vectors in different contexts) falls in the upper layers, even though every vector "
               "grows more alike (the anisotropy baseline rises) — so adjusted for anisotropy it falls further.",
               "越往上层，表示越依赖具体语境：在 BERT 中，一个词的自相似度（它在不同语境中的向量之间的余弦）在上层"
               "下降，尽管所有向量整体上变得更相似（各向异性基线上升）——因此按各向异性校正后，它下降得更多。"),
    figure=Text("Figure 2: BERT's self-similarity, adjusted for anisotropy, decreases from the lower to the upper "
                "layers; Figure 1: the anisotropy baseline (cosine of random words) increases with depth.",
                "图 2：按各向异性校正后，BERT 的自相似度从下层到上层逐渐降低；图 1：各向异性基线（随机词之间的余弦）"
                "随深度增加。"),
)
# The measured line and the verdict, filled from the same numbers in both languages.
MEASURED = Text("Adjusted self-similarity {low:.3f} in the lower {lower}, {high:.3f} in the upper {upper}, lowest in "
                "layer {lowest} ({lowest_value:.3f}); the anisotropy baseline is {first:.3f} in layer 1, highest in "
                "layer {peak} ({peak_value:.3f}), {last:.3f} in layer {layers} ({words} words, ≥ {contexts} contexts "
                "each).",
                "校正后的自相似度：下半部分（{lower}）为 {low:.3f}，上半部分（{upper}）为 {high:.3f}，第 {lowest} 层最低"
                "（{lowest_value:.3f}）；各向异性基线在第 1 层为 {first:.3f}，第 {peak} 层最高（{peak_value:.3f}），"
                "第 {layers} 层为 {last:.3f}（{words} 个词，每个词至少有 {contexts} 个语境）。")
VERDICT = Text("adjusted self-similarity {falls} from the lower to the upper layers ({low:.3f} → {high:.3f}){rises}",
               "校正后的自相似度从下层到上层{falls}（{low:.3f} → {high:.3f}）{rises}")
FALLS, DOES_NOT_FALL = Text("falls", "下降"), Text("does not fall", "没有下降")
RISES_AGAIN = Text(", though it rises again after layer {lowest}", "，不过在第 {lowest} 层之后又回升")


@dataclass(frozen=True)
class WordSelfSimilarity:
    word: str
    contexts: int  # corpus pairs it has vectors from
    self_similarity: np.ndarray  # (layers + 1,) mean pairwise cosine of its vectors


@dataclass(frozen=True)
class EthayarajhResult:
    card: Card
    model_name: str
    layers: list[str]  # (layers + 1,) "embeddings", "layer 1", …
    words: list[WordSelfSimilarity]  # the context words with at least MIN_CONTEXTS contexts
    self_similarity: np.ndarray  # (layers + 1,) mean over the words
    baseline: np.ndarray  # (layers + 1,) mean cosine of random different words in random pairs
    adjusted: np.ndarray  # (layers + 1,) self_similarity - baseline
    lower_adjusted: float  # mean adjusted self-similarity over the lower half of layers 1 … N
    upper_adjusted: float  # … over the upper half
    measured: Text
    verdict: Verdict
    table: Table


def _mean_pairwise(vectors: np.ndarray) -> float:
    """Mean cosine over the distinct pairs of rows of (n, hidden)."""
    sims = cosine_matrix(vectors).astype(np.float64)
    upper = np.triu_indices(len(vectors), k=1)
    return float(sims[upper].mean())


def _word_similarities(passed: CorpusPass) -> list[WordSelfSimilarity]:
    words = np.array(passed.words)
    found = []
    for word in corpus.CONTEXT_WORDS:
        vectors = passed.word_vectors[words == word]  # one per pair (passes keeps the first per pair)
        if len(vectors) >= MIN_CONTEXTS:
            per_layer = np.array([_mean_pairwise(vectors[:, layer]) for layer in range(vectors.shape[1])])
            found.append(WordSelfSimilarity(word, len(vectors), per_layer.astype(np.float32)))
    if not found:
        raise ValueError(f"{passed.model_name!r} cut the corpus pairs so short that no word is left in "
                         f"{MIN_CONTEXTS} pairs; a model that takes longer inputs can run this card")
    return found


def _baseline(passed: CorpusPass) -> np.ndarray:
    """Mean cosine of random pairs of occurrences of different words in different pairs. (layers + 1,)"""
    rng = np.random.default_rng(BASELINE_SEED)
    words, inputs = np.array(passed.words), passed.word_inputs
    first = rng.integers(len(words), size=BASELINE_PAIRS * 2)
    second = rng.integers(len(words), size=BASELINE_PAIRS * 2)
    keep = (words[first] != words[second]) & (inputs[first] != inputs[second])
    first, second = first[keep][:BASELINE_PAIRS], second[keep][:BASELINE_PAIRS]
    if not len(first):
        raise ValueError(f"{passed.model_name!r} left too few words of the corpus for the anisotropy baseline")
    layers = range(passed.word_vectors.shape[1])
    return np.array([cosine_matrix(passed.word_vectors[:, layer])[first, second].mean() for layer in layers],
                    dtype=np.float32)


def _table(result_layers: list[str], words: list[WordSelfSimilarity], means: tuple[np.ndarray, ...]) -> Table:
    columns = ("layer", "self-similarity", "anisotropy baseline", "adjusted", *(f"self-similarity of {w.word}" for w in words))
    rows = [(label, *(float(m[k]) for m in means), *(float(w.self_similarity[k]) for w in words))
            for k, label in enumerate(result_layers)]
    return Table(columns, rows)


def ethayarajh_from(passed: CorpusPass) -> EthayarajhResult:
    """Self-similarity, baseline and their difference per hidden state, from a corpus pass. Arrays: (layers + 1,)"""
    words = _word_similarities(passed)
    self_similarity = np.mean([w.self_similarity for w in words], axis=0).astype(np.float32)
    baseline = _baseline(passed)
    adjusted = (self_similarity - baseline).astype(np.float32)
    lower, upper = halves(passed.num_layers)
    low, high = float(adjusted[lower].mean()), float(adjusted[upper].mean())
    lowest, peak = int(np.argmin(adjusted[1:])) + 1, int(np.argmax(baseline[1:])) + 1
    measured = MEASURED.format(low=low, lower=layer_span(lower), high=high, upper=layer_span(upper), lowest=lowest,
                               lowest_value=adjusted[lowest], first=baseline[1], peak=peak, peak_value=baseline[peak],
                               last=baseline[-1], layers=passed.num_layers, words=len(words),
                               contexts=min(w.contexts for w in words))
    rises = NOTHING if lowest == passed.num_layers else RISES_AGAIN.format(lowest=lowest)
    verdict = Verdict.of(high < low, VERDICT.format(falls=FALLS if high < low else DOES_NOT_FALL, low=low, high=high,
                                                    rises=rises))
    labels = hidden_labels(passed.num_layers)
    return EthayarajhResult(CARD, passed.model_name, labels, words, self_similarity, baseline, adjusted, low, high,
                            measured, verdict, _table(labels, words, (self_similarity, baseline, adjusted)))


def ethayarajh(loaded: LoadedModel, on_progress: OnProgress = None) -> EthayarajhResult:
    """Ethayarajh's contextuality measures on the loaded model, over the corpus pairs. Arrays: (layers + 1,)"""
    return ethayarajh_from(corpus_pass(loaded, on_progress))
