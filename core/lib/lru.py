"""A small thread-safe LRU cache for results of model runs, counting how often it had to run."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class LRUCache(Generic[T]):
    """Keeps the `size` most recently used results; `misses` counts the runs it did not avoid."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[Hashable, T] = OrderedDict()
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
        """Keep a result that had to be computed (a miss), dropping the least recently used beyond `size`."""
        with self.lock:
            self.misses += 1
            self.entries[key] = result
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def get_or_run(self, key: Hashable, run: Callable[[], T]) -> T:
        """The cached result for `key`, or run() once and keep its result (run outside the lock)."""
        missing = object()
        result = self.get(key, missing)
        if result is missing:
            result = run()
            self.put(key, result)
        return result


def model_cache(size: int):
    """functools.lru_cache for functions of (LoadedModel, …), keyed by the model's `load_id` rather than the
    object: results never keep a model alive after the app's model cache has let it go."""
    def wrap(func: Callable[..., T]) -> Callable[..., T]:
        cache: LRUCache[T] = LRUCache(size)

        @functools.wraps(func)
        def cached(loaded, *args, **kwargs) -> T:
            key = (loaded.load_id, args, tuple(sorted(kwargs.items())))
            return cache.get_or_run(key, lambda: func(loaded, *args, **kwargs))

        cached.cache = cache
        return cached
    return wrap
