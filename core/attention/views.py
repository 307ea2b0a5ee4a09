"""What the Attention page derives from the one cached analysis, cached per model + input + view options.

Note section 1 (the attention page): the grid of per-head statistics, the rollout, attention flow and the bertviz
pages are pure functions of the analysis, but take seconds (or, for flow, minutes) at 512 tokens. Each is computed
the first time its view is opened and then kept, so a rerun — another layer, a revisit with the same input — runs
no model and repeats no computation. Keys start with the model's load_id (core.lib.lru.model_cache): a re-saved
model never reads its old weights' results, and no result keeps a model alive.
"""

from __future__ import annotations

from core.attention import bertviz_offline, maps
from core.attention import flow as attention_flow
from core.lib.lru import model_cache
from core.model import forward
from core.model.loading import LoadedModel

# Entries each cache keeps. A statistic is (layers, heads) floats; a rollout (layers, seq, seq) float32 — 6 MB for
# 6 layers at 512 tokens, 12 MB for bert-base; a flow is (seq,) floats for inputs of at most FLOW_MAX_TOKENS; a
# bertviz page embeds at most bertviz_offline.MAX_VIEW_VALUES weights, ≈ 10–17 MB of HTML.
STATISTIC_CACHE_SIZE = 64
ROLLOUT_CACHE_SIZE = 8
FLOW_CACHE_SIZE = 64
BERTVIZ_CACHE_SIZE = 4


@model_cache(STATISTIC_CACHE_SIZE)
def head_statistic(loaded: LoadedModel, text_a: str, text_b: str | None, key: str) -> maps.HeadStatistic:
    """maps.head_statistic of the input's analysis, once per model + input + statistic. values: (layers, heads)"""
    return maps.head_statistic(forward.analyze(loaded, text_a, text_b), key)


@model_cache(ROLLOUT_CACHE_SIZE)
def rollout(loaded: LoadedModel, text_a: str, text_b: str | None) -> maps.Rollout:
    """maps.attention_rollout of the input's analysis, once per model + input. matrices: (layers, seq, seq)"""
    return maps.attention_rollout(forward.analyze(loaded, text_a, text_b))


@model_cache(FLOW_CACHE_SIZE)
def token_flow(loaded: LoadedModel, text_a: str, text_b: str | None, token: int) -> attention_flow.TokenFlow:
    """Attention flow from one token's output node (inputs up to FLOW_MAX_TOKENS), once per model + input + token."""
    return attention_flow.token_flow(forward.analyze(loaded, text_a, text_b), token)


@model_cache(BERTVIZ_CACHE_SIZE)
def bertviz_html(loaded: LoadedModel, text_a: str, text_b: str | None, kind: str, layer: int,
                 heads: tuple[int, ...]) -> tuple[str, bertviz_offline.ViewSubset]:
    """The offline bertviz head view (kind "head") or model view ("model") of the input, with what it embeds."""
    if kind not in ("head", "model"):
        raise ValueError(f"unknown bertviz view {kind!r}; choose 'head' or 'model'")
    build = bertviz_offline.head_view_html if kind == "head" else bertviz_offline.model_view_html
    return build(forward.analyze(loaded, text_a, text_b), layer, list(heads))
