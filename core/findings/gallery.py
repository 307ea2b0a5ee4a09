"""The gallery of finding cards: each card's key, what it reproduces, and its result on a model, computed once per
model and kept (core.lib.lru, keyed by the model's load_id like every model cache of the core)."""

from __future__ import annotations

from collections.abc import Callable

from core.findings import clark, ethayarajh, head_stats, lama, michel
from core.findings.result import Card, OnProgress, table_csv
from core.lib.lru import LRUCache
from core.model.loading import LoadedModel

# Card key -> (what it reproduces, the function computing it on a model), in the page's order.
_CARDS: dict[str, tuple[Card, Callable]] = {
    module.CARD.key: (module.CARD, compute)
    for module, compute in ((clark, clark.clark), (ethayarajh, ethayarajh.ethayarajh), (michel, michel.michel),
                            (lama, lama.lama), (head_stats, head_stats.head_stats))
}
CARDS: dict[str, Card] = {key: card for key, (card, _) in _CARDS.items()}
# Card results kept by the process: a few per model (each is at most a few hundred kB).
CACHE_SIZE = 32

_CACHE: LRUCache = LRUCache(CACHE_SIZE)


def check_card(key: str) -> Card:
    """The card named `key`, or a ValueError naming the cards there are."""
    if key not in CARDS:
        raise ValueError(f"unknown finding {key!r}; choose one of {', '.join(CARDS)}")
    return CARDS[key]


def finding(loaded: LoadedModel, key: str, on_progress: OnProgress = None):
    """The card's result on the loaded model, computed once per model (on_progress(done, total) while it runs)."""
    check_card(key)
    compute = _CARDS[key][1]
    return _CACHE.get_or_run((key, loaded.load_id), lambda: compute(loaded, on_progress))


def finding_csv(result) -> str:
    """A card's measured numbers as CSV text (its table)."""
    return table_csv(result.table)


def findings_computed() -> int:
    """How many card results the process has computed (cache misses)."""
    return _CACHE.misses
