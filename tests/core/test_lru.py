"""The result caches: least recently used entries go first, and cached results never keep a model alive."""

import gc
import weakref

import numpy as np

from core.lib.lru import LRUCache, model_cache


def test_least_recently_used_entry_is_evicted_and_misses_are_counted():
    cache = LRUCache(2)
    for key in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" arrives
        cache.get_or_run(key, lambda key=key: key.upper())
    assert list(cache.entries) == ["a", "c"] and cache.misses == 3


def test_an_error_is_not_cached():
    cache, calls = LRUCache(2), []

    def fail():
        calls.append(1)
        raise ValueError("bad input")

    for _ in range(2):
        try:
            cache.get_or_run("k", fail)
        except ValueError:
            pass
    assert len(calls) == 2 and not cache.entries


class FakeModel:
    """Stands in for a LoadedModel: all model_cache needs is a load_id."""

    def __init__(self, load_id: int):
        self.load_id = load_id


def test_model_cache_keys_on_the_load_not_the_object():
    @model_cache(4)
    def length(loaded, text: str, upper: bool = False) -> int:
        return len(text.upper() if upper else text)

    model = FakeModel(1)
    assert length(model, "abc") == length(model, "abc") == 3
    assert length(model, "abc", upper=True) == 3 and length.cache.misses == 2
    length(FakeModel(2), "abc")  # another load of a model: its own entry
    assert length.cache.misses == 3
    watcher = weakref.ref(model)
    del model
    gc.collect()
    assert watcher() is None  # the cache holds results, not the model they came from


def test_get_and_put_count_a_miss_per_put_and_evict_the_least_recent():
    cache = LRUCache(2)
    assert cache.get("a") is None and cache.get("a", 0) == 0
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.misses == 3


def test_a_byte_budget_drops_the_oldest_results_but_always_keeps_the_newest():
    import numpy as np

    from core.lib.lru import result_nbytes

    cache = LRUCache(10, max_bytes=3000)
    for key in "abc":
        cache.get_or_run(key, lambda: np.zeros(250, dtype=np.float32))  # 1000 bytes each
    assert list(cache.entries) == ["a", "b", "c"] and cache.nbytes == 3000
    cache.get("a")  # now the most recently used
    cache.get_or_run("d", lambda: np.zeros(250, dtype=np.float32))
    assert list(cache.entries) == ["c", "a", "d"]  # "b" was the least recently used
    cache.get_or_run("huge", lambda: np.zeros(10_000, dtype=np.float32))
    assert list(cache.entries) == ["huge"] and cache.nbytes == result_nbytes(cache.entries["huge"]) == 40_000


def test_the_analysis_cache_has_a_byte_budget_from_config(tiny_model, monkeypatch):
    from core import config
    from core.lib.lru import result_nbytes
    from core.model import forward

    assert forward._CACHE.max_bytes == config.ANALYSIS_CACHE_MB * 2**20
    analysis = forward.analyze(tiny_model, "a byte budget for the analysis cache", None)
    assert result_nbytes(analysis) >= analysis.hidden_states.nbytes + analysis.attentions.nbytes
    monkeypatch.setattr(forward._CACHE, "max_bytes", result_nbytes(analysis) + 1)
    forward.analyze(tiny_model, "another input pushes the first one out", None)
    assert forward._CACHE.nbytes <= forward._CACHE.max_bytes or len(forward._CACHE.entries) == 1
    monkeypatch.undo()


def test_all_caches_share_one_byte_budget_and_the_oldest_result_of_any_goes_first(monkeypatch):
    from core.lib import lru

    monkeypatch.setattr(lru, "_CACHES", weakref.WeakSet())  # only this test's caches share the budget
    monkeypatch.setattr(lru, "TOTAL_BYTES", 3000)  # room for three 1,000-byte results
    first, second = LRUCache(10, max_bytes=None), LRUCache(10, max_bytes=None)
    block = lambda: np.zeros(125)  # noqa: E731 (1,000 bytes)
    first.put("a", block())
    second.put("b", block())
    first.put("c", block())
    assert first.get("a") is not None  # "a" is now used more recently than "b"
    second.put("d", block())  # four results: the least recently used of any cache goes
    assert second.get("b") is None and first.get("a") is not None and first.get("c") is not None
    assert second.get("d") is not None
    second.put("e", np.zeros(1000))  # bigger than the whole budget: each cache still keeps its newest
    assert second.get("e") is not None and len(first.entries) >= 1
