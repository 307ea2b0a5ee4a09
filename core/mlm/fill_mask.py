"""Masked-word prediction (MLM) from the model's own head: fill-mask top-k, whole-word masking, logit lens.

Note section 3.1: BERT pre-trains by predicting masked words from *both* sides of the context (an
auto-encoding model, unlike left-to-right GPT). Every number here comes from the checkpoint's real
MLM head; a model without one gets a clear error (capabilities.require_head), never a random head.

The logit lens applies that same head module to every layer's hidden state (no extra forward pass),
showing at which depth the model "knows" the masked word.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from core import config
from core.lib.lru import LRUCache
from core.model import forward
from core.model import loading as models
from core.model.capabilities import Head, require_head
from core.model.forward import Analysis
from core.model.inputs import EncodedInput
from core.model.layers import hidden_labels

# What a person may type for a mask: "[MASK]", "[mask]", "[ Mask ]", "<mask>" all mean the model's mask token.
MASK_PATTERN = re.compile(r"\[\s*mask\s*\]|<\s*mask\s*>", re.IGNORECASE)
NO_MASK_MESSAGE = "no [MASK] token in the text — type [MASK] or click a token to mask it"
CUT_MASK_MESSAGE = ("every [MASK] lies beyond the model's input limit and was cut off with the end of the text — "
                    "shorten the text or move the mask nearer the start")
DEFAULT_TOP_K = 5
MAX_TOP_K = 50
# Masked analyses (user-chosen positions) the process keeps, besides forward.analyze's own cache, within
# config.ANALYSIS_CACHE_MB.
MASKED_CACHE_SIZE = 32


@dataclass(frozen=True)
class TokenScore:
    """One vocabulary entry and its probability."""

    token: str
    token_id: int
    score: float  # softmax probability over the whole vocabulary, as the fill-mask pipeline reports it


@dataclass(frozen=True)
class MaskPrediction:
    """What the MLM head predicts at one masked position."""

    position: int  # index in the model's token sequence ([CLS] = 0)
    predictions: list[TokenScore]  # top-k, most probable first
    original: str | None  # the token the user masked; None where [MASK] was typed
    original_rank: int | None  # 1-based rank of the original token over the whole vocabulary
    original_score: float | None


@dataclass(frozen=True)
class FillMaskResult:
    """Top-k predictions for every masked position, in text order."""

    model_name: str
    tokens: list[str]  # (seq,) what the model saw, masks included
    original_tokens: list[str]  # (seq,) the tokens before user-chosen positions were masked
    masks: list[MaskPrediction]


@dataclass(frozen=True)
class LogitLens:
    """The MLM head applied to the hidden state of one masked position after every layer."""

    model_name: str
    position: int
    layers: list[str]  # (depth,) "embeddings", "layer 1", … "layer L"
    columns: list[TokenScore]  # (k,) tokens shown as columns (the masked word last), scored at the last layer
    probs: np.ndarray  # (depth, k) probability of each column token at each depth
    top: list[TokenScore]  # (depth,) the most probable token at each depth
    original: str | None  # the masked word, when the user masked a real one
    original_ranks: list[int] | None  # (depth,) its 1-based rank at each depth


@dataclass(frozen=True)
class WordMaskingComparison:
    """One multi-piece word with one piece masked vs all of its pieces masked."""

    word: str
    positions: list[int]  # the word's WordPiece positions
    sub_word: FillMaskResult  # only the chosen piece masked: its neighbours give the word away
    whole_word: FillMaskResult  # every piece masked (whole-word masking)


def normalize_masks(text: str | None, mask_token: str) -> str | None:
    """The text with every way of typing a mask ([mask], [ MASK ], <mask>) turned into the model's mask token."""
    return None if text is None else MASK_PATTERN.sub(mask_token, text)


def typed_mask_positions(encoded: EncodedInput, mask_token_id: int) -> list[int]:
    """Positions of the mask tokens present in an encoded input, sentence A and B alike."""
    return [i for i, tid in enumerate(encoded.input_ids) if tid == mask_token_id]


