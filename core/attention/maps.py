"""Attention maps from the one cached forward pass: one head or the head average, word merging,
per-head statistics for the layers × heads overview, attention rollout, and exports.

Note section 1: BERT is a stack of Transformer encoders, each with multi-head self-attention.
`Analysis.attentions` holds every layer's and head's weights (layers, heads, seq, seq); row i is how
token i spreads its attention over all tokens, so every row sums to 1. Nothing here runs the model.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy

from core.model.forward import Analysis
from core.model.inputs import EncodedInput
from core.model.layers import attention_layer_label, attention_layer_number
from core.render import spreadsheet_safe

# Per-head statistics the overview grid offers: key -> (label, what it measures).
STATISTICS = {
    "entropy": ("entropy (bits)", "how spread out a row is: 0 = all on one token, log2(seq) = uniform"),
    "cls": ("attention to [CLS]", "mean share of each row that lands on the first special token ([CLS])"),
    "sep": ("attention to [SEP]", "mean share of each row that lands on the other special tokens ([SEP])"),
    "self": ("attention to self", "mean share a token keeps on itself (the diagonal)"),
    "previous": ("attention to previous token", "mean share on the token just before (i → i−1)"),
    "next": ("attention to next token", "mean share on the token just after (i → i+1)"),
    "other_sentence": ("attention to the other sentence", "mean share a token of A puts on B and of B on A"),
    "punctuation": ("attention to punctuation", "mean share of each row on punctuation tokens (. , ? …)"),
    "distance": ("attention distance (tokens)", "mean |i − j| under each row's weights: how far away a head looks"),
}
# Appended to repeated labels so plotly keeps them as separate categories while they look the same.
ZERO_WIDTH_SPACE = "\u200b"
# Weight of the residual connection in rollout: Abnar & Zuidema (2020) mix 0.5·A + 0.5·I.
ROLLOUT_RESIDUAL = 0.5


@dataclass(frozen=True)
class AttentionMap:
    """One square map with its labels: rows attend (queries), columns are attended (keys)."""

    matrix: np.ndarray  # (rows, cols); before hiding specials every row sums to 1
    row_labels: list[str]  # (rows,)
    col_labels: list[str]  # (cols,)
    title: str
    note: str = ""  # how the map was derived (merging, hidden tokens), in words


@dataclass(frozen=True)
class HeadStatistic:
    """One number per head, for the layers × heads overview grid."""

    key: str
    label: str
    description: str
    values: np.ndarray  # (layers, heads); NaN where the statistic does not apply (e.g. one sentence)


@dataclass(frozen=True)
class Rollout:
    """Attention rollout: how much each input token feeds each position after layer 1..L."""

    matrices: np.ndarray  # (layers, seq, seq) row i of matrices[l] = token i's sources after layer l+1
    tokens: list[str]  # (seq,)
    residual: float  # weight of the identity (residual) term mixed into each layer


def _check_layer_head(analysis: Analysis, layer: int, head: int | None) -> None:
    if not 0 <= layer < analysis.num_layers:
        raise ValueError(f"attention index {layer} does not exist: this model has {analysis.num_layers} layers "
                         f"(indices 0–{analysis.num_layers - 1} are layers 1–{analysis.num_layers})")
    if head is not None and not 0 <= head < analysis.num_heads:
        raise ValueError(f"head {head} does not exist: this model has heads 0–{analysis.num_heads - 1}")


def head_matrix(analysis: Analysis, layer: int, head: int | None = None) -> np.ndarray:
    """One head's attention, or the average over the layer's heads when head is None. (seq, seq)"""
    _check_layer_head(analysis, layer, head)
    layer_attn = analysis.attentions[layer]
    return layer_attn.mean(axis=0) if head is None else layer_attn[head]


def word_groups(encoded: EncodedInput) -> tuple[list[list[int]], list[str]]:
    """Token positions grouped into words (special tokens stay alone) and each group's text."""
    return [list(word.positions) for word in encoded.words], [word.text for word in encoded.words]


def membership_matrix(groups: list[list[int]], seq_len: int) -> np.ndarray:
    """Membership matrix of tokens in groups. (groups, seq)"""
    membership = np.zeros((len(groups), seq_len), dtype=np.float64)
    for g, positions in enumerate(groups):
        membership[g, positions] = 1.0
    return membership


