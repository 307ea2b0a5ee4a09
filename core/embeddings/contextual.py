"""Contextual embeddings through the encoder stack: projections, similarities, word senses, sentence vectors.

Note section 1: BERT is a stack of Transformer encoders that turns a sentence into *contextual* word
embeddings. hidden_states[0] is the input embedding; hidden_states[k] is encoder k's output. Every
function here reads the one cached forward pass; only `same_word` runs its own sentences (cached).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from core.embeddings.input_embedding import cosine_matrix
from core.model import forward
from core.model.forward import Analysis
from core.model.inputs import EncodedInput
from core.model.loading import LoadedModel

# Two senses of "bank": the first two sentences share one, the third has the other. A sentence may start with
# its sense in brackets ("[river] …"): pairs are then marked same-sense or different-sense and compared.
DEFAULT_WORD = "bank"
DEFAULT_SENTENCES = (
    "[river] We sat on the bank of the river and watched the boats.",
    "[river] The river overflowed its bank after the storm.",
    "[money] She deposited the cheque at the bank on Monday.",
)
_SENSE_TAG = re.compile(r"^\[([^\]]{1,40})\]\s*")

# What tokenizers of the BERT family write for a character outside their vocabulary.
UNKNOWN_TOKENS = ("[UNK]", "<unk>")


@dataclass(frozen=True)
class Units:
    """What the views plot: one row per token, or per word when WordPiece pieces are merged back."""

    labels: list[str]  # the token, or the word's original text (accents, Chinese, emoji kept)
    sentence_ids: list[int | None]  # 0 = A, 1 = B, None = special token
    members: list[list[int]]  # the token positions averaged into each unit
    vectors: np.ndarray  # (layers + 1, units, hidden)


@dataclass(frozen=True)
class Projection:
    """One layer's unit vectors on their top principal components, rotated to line up with the layer below.

    Each layer keeps its own PCA plane (its best 2-D/3-D view), scaled to the same spread (root-mean-square
    distance 1 from the centre: vector norms grow through the stack, and one range for unscaled layers crowds
    the quieter ones into a dot); an orthogonal Procrustes rotation turns it to match the previous layer's
    aligned coordinates, so a token can be followed from layer to layer, and `extent` is one axis half-range
    for every layer, so the axes do not jump either.
    """

    layer: int  # hidden-state index: 0 = embeddings, k = layer k (core/model/layers.py)
    labels: list[str]
    sentence_ids: list[int | None]
    coords: np.ndarray  # (units, dims) aligned coordinates
    explained: np.ndarray  # (dims,) share of this layer's variance each principal component explains
    extent: float  # half-range of every axis, the same at every layer: max |coordinate| over all layers


@dataclass(frozen=True)
class SameWord:
    """One word's vector in several sentences, compared pairwise at every layer."""

    word: str
    sentences: list[str]  # without their sense tags
    pair_labels: list[str]  # "1 vs 2 (same sense)", … one per pair of sentences
    similarity: np.ndarray  # (pairs, layers + 1) cosine similarity of the word's vectors
    senses: list[str | None]  # (sentences,) the sense each sentence was tagged with, if any
    same_sense: list[bool | None]  # (pairs,) both tagged: same sense or not; else None

    def sense_gap(self) -> tuple[float, float] | None:
        """(mean last-layer similarity of same-sense pairs, of different-sense pairs), when both kinds exist."""
        same = [row[-1] for row, flag in zip(self.similarity, self.same_sense) if flag is True]
        different = [row[-1] for row, flag in zip(self.similarity, self.same_sense) if flag is False]
        return (float(np.mean(same)), float(np.mean(different))) if same and different else None


@dataclass(frozen=True)
class SentenceVectors:
    """[CLS] and mean-pooled sentence vectors per layer, and how similar A and B look through each."""

    layers: list[int]  # 0 … L
    in_pair_mean: np.ndarray  # (layers + 1,) cos(mean of A tokens, mean of B tokens) in the pair's pass
    in_pair_cls_vs_mean: np.ndarray  # (layers + 1, 2) cos([CLS], mean of A) and cos([CLS], mean of B)
    separate_cls: np.ndarray  # (layers + 1,) cos([CLS] of A alone, [CLS] of B alone)
    separate_mean: np.ndarray  # (layers + 1,) cos(mean of A alone, mean of B alone)

    def cls_blind_layers(self, above: float = 0.99) -> list[int]:
        """Layers where [CLS] of A and [CLS] of B (encoded alone) are practically the same vector."""
        return [k for k, sim in zip(self.layers, self.separate_cls) if sim >= above]


