"""A small thread-safe LRU cache for results of model runs, bounded by entries and bytes, counting how often it
had to run. Every cache also shares one process-wide byte budget (config.CACHE_TOTAL_MB): when all of them
together hold more, the least recently used result of any cache goes first (never a cache's newest)."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import numpy as np

from core import config

T = TypeVar("T")


def result_nbytes(result: object) -> int:
    """Bytes a result holds in numpy arrays and strings, found through dataclass fields, tuples, lists and dicts
    (what dominates every analysis result; small Python numbers are not counted)."""
    if isinstance(result, np.ndarray):
        return result.nbytes
    if isinstance(result, (str, bytes)):
        return len(result)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return sum(result_nbytes(getattr(result, f.name)) for f in dataclasses.fields(result))
    if isinstance(result, (tuple, list)):
        return sum(result_nbytes(item) for item in result)
    if isinstance(result, dict):
        return sum(result_nbytes(item) for item in result.values())
    return 0


# Every cache of the process, for the shared budget; one lock orders evictions across caches (taken before a
# cache's own lock, never while holding it).
_CACHES: weakref.WeakSet[LRUCache] = weakref.WeakSet()
_ACROSS = threading.Lock()
_TICKS = itertools.count()  # when an entry was last used, comparable across caches
TOTAL_BYTES = config.CACHE_TOTAL_MB * 2**20


def total_nbytes() -> int:
    """Bytes all result caches of the process hold together."""
    return sum(cache.nbytes for cache in list(_CACHES))


def _enforce_total() -> None:
    """Drop least recently used results across caches until they fit TOTAL_BYTES (each keeps its newest)."""
    with _ACROSS:
        caches = list(_CACHES)
        while sum(c.nbytes for c in caches) > TOTAL_BYTES:
            oldest = []
            for cache in caches:
                with cache.lock:
                    if len(cache.entries) > 1:
                        key = next(iter(cache.entries))
                        oldest.append((cache.ticks[key], id(cache), cache, key))
            if not oldest:
                return
            _, _, cache, key = min(oldest)
            with cache.lock:
                if key in cache.entries and len(cache.entries) > 1:
                    cache._drop(key)


class LRUCache(Generic[T]):
    """Keeps the `size` most recently used results, and at most `max_bytes` of them (result_nbytes; None: no byte
    bound) — though always the newest, so a result bigger than the budget is still reused while it is the current one.
    `misses` counts the runs it did not avoid."""

    def __init__(self, size: int, max_bytes: int | None = config.RESULT_CACHE_MB * 2**20):
        self.size = size
        self.max_bytes = max_bytes
        self.entries: OrderedDict[Hashable, T] = OrderedDict()
        self.sizes: dict[Hashable, int] = {}
        self.ticks: dict[Hashable, int] = {}
        self.nbytes = 0
        self.lock = threading.Lock()
        self.misses = 0
        _CACHES.add(self)

    def get(self, key: Hashable, default: T | None = None) -> T | None:
        """The cached result for `key` (now the most recently used), or `default`."""
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                self.ticks[key] = next(_TICKS)
                return self.entries[key]
        return default

    def put(self, key: Hashable, result: T) -> None:
        """Keep a result that had to be computed (a miss), dropping the least recently used beyond the bounds."""
        nbytes = result_nbytes(result)
        with self.lock:
            self.misses += 1
            self.nbytes += nbytes - self.sizes.get(key, 0)
            self.entries[key], self.sizes[key], self.ticks[key] = result, nbytes, next(_TICKS)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size or (len(self.entries) > 1 and self._over_budget()):
                self._drop(next(iter(self.entries)))
        _enforce_total()

    def _drop(self, key: Hashable) -> None:
        """Forget one entry (the caller holds the lock)."""
        del self.entries[key], self.ticks[key]
        self.nbytes -= self.sizes.pop(key)

    def _over_budget(self) -> bool:
        return self.max_bytes is not None and self.nbytes > self.max_bytes

    def get_or_run(self, key: Hashable, run: Callable[[], T]) -> T:
        """The cached result for `key`, or run() once and keep its result (run outside the lock)."""
        missing = object()
        result = self.get(key, missing)
        if result is missing:
            result = run()
            self.put(key, result)
        return result


def model_cache(size: int, max_bytes: int | None = config.RESULT_CACHE_MB * 2**20):
    """functools.lru_cache for functions of (LoadedModel, …), keyed by the model's `load_id` rather than the
    object: results never keep a model alive after the app's model cache has let it go. Bounded like LRUCache."""
    def wrap(func: Callable[..., T]) -> Callable[..., T]:
        cache: LRUCache[T] = LRUCache(size, max_bytes)

        @functools.wraps(func)
        def cached(loaded, *args, **kwargs) -> T:
            key = (loaded.load_id, args, tuple(sorted(kwargs.items())))
            return cache.get_or_run(key, lambda: func(loaded, *args, **kwargs))

        cached.cache = cache
        return cached
    return wrap
