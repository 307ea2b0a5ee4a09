"""BERT's input embedding and its contextual embeddings, read from the one cached forward pass.

Note section 2: Input = Token Embedding + Segment Embedding + Position Embedding (then LayerNorm);
every token of sentence A shares one segment vector and every token of B another; position
embeddings are *learned* rows, unlike the sine/cosine encoding of the original Transformer.
Note section 1: the encoder stack turns these into contextual embeddings, layer by layer
(projections, similarities and sentence vectors of them live in core/embeddings/contextual.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.model.forward import Analysis
from core.model.loading import LoadedModel

# How many positions the position view shows by default (the table has 512 rows in BERT).
DEFAULT_POSITIONS = 128


@dataclass(frozen=True)
class EmbeddingSum:
    """Token + segment + position, the sum, its LayerNorm, and the check against the model's own output."""

    tokens: list[str]
    token: np.ndarray  # (seq, emb) token (WordPiece) embedding rows
    segment: np.ndarray  # (seq, emb) segment rows; zeros when the model has no segment table
    position: np.ndarray  # (seq, emb) learned position rows
    summed: np.ndarray  # (seq, emb) token + segment + position
    normalized: np.ndarray  # (seq, hidden) the model's own LayerNorm of the sum (projected where the model does)
    embedding_output: np.ndarray  # (seq, hidden) what the model itself fed its first encoder
    max_abs_diff: float  # max |normalized - embedding_output|; ~1e-6 when the sum is all there is

    @property
    def matches(self) -> bool:
        return self.max_abs_diff < 1e-4

    def sum_rows(self, index: int, dims: int = 6) -> dict[str, list[float]]:
        """The first `dims` numbers of each part for one token, so "token + segment + position = sum" can be
        checked by eye: {"token": […], "segment": […], "position": […], "sum": […], "LayerNorm(sum)": […]}."""
        dims = max(1, min(dims, self.summed.shape[1], self.normalized.shape[1]))
        parts = {"token": self.token, "segment": self.segment, "position": self.position, "sum": self.summed,
                 "LayerNorm(sum)": self.normalized}
        return {name: [float(x) for x in rows[index, :dims]] for name, rows in parts.items()}


@dataclass(frozen=True)
class SegmentVectors:
    """The segment (token type) table and how each token of a sentence gets the same row."""

    vectors: np.ndarray  # (type_vocab, emb) every row of the segment table (BERT: 2 rows, A and B)
    token_segments: list[int]  # (seq,) the segment id of each token
    per_token: np.ndarray  # (seq, emb) the row each token received in the forward pass
    max_spread: float  # largest difference between two tokens of the same segment (0 = identical)


@dataclass(frozen=True)
class PositionComparison:
    """The learned position table next to the original Transformer's sine/cosine encoding."""

    learned: np.ndarray  # (positions, emb) rows of the model's position embedding table
    sinusoidal: np.ndarray  # (positions, emb) sin/cos encoding of "Attention is all you need"
    learned_similarity: np.ndarray  # (positions, positions) cosine similarity between learned rows
    sinusoidal_similarity: np.ndarray  # (positions, positions) cosine similarity between sin/cos rows


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """Cosine similarity between every pair of rows: (n, dim) -> (n, n), symmetric, ones on the diagonal."""
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms == 0, 1.0, norms)
    sims = np.clip(unit @ unit.T, -1.0, 1.0)
    np.fill_diagonal(sims, 1.0)
    return sims.astype(np.float32)


def _to_hidden(loaded: LoadedModel, embedded: torch.Tensor) -> torch.Tensor:
    """The projection some encoders apply between embeddings and encoder (ALBERT, small ELECTRA); else as is."""
    encoder = loaded.encoder
    for project in (getattr(encoder, "embeddings_project", None),
                    getattr(getattr(encoder, "encoder", None), "embedding_hidden_mapping_in", None)):
        if project is not None:
            return project(embedded)
    return embedded


def embedding_sum(loaded: LoadedModel, analysis: Analysis) -> EmbeddingSum:
    """Add the three captured embeddings, apply the model's own LayerNorm (eval mode: dropout off), compare."""
    token, position = analysis.token_embeddings, analysis.position_embeddings
    segment = analysis.segment_embeddings if analysis.segment_embeddings is not None else np.zeros_like(token)
    summed = token + segment + position
    embeddings = loaded.encoder.embeddings
    if embeddings.training:
        raise ValueError("the model is in training mode, so dropout would change the embedding output")
    with torch.no_grad():
        normed = embeddings.LayerNorm(torch.from_numpy(summed).to(loaded.device))
        normed = _to_hidden(loaded, normed).float().cpu().numpy()
    return EmbeddingSum(
        tokens=list(analysis.inputs.tokens),
        token=token,
        segment=segment,
        position=position,
        summed=summed,
        normalized=normed,
        embedding_output=analysis.embedding_output,
        max_abs_diff=float(np.abs(normed - analysis.embedding_output).max()),
    )


def segment_vectors(loaded: LoadedModel, analysis: Analysis) -> SegmentVectors:
    """The model's segment table and the rows each token got; raises when the model has no segments."""
    table = getattr(loaded.encoder.embeddings, "token_type_embeddings", None)
    if table is None or analysis.segment_embeddings is None:
        raise ValueError(f"{loaded.name!r} has no segment (token type) embeddings; BERT and ALBERT have them")
    ids = list(analysis.inputs.token_type_ids)
    per_token = analysis.segment_embeddings
    spread = max(
        float(np.abs(per_token[[i for i, s in enumerate(ids) if s == seg]] - per_token[ids.index(seg)]).max())
        for seg in set(ids)
    )
    return SegmentVectors(
        vectors=table.weight.detach().float().cpu().numpy(),
        token_segments=ids,
        per_token=per_token,
        max_spread=spread,
    )


def sinusoidal_encoding(positions: int, dim: int) -> np.ndarray:
    """The fixed sine/cosine position encoding of the original Transformer: (positions, dim)."""
    pos = np.arange(positions, dtype=np.float64)[:, None]
    rates = 1.0 / np.power(10000.0, (2 * (np.arange(dim) // 2)) / dim)
    angles = pos * rates[None, :]
    return np.where(np.arange(dim) % 2 == 0, np.sin(angles), np.cos(angles)).astype(np.float32)


def learned_positions(loaded: LoadedModel, positions: int) -> np.ndarray:
    """The first `positions` rows the model uses for positions 0, 1, … (RoBERTa's table starts past padding)."""
    embeddings = loaded.encoder.embeddings
    table = embeddings.position_embeddings.weight.detach().float().cpu().numpy()
    padding = getattr(embeddings, "padding_idx", None)
    first = 0 if padding is None else padding + 1
    available = table.shape[0] - first
    if not 2 <= positions <= available:
        raise ValueError(f"choose between 2 and {available} positions; this model's table has {available}")
    return table[first : first + positions]


def position_comparison(loaded: LoadedModel, positions: int = DEFAULT_POSITIONS) -> PositionComparison:
    """Learned position rows vs sine/cosine encoding for the same positions, with their similarity maps."""
    learned = learned_positions(loaded, positions)
    sinusoidal = sinusoidal_encoding(positions, learned.shape[1])
    return PositionComparison(
        learned=learned,
        sinusoidal=sinusoidal,
        learned_similarity=cosine_matrix(learned),
        sinusoidal_similarity=cosine_matrix(sinusoidal),
    )
