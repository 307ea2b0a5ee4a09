"""Scoring with the MLM head: pseudo-log-likelihood of a text, and independent vs joint filling of several masks.

Note section 3.1: BERT is auto-encoding, and its weakness is that it **ignores the dependency between
masked tokens** — every mask is predicted on its own, from the same input. `joint_fill` makes that
visible: the independent argmax per mask vs fills that condition on each other (iterative: fix the most
confident mask, re-run; and a small beam over combinations), all judged by the same objective, the
pseudo-log-likelihood (PLL: each filled token's log-probability when it alone is masked again).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from core.lib.lru import model_cache
from core.mlm.fill_mask import callable_mlm_head, masked_analysis, masked_encoding, no_mask_error, typed_mask_positions
from core.model import forward
from core.model import loading as models
from core.model.capabilities import Head, require_head
from core.model.forward import batch_inputs

# Masked variants per forward pass: a ≤ 64-token text is scored in one pass.
BATCH_SIZE = 64
# Masked rows the beam may score (each combination costs one row per mask): about 1.5 batched passes.
MAX_SCORED_ROWS = 96
# More masks than this make the joint search slow for little insight.
MAX_JOINT_MASKS = 8
# Sentence scoring runs one masked copy per token: a quadratic cost, so long texts are refused.
MAX_SCORED_TOKENS = 256
# Pseudo-likelihood caches (per model + text) kept by the process.
CACHE_SIZE = 32


@dataclass(frozen=True)
class SentenceScore:
    """Pseudo-log-likelihood of a text: every token masked in turn and scored by the MLM head."""

    model_name: str
    tokens: list[str]  # (seq,) the whole input
    positions: list[int]  # (scored,) the positions scored (specials and typed masks are not)
    log_probs: np.ndarray  # (scored,) natural-log P(token | all other tokens), token masked
    pseudo_log_likelihood: float  # sum of log_probs
    pseudo_perplexity: float  # exp(-mean of log_probs)
    forward_passes: int  # batched passes used (one for a ≤ 64-token text)


@dataclass(frozen=True)
class Fill:
    """One way of filling every mask, with its pseudo-log-likelihood over the masked positions."""

    tokens: list[str]  # (masks,) in text order
    token_ids: list[int]
    log_probs: list[float]  # (masks,) log P(fill | the other fills), its own position masked again
    pll: float  # sum of log_probs: the objective every strategy is judged by
    text: str  # the input with the fills put in


@dataclass(frozen=True)
class JointFillResult:
    """Independent vs conditioned filling of several masks."""

    model_name: str
    positions: list[int]  # (masks,) masked positions in text order
    independent: Fill  # argmax at every mask from one pass: what BERT's pre-training objective assumes
    iterative: Fill  # fill the most confident mask, re-run, repeat
    joint: Fill  # the best PLL among the beam's combinations, the iterative and the independent fill
    fill_order: list[int]  # positions in the order the iterative fill fixed them
    combinations_scored: int


def _model_inputs(loaded: models.LoadedModel, rows: list[list[int]], token_type_ids: list[int]) -> dict:
    return batch_inputs(loaded, rows, [token_type_ids] * len(rows))


def log_probs_at(
    loaded: models.LoadedModel, rows: list[list[int]], token_type_ids: list[int], positions: list[Sequence[int]],
    reduce: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> tuple[list[np.ndarray], int]:
    """Per row r, log-probabilities (len(positions[r]), vocab) at its positions; and how many passes it took.

    The encoder runs on BATCH_SIZE rows at a time; the head only on the positions asked for. `reduce` (e.g. the
    arg-max over the vocabulary) shrinks each batch's (positions, vocab) tensor before it is kept, so many rows
    never hold rows × positions × vocab numbers at once.
    """
    head = callable_mlm_head(loaded)
    out, passes = [], 0
    for start in range(0, len(rows), BATCH_SIZE):
        chunk, wanted = rows[start:start + BATCH_SIZE], positions[start:start + BATCH_SIZE]
        row_index = torch.tensor([r for r, ps in enumerate(wanted) for _ in ps], device=loaded.device)
        column_index = torch.tensor([p for ps in wanted for p in ps], device=loaded.device)
        with torch.no_grad():
            hidden = loaded.encoder(**_model_inputs(loaded, chunk, token_type_ids)).last_hidden_state
            log_probs = head(hidden[row_index, column_index]).float().log_softmax(dim=-1)
            log_probs = (reduce(log_probs) if reduce else log_probs).cpu().numpy()
        out.extend(np.split(log_probs, np.cumsum([len(ps) for ps in wanted])[:-1]))
        passes += 1
    return out, passes


def masked_log_probs(
    loaded: models.LoadedModel, rows: list[list[int]], token_type_ids: list[int], positions: list[int]
) -> tuple[np.ndarray, int]:
    """Log-probabilities (rows, vocab) at positions[r] of each row r, and how many forward passes it took."""
    per_row, passes = log_probs_at(loaded, rows, token_type_ids, [[p] for p in positions])
    return np.concatenate(per_row), passes


def _masked_copies(ids: list[int], positions: Sequence[int], mask_id: int) -> list[list[int]]:
    """One copy of `ids` per position, with that position masked."""
    rows = []
    for p in positions:
        row = list(ids)
        row[p] = mask_id
        rows.append(row)
    return rows


def pseudo_log_likelihood(loaded: models.LoadedModel, text_a: str, text_b: str | None = None) -> SentenceScore:
    """Mask each token in turn (all variants in one batched pass) and sum the log-probabilities of the truth."""
    require_head(loaded, Head.MLM)
    encoded = masked_encoding(loaded, text_a, text_b)
    return _pll_cached(loaded, tuple(encoded.input_ids), tuple(encoded.token_type_ids), tuple(encoded.tokens))


@model_cache(CACHE_SIZE)
def _pll_cached(loaded: models.LoadedModel, ids: tuple, types: tuple, tokens: tuple) -> SentenceScore:
    mask_id = loaded.tokenizer.mask_token_id
    specials = set(loaded.tokenizer.all_special_ids)
    positions = [i for i, t in enumerate(ids) if t not in specials]
    if not positions:
        raise ValueError("nothing to score: the text has no ordinary tokens")
    if len(positions) > MAX_SCORED_TOKENS:
        raise ValueError(f"sentence scoring takes at most {MAX_SCORED_TOKENS} tokens (one masked copy of the "
                         f"text per token); this text has {len(positions)} — shorten it")
    log_probs, passes = masked_log_probs(loaded, _masked_copies(list(ids), positions, mask_id), list(types), positions)
    scores = log_probs[np.arange(len(positions)), [ids[p] for p in positions]]
    return SentenceScore(
        model_name=loaded.name,
        tokens=list(tokens),
        positions=positions,
        log_probs=scores,
        pseudo_log_likelihood=float(scores.sum()),
        pseudo_perplexity=float(np.exp(-scores.mean())),
        forward_passes=passes,
    )


def _score_fills(
    loaded: models.LoadedModel, ids: list[int], types: list[int], positions: list[int], combos: list[tuple[int, ...]]
) -> np.ndarray:
    """(combos, masks) log P(fill_i | the other fills) for every combination, all in batched passes."""
    mask_id = loaded.tokenizer.mask_token_id
    rows, wanted = [], []
    for combo in combos:
        filled = list(ids)
        for p, token_id in zip(positions, combo):
            filled[p] = token_id
        rows.extend(_masked_copies(filled, positions, mask_id))
        wanted.extend(combo)
    log_probs, _ = masked_log_probs(loaded, rows, types, positions * len(combos))
    return log_probs[np.arange(len(rows)), wanted].reshape(len(combos), len(positions))


def _iterative_fill(
    loaded: models.LoadedModel, ids: list[int], types: list[int], positions: list[int]
) -> tuple[tuple[int, ...], list[int]]:
    """Fix the most confident remaining mask to its argmax, re-run, repeat; returns (ids per mask, order)."""
    current, remaining, order = list(ids), list(positions), []
    while remaining:
        log_probs = log_probs_at(loaded, [current], types, [remaining])[0][0]  # (remaining, vocab), one pass
        best_row = int(np.argmax(log_probs.max(axis=1)))
        position = remaining.pop(best_row)
        current[position] = int(np.argmax(log_probs[best_row]))
        order.append(position)
    return tuple(current[p] for p in positions), order


def _beam_width(num_masks: int) -> int:
    """The most candidates per mask whose full product costs at most MAX_SCORED_ROWS masked rows."""
    width = 1
    while (width + 1) ** num_masks * num_masks <= MAX_SCORED_ROWS:
        width += 1
    return width


def joint_fill(
    loaded: models.LoadedModel, text_a: str, text_b: str | None = None, mask_positions: Sequence[int] = ()
) -> JointFillResult:
    """Independent argmax per mask vs iterative and beam fills, all scored by the same pseudo-log-likelihood.

    Masks are the [MASK]s typed in the text plus `mask_positions`; cached per model + text + positions.
    """
    require_head(loaded, Head.MLM)
    return _joint_fill_cached(loaded, text_a, text_b, tuple(sorted(set(mask_positions))))


@model_cache(CACHE_SIZE)
def _joint_fill_cached(loaded: models.LoadedModel, text_a: str, text_b: str | None, mask_positions: tuple):
    analysis, _ = masked_analysis(loaded, text_a, text_b, mask_positions)
    encoded = analysis.inputs
    positions = typed_mask_positions(encoded, loaded.tokenizer.mask_token_id)
    if not positions:
        raise no_mask_error(encoded, loaded.tokenizer.mask_token)
    if len(positions) > MAX_JOINT_MASKS:
        raise ValueError(f"{len(positions)} masks: the joint fill takes at most {MAX_JOINT_MASKS}; remove some [MASK]s")
    ids, types = list(encoded.input_ids), list(encoded.token_type_ids)
    logits = forward.mlm_logits_at(loaded, analysis, positions)  # (masks, vocab) from the cached one pass
    independent = tuple(int(i) for i in logits.argmax(axis=1))
    iterative, order = _iterative_fill(loaded, ids, types, positions)
    width = _beam_width(len(positions))
    beams = [tuple(int(i) for i in np.argsort(-row)[:width]) for row in logits]
    combos = list(dict.fromkeys([independent, iterative, *itertools.product(*beams)]))
    scores = _score_fills(loaded, ids, types, positions, combos)
    fills = [_fill(loaded, ids, positions, combo, row) for combo, row in zip(combos, scores)]
    return JointFillResult(
        model_name=loaded.name,
        positions=positions,
        independent=fills[combos.index(independent)],
        iterative=fills[combos.index(iterative)],
        joint=max(fills, key=lambda f: f.pll),
        fill_order=order,
        combinations_scored=len(combos),
    )


def _fill(loaded: models.LoadedModel, ids: list[int], positions: list[int], combo: tuple, scores: np.ndarray) -> Fill:
    filled = list(ids)
    for p, token_id in zip(positions, combo):
        filled[p] = token_id
    return Fill(
        tokens=loaded.tokenizer.convert_ids_to_tokens(list(combo)),
        token_ids=list(combo),
        log_probs=[float(s) for s in scores],
        pll=float(scores.sum()),
        text=loaded.tokenizer.decode(filled, skip_special_tokens=True),
    )
