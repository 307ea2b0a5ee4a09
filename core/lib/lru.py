"""A small thread-safe LRU cache for results of model runs, bounded by entries and bytes, counting how often it
had to run."""

from __future__ import annotations

import dataclasses
import functools
import threading
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


class LRUCache(Generic[T]):
    """Keeps the `size` most recently used results, and at most `max_bytes` of them (result_nbytes; None: no byte
    bound) — though always the newest, so a result bigger than the budget is still reused while it is the current one.
    `misses` counts the runs it did not avoid."""

    def __init__(self, size: int, max_bytes: int | None = config.RESULT_CACHE_MB * 2**20):
        self.size = size
        self.max_bytes = max_bytes
        self.entries: OrderedDict[Hashable, T] = OrderedDict()
        self.sizes: dict[Hashable, int] = {}
        self.nbytes = 0
        self.lock = threading.Lock()
        self.misses = 0

    def get(self, key: Hashable, default: T | None = None) -> T | None:
        """The cached result for `key` (now the most recently used), or `default`."""
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        return default

    def put(self, key: Hashable, result: T) -> None:
        """Keep a result that had to be computed (a miss), dropping the least recently used beyond the bounds."""
        nbytes = result_nbytes(result) if self.max_bytes is not None else 0
        with self.lock:
            self.misses += 1
            self.nbytes += nbytes - self.sizes.get(key, 0)
            self.entries[key], self.sizes[key] = result, nbytes
            self.entries.move_to_end(key)
            while len(self.entries) > self.size or (len(self.entries) > 1 and self._over_budget()):
                dropped, _ = self.entries.popitem(last=False)
                self.nbytes -= self.sizes.pop(dropped)

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