def callable_mlm_head(loaded: models.LoadedModel) -> Callable[[torch.Tensor], torch.Tensor]:
    """forward.mlm_head, required: the model's own MLM head, mapping hidden states (..., hidden) to vocabulary
    logits (..., vocab), or a clear error."""
    require_head(loaded, Head.MLM)
    head = forward.mlm_head(loaded)
    if head is None:
        raise ValueError(f"{loaded.name!r} has an MLM head this app cannot call on its own ({type(loaded.model).__name__})")
    return head


def _with_masks(loaded: models.LoadedModel, encoded: EncodedInput, positions: Sequence[int]) -> EncodedInput:
    """The encoded input with the given token positions replaced by the mask token (ids and pieces)."""
    for p in positions:
        if not 0 <= p < len(encoded) or encoded.special_mask[p]:
            raise ValueError(f"position {p} is not a word piece of the input ([CLS]/[SEP] cannot be masked)")
    tok = loaded.tokenizer
    ids, tokens = list(encoded.input_ids), list(encoded.tokens)
    for p in positions:
        ids[p], tokens[p] = tok.mask_token_id, tok.mask_token
    return dataclasses.replace(encoded, input_ids=ids, tokens=tokens)


# Forward passes over inputs with user-chosen masked positions.
_MASKED: LRUCache[Analysis] = LRUCache(MASKED_CACHE_SIZE, config.ANALYSIS_CACHE_MB * 2**20)


def masked_encoding(loaded: models.LoadedModel, text_a: str, text_b: str | None = None) -> EncodedInput:
    """The input as masked_analysis reads it (typed masks normalized), without a forward pass."""
    mask = loaded.tokenizer.mask_token
    if mask is None:
        raise ValueError(f"{loaded.name!r} has no mask token, so it cannot fill masks")
    return forward.encode_for(loaded, normalize_masks(text_a, mask), normalize_masks(text_b, mask))


def masked_analysis(
    loaded: models.LoadedModel, text_a: str, text_b: str | None = None, positions: Sequence[int] = ()
) -> tuple[Analysis, EncodedInput]:
    """The forward pass of the text with `positions` masked, and the unmasked encoding (for the originals).

    With no positions to mask this is forward.analyze's cached one pass; otherwise one extra, cached pass.
    """
    mask = loaded.tokenizer.mask_token
    if mask is None:
        raise ValueError(f"{loaded.name!r} has no mask token, so it cannot fill masks")
    text_a, text_b = normalize_masks(text_a, mask), normalize_masks(text_b, mask)
    base = forward.analyze(loaded, text_a, text_b)
    positions = tuple(sorted(set(positions)))
    if not positions:
        return base, base.inputs
    masked = _with_masks(loaded, base.inputs, positions)
    key = (loaded.load_id, base.inputs.text_a, base.inputs.text_b, base.inputs.max_length, positions)
    return _MASKED.get_or_run(key, lambda: forward.run_forward(loaded, masked)), base.inputs


def _rank(probs: np.ndarray, token_id: int) -> int:
    """1-based rank of a token in a probability vector (ties count in its favour)."""
    return int((probs > probs[token_id]).sum()) + 1


