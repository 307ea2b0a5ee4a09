"""Hand freed memory back to the system (glibc), so a long-running server's RSS follows what it really holds.

glibc serves allocations above its mmap threshold with mmap and unmaps them when freed, but it raises that
threshold each time such a block is freed, up to 32 MB: after a few large inputs, the activations of the next
ones come from the heap, and freed heap memory mostly stays with the process. Pinning the threshold keeps large
blocks (attentions, hidden states, activations: megabytes each) on mmap, returned as soon as they are freed.
Elsewhere (macOS, musl, Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_MMAP_THRESHOLD = -3  # mallopt parameter numbers from glibc's malloc.h
MMAP_THRESHOLD_BYTES = 1 << 20  # blocks of 1 MB and more: mmap, unmapped when freed


@functools.cache
def tune_allocator() -> bool:
    """Pin glibc's mmap threshold (once per process); whether it applied."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):
        return False