def _unit_label(encoded: EncodedInput, members: list[int], merge_words: bool) -> str:
    """A piece as the model sees it ([UNK] shows what it replaced); a merged word as typed."""
    token = encoded.tokens[members[0]]
    if encoded.special_mask[members[0]]:
        return token
    word = encoded.word_at(members[0]).text  # [UNK] is a whole word: the word it replaced
    if merge_words:
        return word
    return f"{token} ({word})" if token in UNKNOWN_TOKENS else token


def group_tokens(encoded: EncodedInput, merge_words: bool) -> list[list[int]]:
    """Token positions per unit: one each, or the pieces of each word together (specials stay alone)."""
    if not merge_words:
        return [[i] for i in range(len(encoded))]
    return [list(word.positions) for word in encoded.words]


def units(analysis: Analysis, merge_words: bool = False, include_special: bool = True) -> Units:
    """Token (or word) vectors at every layer; merged words are the mean of their pieces."""
    encoded = analysis.inputs
    groups = [g for g in group_tokens(encoded, merge_words) if include_special or not encoded.special_mask[g[0]]]
    if not groups:
        raise ValueError("no tokens left to show — include the special tokens or type a sentence")
    vectors = np.stack([analysis.hidden_states[:, g].mean(axis=1) for g in groups], axis=1)
    labels = [_unit_label(encoded, g, merge_words) for g in groups]
    return Units(labels, [encoded.sentence_ids[g[0]] for g in groups], groups, vectors)