def _softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, computed by torch as the pipeline does."""
    return torch.from_numpy(np.asarray(logits, dtype=np.float32)).softmax(dim=-1).numpy()


def top_tokens(loaded: models.LoadedModel, probs: np.ndarray, k: int) -> list[TokenScore]:
    """The k most probable tokens of a (vocab,) probability vector, best first."""
    k = min(k, probs.shape[-1])
    kth = -np.partition(-probs, k - 1)[k - 1]  # the k-th best value, in linear time (no sort of the vocabulary)
    above = np.flatnonzero(probs > kth)
    candidates = np.concatenate([above, np.flatnonzero(probs == kth)[:k - len(above)]])  # ties: lower ids
    ids = candidates[np.lexsort((candidates, -probs[candidates]))]  # best first; ties: lower id first
    tokens = loaded.tokenizer.convert_ids_to_tokens([int(i) for i in ids])
    return [TokenScore(t, int(i), float(probs[i])) for t, i in zip(tokens, ids)]


def no_mask_error(inputs: EncodedInput, mask_token: str) -> ValueError:
    """The error for an input without a mask: typed but cut off by truncation, or never typed."""
    typed = mask_token in inputs.text_a or mask_token in (inputs.text_b or "")
    if typed and inputs.num_tokens_untruncated > len(inputs.tokens):
        return ValueError(f"{CUT_MASK_MESSAGE} ({inputs.truncation_notice()})")
    return ValueError(NO_MASK_MESSAGE)


def check_top_k(top_k: int) -> None:
    """ValueError unless 1 ≤ top_k ≤ MAX_TOP_K."""
    if not 1 <= top_k <= MAX_TOP_K:
        raise ValueError(f"top-k must be between 1 and {MAX_TOP_K}, got {top_k}")


def fill_mask(
    loaded: models.LoadedModel,
    text_a: str,
    text_b: str | None = None,
    top_k: int = DEFAULT_TOP_K,
    mask_positions: Sequence[int] = (),
) -> FillMaskResult:
    """Top-k predictions at every [MASK] typed in the text and every extra position masked by the user."""
    require_head(loaded, Head.MLM)
    check_top_k(top_k)
    analysis, original = masked_analysis(loaded, text_a, text_b, mask_positions)
    positions = typed_mask_positions(analysis.inputs, loaded.tokenizer.mask_token_id)
    if not positions:
        raise no_mask_error(analysis.inputs, loaded.tokenizer.mask_token)
    probs = _softmax(forward.mlm_logits_at(loaded, analysis, positions))  # (masks, vocab)
    masks = []
    for row, p in zip(probs, positions):
        was_masked = original.input_ids[p] != loaded.tokenizer.mask_token_id
        true_id = original.input_ids[p]
        masks.append(MaskPrediction(
            position=p,
            predictions=top_tokens(loaded, row, top_k),
            original=original.tokens[p] if was_masked else None,
            original_rank=_rank(row, true_id) if was_masked else None,
            original_score=float(row[true_id]) if was_masked else None,
        ))
    return FillMaskResult(loaded.name, list(analysis.inputs.tokens), list(original.tokens), masks)


def logit_lens(
    loaded: models.LoadedModel,
    text_a: str,
    text_b: str | None = None,
    position: int | None = None,
    mask_positions: Sequence[int] = (),
    top_k: int = 8,
) -> LogitLens:
    """Apply the MLM head to every layer's hidden state at one masked position (default: the first mask)."""
    head = callable_mlm_head(loaded)
    check_top_k(top_k)
    analysis, original = masked_analysis(loaded, text_a, text_b, mask_positions)
    masks = typed_mask_positions(analysis.inputs, loaded.tokenizer.mask_token_id)
    if not masks:
        raise no_mask_error(analysis.inputs, loaded.tokenizer.mask_token)
    position = masks[0] if position is None else position
    if position not in masks:
        raise ValueError(f"position {position} is not masked; masked positions are {masks}")
    hidden = torch.from_numpy(analysis.hidden_states[:, position]).to(loaded.device)  # (depth, hidden)
    with torch.no_grad():
        probs = _softmax(head(hidden).float().cpu().numpy())  # (depth, vocab)
    was_masked = original.input_ids[position] != loaded.tokenizer.mask_token_id
    true_id = original.input_ids[position]
    columns = _lens_columns(loaded, probs, top_k, true_id if was_masked else None)
    ids = [c.token_id for c in columns]
    return LogitLens(
        model_name=loaded.name,
        position=position,
        layers=hidden_labels(len(probs) - 1),
        columns=columns,
        probs=probs[:, ids],
        top=[top_tokens(loaded, row, 1)[0] for row in probs],
        original=original.tokens[position] if was_masked else None,
        original_ranks=[_rank(row, true_id) for row in probs] if was_masked else None,
    )


