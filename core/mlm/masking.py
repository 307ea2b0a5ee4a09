"""The pre-training masking rule, simulated on the user's text: 15 % of tokens; of those 80 % [MASK], 10 % random, 10 % kept.

Note section 3.1: MLM is self-supervised — the labels are the words themselves, hidden from the model.
The BERT paper picks 15 % of the token positions for prediction; a picked token becomes [MASK] 80 % of the
time, a random token 10 % and stays unchanged 10 % (so the model cannot rely on seeing [MASK], which never
occurs when it is used later). Every draw is seedable, so a draw can be shared and reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.lib.lru import model_cache
from core.mlm.fill_mask import TokenScore, check_top_k, masked_encoding, top_tokens
from core.mlm.scoring import log_probs_at
from core.model import loading as models
from core.model.capabilities import Head, require_head
from core.model.inputs import EncodedInput

ACTIONS = ("mask", "random", "keep")
# Draws the accuracy estimate averages over unless told otherwise.
DEFAULT_DRAWS = 50
MAX_DRAWS = 500
# Work of one accuracy estimate: draws × input tokens (200 draws of 512 tokens took 71 s and 3 GB before the
# top-1 ids were kept per batch instead of every log-probability).
MAX_TOKEN_DRAWS = 51_200
# Draws and accuracies (per model + text + seed) the process keeps, so a page rerun does not redo them.
CACHE_SIZE = 32


@dataclass(frozen=True)
class MaskingRule:
    """BERT's pre-training corruption rule (Devlin et al. 2019, section 3.1 and appendix C.2)."""

    select_rate: float = 0.15  # share of the ordinary tokens chosen for prediction (at least one)
    mask_rate: float = 0.8  # of the chosen: replaced by [MASK]
    random_rate: float = 0.1  # of the chosen: replaced by a random vocabulary token; the rest stay as they are

    def __post_init__(self):
        if not 0 < self.select_rate <= 1 or self.mask_rate < 0 or self.random_rate < 0:
            raise ValueError("rates must be positive and the selection rate at most 1")
        if self.mask_rate + self.random_rate > 1:
            raise ValueError("mask rate + random rate must be at most 1 (the rest are kept unchanged)")


@dataclass(frozen=True)
class MaskingPlan:
    """Which positions one draw chose and what it did to each."""

    positions: list[int]  # (chosen,) sorted
    actions: list[str]  # (chosen,) "mask", "random" or "keep"
    replacement_ids: list[int]  # (chosen,) the id the model sees there


@dataclass(frozen=True)
class MaskedPosition:
    """One chosen position: what was there, what the model saw, what it predicted."""

    position: int
    original: str
    shown: str  # what the model saw: [MASK], a random token, or the original
    action: str
    predictions: list[TokenScore]  # top-k, best first
    correct: bool  # the top prediction is the original token


@dataclass(frozen=True)
class MaskingDraw:
    """One application of the rule to the text and the model's predictions at every chosen position."""

    model_name: str
    seed: int
    original_tokens: list[str]  # (seq,)
    shown_tokens: list[str]  # (seq,) the corrupted input the model saw
    chosen: list[MaskedPosition]


@dataclass(frozen=True)
class MaskingAccuracy:
    """Top-1 accuracy of the MLM head over many random draws, overall and per action."""

    model_name: str
    draws: int
    seed: int
    predictions: int  # chosen positions over all draws
    accuracy: float
    by_action: dict[str, float] = field(default_factory=dict)  # action -> accuracy (actions that occurred)
    counts: dict[str, int] = field(default_factory=dict)  # action -> how many times it occurred


def plan_masking(rng: np.random.Generator, candidates: list[int], vocab_ids: np.ndarray, original_ids: list[int],
                 rule: MaskingRule, mask_id: int) -> MaskingPlan:
    """Choose round(15 %) of the candidate positions (at least one) and corrupt each by the 80/10/10 rule."""
    if not candidates:
        raise ValueError("the text has no ordinary tokens to mask")
    count = min(len(candidates), max(1, round(len(candidates) * rule.select_rate)))
    positions = sorted(int(p) for p in rng.choice(candidates, size=count, replace=False))
    draws = rng.random(count)
    actions = ["mask" if u < rule.mask_rate else "random" if u < rule.mask_rate + rule.random_rate else "keep"
               for u in draws]
    replacements = [mask_id if a == "mask" else int(rng.choice(vocab_ids)) if a == "random" else original_ids[p]
                    for p, a in zip(positions, actions)]
    return MaskingPlan(positions, actions, replacements)