def pca(vectors: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Project rows on their top `dims` principal components (numpy SVD): ((n, dims), (dims,) explained share)."""
    if dims not in (2, 3):
        raise ValueError("a projection has 2 or 3 dimensions")
    centered = vectors - vectors.mean(axis=0, keepdims=True)
    u, s, _ = np.linalg.svd(centered.astype(np.float64), full_matrices=False)
    coords = np.zeros((len(vectors), dims))
    k = min(dims, len(s))
    coords[:, :k] = u[:, :k] * s[:k]
    total = float((s**2).sum())
    explained = np.zeros(dims)
    explained[:k] = (s[:k] ** 2) / total if total > 0 else 0.0
    return coords.astype(np.float32), explained.astype(np.float32)


def procrustes_rotation(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The orthogonal matrix R (rotation or reflection) minimising ||source·R − target||: (dims, dims)."""
    u, _, vt = np.linalg.svd(source.astype(np.float64).T @ target.astype(np.float64))
    return u @ vt


def aligned_pcas(chosen: Units, dims: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Every layer's PCA, each rotated onto the one below: ((layers + 1, units, dims), (layers + 1, dims) explained)."""
    coords, explained = zip(*(pca(layer_vectors, dims) for layer_vectors in chosen.vectors))
    coords = [c / (float(np.sqrt((c.astype(np.float64) ** 2).sum(axis=1).mean())) or 1.0) for c in coords]
    aligned = [coords[0]]
    for layer_coords in coords[1:]:
        aligned.append(layer_coords @ procrustes_rotation(layer_coords, aligned[-1]))
    return np.stack(aligned).astype(np.float32), np.stack(explained)


def project(chosen: Units, layer: int, dims: int = 2) -> Projection:
    """One layer's PCA (0 = the input embedding), aligned across layers with one axis range for all of them."""
    if not 0 <= layer < chosen.vectors.shape[0]:
        raise ValueError(f"layer must be between 0 (embeddings) and {chosen.vectors.shape[0] - 1}")
    coords, explained = aligned_pcas(chosen, dims)
    extent = float(np.abs(coords).max()) or 1.0
    return Projection(layer, chosen.labels, chosen.sentence_ids, coords[layer], explained[layer], extent)


def similarity(chosen: Units, layer: int) -> np.ndarray:
    """Unit-by-unit cosine similarity at one layer: (units, units)."""
    return cosine_matrix(chosen.vectors[layer])


def drift(chosen: Units) -> np.ndarray:
    """How far context moves each unit: cos(its vector at layer k, at layer 0) as (layers + 1, units)."""
    base = chosen.vectors[0]
    dots = (chosen.vectors * base[None]).sum(-1)
    norms = np.linalg.norm(chosen.vectors, axis=-1) * np.linalg.norm(base, axis=-1)[None]
    return (dots / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def word_vectors(analysis: Analysis, word: str) -> np.ndarray:
    """Mean of the pieces of the first `word` (any case) in a single-sentence analysis: (layers + 1, hidden)."""
    chosen = units(analysis, merge_words=True, include_special=False)
    for label, members in zip(chosen.labels, chosen.members):
        if label.lower() == word.lower():
            return analysis.hidden_states[:, members].mean(axis=1)
    raise ValueError(f"the word {word!r} does not occur in {analysis.inputs.text_a!r} — type it as a whole word")


def same_word(loaded: LoadedModel, word: str, sentences: list[str]) -> SameWord:
    """One word in several sentences: its vectors' cosine similarity per layer for every pair of sentences."""
    word = word.strip()
    sentences = [s.strip() for s in sentences if s.strip()]
    if not word:
        raise ValueError("type the word to follow, e.g. bank")
    if len(sentences) < 2:
        raise ValueError("type at least two sentences that contain the word")
    tagged = [split_sense(s) for s in sentences]
    senses, sentences = [sense for sense, _ in tagged], [text for _, text in tagged]
    per_sentence = [word_vectors(forward.analyze(loaded, s), word) for s in sentences]
    pairs = list(itertools.combinations(range(len(sentences)), 2))
    sims = np.stack([_cosine_rows(per_sentence[i], per_sentence[j]) for i, j in pairs])
    same = [None if senses[i] is None or senses[j] is None else senses[i] == senses[j] for i, j in pairs]
    labels = [f"{i + 1} vs {j + 1}" + ("" if flag is None else " (same sense)" if flag else " (different senses)")
              for (i, j), flag in zip(pairs, same)]
    return SameWord(word, sentences, labels, sims, senses, same)


def split_sense(line: str) -> tuple[str | None, str]:
    """'[river] The bank of the river.' -> ('river', 'The bank of the river.'); untagged lines -> (None, line)."""
    match = _SENSE_TAG.match(line)
    if not match:
        return None, line
    return match.group(1).strip().lower(), line[match.end():].strip()


def _cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of two (n, dim) arrays: (n,)."""
    norms = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    return ((a * b).sum(-1) / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def _mean_of_sentence(analysis: Analysis, sentence: int) -> np.ndarray:
    """Mean of one sentence's tokens (no specials) at every layer: (layers + 1, hidden)."""
    members = [i for i, s in enumerate(analysis.inputs.sentence_ids) if s == sentence]
    return analysis.hidden_states[:, members].mean(axis=1)


def sentence_vectors(loaded: LoadedModel, analysis: Analysis) -> SentenceVectors:
    """[CLS] vs mean pooling per layer, within the pair's pass and with A and B encoded alone (cached runs)."""
    encoded = analysis.inputs
    if not encoded.is_pair:
        raise ValueError("sentence vectors compare A with B — type a sentence B in the sidebar")
    cls = analysis.hidden_states[:, 0]
    mean_a, mean_b = _mean_of_sentence(analysis, 0), _mean_of_sentence(analysis, 1)
    alone_a, alone_b = forward.analyze(loaded, encoded.text_a), forward.analyze(loaded, encoded.text_b)
    return SentenceVectors(
        layers=list(range(analysis.num_layers + 1)),
        in_pair_mean=_cosine_rows(mean_a, mean_b),
        in_pair_cls_vs_mean=np.stack([_cosine_rows(cls, mean_a), _cosine_rows(cls, mean_b)], axis=1),
        separate_cls=_cosine_rows(alone_a.hidden_states[:, 0], alone_b.hidden_states[:, 0]),
        separate_mean=_cosine_rows(_mean_of_sentence(alone_a, 0), _mean_of_sentence(alone_b, 0)),
    )