def _lens_columns(
    loaded: models.LoadedModel, probs: np.ndarray, top_k: int, true_id: int | None
) -> list[TokenScore]:
    """The last layer's top-k, each earlier layer's favourite, then the masked word; scored at the last layer."""
    last = probs[-1]
    ids = [t.token_id for t in top_tokens(loaded, last, top_k)]
    for best in [int(np.argmax(row)) for row in probs[::-1]] + ([true_id] if true_id is not None else []):
        if best not in ids:
            ids.append(best)
    tokens = loaded.tokenizer.convert_ids_to_tokens(ids)
    return [TokenScore(t, i, float(last[i])) for t, i in zip(tokens, ids)]


def word_pieces(encoded: EncodedInput, position: int) -> list[int]:
    """Every position of the word that the piece at `position` belongs to."""
    return list(encoded.word_at(position).positions)


def multi_piece_words(encoded: EncodedInput) -> list[tuple[str, list[int]]]:
    """Words split into several WordPiece pieces, as (the word as typed, its positions), in text order."""
    return [(word.text, list(word.positions)) for word in encoded.words if len(word) > 1]


def compare_word_masking(
    loaded: models.LoadedModel, text_a: str, text_b: str | None, position: int, top_k: int = DEFAULT_TOP_K
) -> WordMaskingComparison:
    """Mask one piece of a word, then the whole word, and predict both ways."""
    require_head(loaded, Head.MLM)
    original = masked_encoding(loaded, text_a, text_b)
    if not 0 <= position < len(original) or original.special_mask[position]:
        raise ValueError(f"position {position} is not a word piece of the input")
    pieces = word_pieces(original, position)
    return WordMaskingComparison(
        word=original.word_at(position).text,
        positions=pieces,
        sub_word=fill_mask(loaded, text_a, text_b, top_k, (position,)),
        whole_word=fill_mask(loaded, text_a, text_b, top_k, pieces),
    )


def fill_mask_batch(
    loaded: models.LoadedModel, texts: Sequence[str], top_k: int = DEFAULT_TOP_K, batch_size: int = 32
) -> list[FillMaskResult]:
    """Top-k at every typed [MASK] of many single sentences, in padded batches.

    Only the encoder runs (no attentions or hidden states kept) and the MLM head is applied at the mask
    positions only, so a batch costs less than the full one-pass analysis of each sentence.
    """
    head = callable_mlm_head(loaded)
    check_top_k(top_k)
    tokenizer = loaded.tokenizer
    texts = [normalize_masks(t, tokenizer.mask_token) for t in texts]
    results = []
    for start in range(0, len(texts), batch_size):
        chunk = texts[start:start + batch_size]
        if any(not (t or "").strip() for t in chunk):
            raise ValueError("a text of the batch is empty — every line needs a sentence with [MASK]")
        batch = tokenizer(chunk, padding=True, truncation=True, return_tensors="pt").to(loaded.device)
        is_mask = batch["input_ids"] == tokenizer.mask_token_id
        for row in range(len(chunk)):
            if not is_mask[row].any():
                cut = tokenizer.mask_token in chunk[row]
                raise ValueError(f"text {start + row + 1}: " + (CUT_MASK_MESSAGE if cut else NO_MASK_MESSAGE))
        with torch.no_grad():
            hidden = loaded.encoder(**batch).last_hidden_state  # (batch, seq, hidden)
            probs = torch.softmax(head(hidden[is_mask]).float(), dim=-1).cpu().numpy()  # (masks, vocab)
        results.extend(_batch_results(loaded, batch["input_ids"], is_mask, probs, top_k))
    return results


def _batch_results(loaded, input_ids: torch.Tensor, is_mask: torch.Tensor, probs: np.ndarray, top_k: int):
    """One FillMaskResult per row, taking the rows of `probs` in mask order."""
    pad_id = loaded.tokenizer.pad_token_id
    next_row = 0
    for ids, mask_row in zip(input_ids.tolist(), is_mask.tolist()):
        tokens = loaded.tokenizer.convert_ids_to_tokens([i for i in ids if i != pad_id])
        masks = []
        for position in [p for p, m in enumerate(mask_row) if m]:
            masks.append(MaskPrediction(position, top_tokens(loaded, probs[next_row], top_k), None, None, None))
            next_row += 1
        yield FillMaskResult(loaded.name, tokens, tokens, masks)