def merge_words(matrix: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """Word-level attention: SUM over the attended pieces (columns), MEAN over the attending pieces (rows).

    Summing columns keeps what a word receives; averaging rows keeps every row a distribution (sum 1).
    (words, words)
    """
    membership = membership_matrix(groups, matrix.shape[0])
    row_mean = membership / membership.sum(axis=1, keepdims=True)
    return (row_mean @ matrix.astype(np.float64) @ membership.T).astype(np.float32)


def _unit_labels(encoded: EncodedInput, merge: bool) -> tuple[list[list[int]], list[str]]:
    if merge:
        return word_groups(encoded)
    return [[i] for i in range(len(encoded))], list(encoded.tokens)


def _disambiguate(labels: list[str]) -> list[str]:
    """Plotly merges equal category labels; repeated tokens get invisible zero-width spaces to stay apart."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        out.append(label + ZERO_WIDTH_SPACE * seen.get(label, 0))
        seen[label] = seen.get(label, 0) + 1
    return out


def attention_map(
    analysis: Analysis, layer: int, head: int | None = None, merge: bool = False, hide_special: bool = False
) -> AttentionMap:
    """The heatmap data of one head (or the head average), optionally per word and without [CLS]/[SEP]."""
    encoded = analysis.inputs
    groups, labels = _unit_labels(encoded, merge)
    matrix = head_matrix(analysis, layer, head)
    matrix = merge_words(matrix, groups) if merge else matrix
    notes = []
    if merge:
        notes.append("word level: attention SUMMED over the attended word's pieces, AVERAGED over the attending word's pieces")
    if hide_special:
        keep = [g for g, group in enumerate(groups) if not encoded.special_mask[group[0]]]
        if not keep:
            raise ValueError("the input has only special tokens; show [CLS]/[SEP] to see its attention")
        matrix = matrix[np.ix_(keep, keep)]
        labels = [labels[g] for g in keep]
        notes.append("[CLS]/[SEP] hidden: rows are not renormalised, so they sum to less than 1 by what went to them")
    who = "average of all heads" if head is None else f"head {head}"
    return AttentionMap(matrix, _disambiguate(labels), _disambiguate(labels), f"{attention_layer_label(layer).capitalize()}, {who}", "; ".join(notes))


def _special_positions(encoded: EncodedInput) -> tuple[list[int], list[int]]:
    """[CLS] = the first special token; [SEP] = every other special token (RoBERTa's <s> / </s> alike)."""
    specials = [i for i, special in enumerate(encoded.special_mask) if special]
    return specials[:1], specials[1:]


def _other_sentence_mask(encoded: EncodedInput) -> np.ndarray | None:
    """True where row token and column token belong to different sentences; None for one sentence. (seq, seq)"""
    if not encoded.is_pair:
        return None
    sentence = np.array([-1 if s is None else s for s in encoded.sentence_ids])
    in_sentence = sentence >= 0
    return in_sentence[:, None] & in_sentence[None, :] & (sentence[:, None] != sentence[None, :])


def _statistic_values(key: str, attn: np.ndarray, encoded: EncodedInput) -> np.ndarray:
    """attn is (layers, heads, seq, seq); returns (layers, heads)."""
    seq = attn.shape[-1]
    cls, sep = _special_positions(encoded)
    if key == "entropy":
        return -xlogy(attn, attn).sum(-1).mean(-1) / np.log(2.0)  # xlogy: 0·log 0 = 0
    if key == "cls":
        return attn[..., cls].sum(-1).mean(-1)
    if key == "sep":
        return attn[..., sep].sum(-1).mean(-1) if sep else np.zeros(attn.shape[:2])
    if key == "self":
        return np.diagonal(attn, axis1=-2, axis2=-1).mean(-1)
    if key in ("previous", "next"):
        if seq < 2:
            return np.full(attn.shape[:2], np.nan)
        offset = -1 if key == "previous" else 1
        return np.diagonal(attn, offset=offset, axis1=-2, axis2=-1).mean(-1)
    if key == "other_sentence":
        mask = _other_sentence_mask(encoded)
        if mask is None:
            return np.full(attn.shape[:2], np.nan)
        rows = mask.any(axis=1)
        return (attn * mask).sum(-1)[..., rows].mean(-1)
    if key == "punctuation":
        punctuation = _punctuation_positions(encoded)
        return attn[..., punctuation].sum(-1).mean(-1) if punctuation else np.zeros(attn.shape[:2])
    if key == "distance":
        positions = np.arange(seq)
        return (attn * np.abs(positions[:, None] - positions[None, :])).sum(-1).mean(-1)
    raise ValueError(f"unknown statistic {key!r}; choose one of {', '.join(STATISTICS)}")


def _punctuation_positions(encoded: EncodedInput) -> list[int]:
    """Positions of ordinary tokens made of punctuation only ('.', ',', '?', '##.'…); specials are not."""
    def punctuation(token: str) -> bool:
        token = token.removeprefix("##")
        return bool(token) and all(unicodedata.category(c).startswith("P") for c in token)

    return [i for i, (token, special) in enumerate(zip(encoded.tokens, encoded.special_mask))
            if not special and punctuation(token)]


def head_statistic(analysis: Analysis, key: str) -> HeadStatistic:
    """One statistic for every layer and head, averaged over the attending tokens. values: (layers, heads)"""
    if key not in STATISTICS:
        raise ValueError(f"unknown statistic {key!r}; choose one of {', '.join(STATISTICS)}")
    values = _statistic_values(key, analysis.attentions, analysis.inputs)
    label, description = STATISTICS[key]
    return HeadStatistic(key, label, description, values.astype(np.float32))


def attention_rollout(analysis: Analysis, residual: float = ROLLOUT_RESIDUAL) -> Rollout:
    """Abnar & Zuidema (2020) rollout: Â_l = norm(residual·I + (1−residual)·mean_heads A_l); R_l = Â_l · R_(l−1).

    Rows of every R_l sum to 1. matrices: (layers, seq, seq)
    """
    if not 0.0 <= residual < 1.0:
        raise ValueError("the residual weight must be in [0, 1)")
    layers = analysis.attentions.astype(np.float64).mean(axis=1)  # (layers, seq, seq)
    identity = np.eye(layers.shape[-1])
    rolled = identity
    out = []
    for layer_attn in layers:
        mixed = residual * identity + (1.0 - residual) * layer_attn
        mixed /= mixed.sum(axis=-1, keepdims=True)
        rolled = mixed @ rolled
        out.append(rolled)
    return Rollout(np.stack(out).astype(np.float32), list(analysis.inputs.tokens), residual)


def rollout_map(rollout: Rollout, layer: int) -> AttentionMap:
    """The rollout after attention index `layer` (0-based, so 0 = through layer 1) as a heatmap."""
    if not 0 <= layer < len(rollout.matrices):
        raise ValueError(f"attention index {layer} does not exist: rollout has indices 0–{len(rollout.matrices) - 1} "
                         f"(layers 1–{len(rollout.matrices)})")
    labels = _disambiguate(rollout.tokens)
    note = f"rollout with residual weight {rollout.residual}: rows sum to 1"
    return AttentionMap(rollout.matrices[layer], labels, labels, f"Rollout through {attention_layer_label(layer)}", note)


def top_sources(rollout: Rollout, token: int, k: int = 5) -> list[tuple[str, float]]:
    """What token `token` attends to after all layers: the k input tokens with the largest rollout weight."""
    if not 0 <= token < len(rollout.tokens):
        raise ValueError(f"token {token} does not exist: the input has positions 0–{len(rollout.tokens) - 1}")
    row = rollout.matrices[-1][token]
    order = np.argsort(-row)[:k]
    return [(rollout.tokens[j], float(row[j])) for j in order]


def map_csv(amap: AttentionMap) -> str:
    """A heatmap as CSV: a header of attended labels, then one row per attending label."""
    buffer = io.StringIO()
    cols, row_names = [plain_label(c) for c in amap.col_labels], [plain_label(r) for r in amap.row_labels]
    header = ["attending \\ attended", *cols]
    rows = [header] + [[label, *(f"{v:.6g}" for v in row)] for label, row in zip(row_names, amap.matrix)]
    for row in rows:
        buffer.write(",".join(_csv_cell(c) for c in row) + "\n")
    return buffer.getvalue()


def plain_label(label: str) -> str:
    return label.replace(ZERO_WIDTH_SPACE, "")


def _csv_cell(value: str) -> str:
    value = spreadsheet_safe(value)
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


def attentions_npz(analysis: Analysis) -> bytes:
    """Every layer's and head's attention plus the tokens as a compressed .npz file."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, attentions=analysis.attentions, tokens=np.array(analysis.inputs.tokens),
                        token_type_ids=np.array(analysis.inputs.token_type_ids))
    return buffer.getvalue()


# Long-format CSV of every weight is offered up to this many rows (about 30 bytes each); NPZ has no limit.
MAX_CSV_ROWS = 1_000_000


def attentions_csv(analysis: Analysis) -> str:
    """Every weight in long format: layer (1 … N, as on the page), head, from/to position and token, weight."""
    layers, heads, seq, _ = analysis.attentions.shape
    if layers * heads * seq * seq > MAX_CSV_ROWS:
        raise ValueError(f"{layers * heads * seq * seq:,} weights are too many for CSV; download the NPZ file instead")
    tokens = [_csv_cell(t) for t in analysis.inputs.tokens]
    lines = ["layer,head,from_position,from_token,to_position,to_token,weight"]
    for (layer, head, i, j), weight in np.ndenumerate(analysis.attentions):
        lines.append(f"{attention_layer_number(layer)},{head},{i},{tokens[i]},{j},{tokens[j]},{weight:.6g}")
    return "\n".join(lines) + "\n"