def _setup(
    loaded: models.LoadedModel, text_a: str, text_b: str | None
) -> tuple[EncodedInput, list[int], np.ndarray]:
    """The encoded text, the maskable positions and the ids a random replacement is drawn from."""
    require_head(loaded, Head.MLM)
    encoded = masked_encoding(loaded, text_a, text_b)
    specials = set(loaded.tokenizer.all_special_ids)
    candidates = [i for i, t in enumerate(encoded.input_ids) if t not in specials]
    vocab_ids = np.array([i for i in range(len(loaded.tokenizer)) if i not in specials])
    return encoded, candidates, vocab_ids


def _corrupt(ids: list[int], plan: MaskingPlan) -> list[int]:
    shown = list(ids)
    for p, r in zip(plan.positions, plan.replacement_ids):
        shown[p] = r
    return shown


def _draw_plans(loaded: models.LoadedModel, encoded: EncodedInput, candidates: list[int], vocab_ids: np.ndarray,
                seed: int, draws: int, rule: MaskingRule) -> list[MaskingPlan]:
    rng = np.random.default_rng(seed)
    mask_id = loaded.tokenizer.mask_token_id
    return [plan_masking(rng, candidates, vocab_ids, encoded.input_ids, rule, mask_id) for _ in range(draws)]


def _predict(loaded: models.LoadedModel, encoded: EncodedInput, plans: list[MaskingPlan],
             reduce=None) -> list[np.ndarray]:
    """(chosen, vocab) log-probabilities per plan (or what `reduce` keeps of them, e.g. (chosen,) top-1 ids):
    one corrupted input per plan, all plans batched."""
    rows = [_corrupt(encoded.input_ids, plan) for plan in plans]
    per_plan, _ = log_probs_at(loaded, rows, list(encoded.token_type_ids), [plan.positions for plan in plans], reduce)
    return per_plan


@model_cache(CACHE_SIZE)
def simulate_masking(loaded: models.LoadedModel, text_a: str, text_b: str | None = None, seed: int = 0,
                     rule: MaskingRule = MaskingRule(), top_k: int = 5) -> MaskingDraw:
    """Apply the pre-training rule once (seeded) and predict every chosen position."""
    check_top_k(top_k)
    encoded, candidates, vocab_ids = _setup(loaded, text_a, text_b)
    plan = _draw_plans(loaded, encoded, candidates, vocab_ids, seed, 1, rule)[0]
    log_probs = _predict(loaded, encoded, [plan])[0]
    shown_ids = _corrupt(encoded.input_ids, plan)
    shown = loaded.tokenizer.convert_ids_to_tokens(shown_ids)
    chosen = []
    for p, action, row in zip(plan.positions, plan.actions, log_probs):
        predictions = top_tokens(loaded, np.exp(row), top_k)
        chosen.append(MaskedPosition(p, encoded.tokens[p], shown[p], action, predictions,
                                     predictions[0].token_id == encoded.input_ids[p]))
    return MaskingDraw(loaded.name, seed, list(encoded.tokens), shown, chosen)


@model_cache(CACHE_SIZE)
def masking_accuracy(loaded: models.LoadedModel, text_a: str, text_b: str | None = None, draws: int = DEFAULT_DRAWS,
                     seed: int = 0, rule: MaskingRule = MaskingRule()) -> MaskingAccuracy:
    """Top-1 accuracy at the chosen positions over `draws` seeded draws, overall and per action."""
    if not 1 <= draws <= MAX_DRAWS:
        raise ValueError(f"draws must be between 1 and {MAX_DRAWS}")
    encoded, candidates, vocab_ids = _setup(loaded, text_a, text_b)
    if draws * len(encoded.input_ids) > MAX_TOKEN_DRAWS:
        raise ValueError(f"{draws} draws of {len(encoded.input_ids)} tokens are too much work for one request (at most "
                         f"{MAX_TOKEN_DRAWS:,} tokens × draws, about half a minute on a CPU): use fewer draws or a "
                         "shorter text")
    plans = _draw_plans(loaded, encoded, candidates, vocab_ids, seed, draws, rule)
    hits: dict[str, list[bool]] = {a: [] for a in ACTIONS}
    top1 = _predict(loaded, encoded, plans, reduce=lambda log_probs: log_probs.argmax(dim=-1))  # (chosen,) per plan
    for plan, predicted in zip(plans, top1):
        for p, action, token_id in zip(plan.positions, plan.actions, predicted):
            hits[action].append(int(token_id) == encoded.input_ids[p])
    every = [h for a in ACTIONS for h in hits[a]]
    return MaskingAccuracy(
        model_name=loaded.name, draws=draws, seed=seed, predictions=len(every),
        accuracy=float(np.mean(every)),
        by_action={a: float(np.mean(h)) for a, h in hits.items() if h},
        counts={a: len(h) for a, h in hits.items()},
    )
