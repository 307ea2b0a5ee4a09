"""Hand freed memory back to the system (glibc), so a long-running server's RSS follows what it really holds.

glibc serves allocations above its mmap threshold with mmap and unmaps them when freed, but it raises that
threshold each time such a block is freed, up to 32 MB: after a few large inputs, the activations of the next
ones come from the heap, and freed heap memory mostly stays with the process. Pinning the threshold keeps large
blocks (attentions, hidden states, activations: megabytes each) on mmap, returned as soon as they are freed.
Two more glibc habits make a server's RSS creep: every new thread may get a malloc arena of its own (up to eight per
core; Streamlit runs each script run in a new thread), and memory freed inside an arena stays mapped. So the
process keeps at most ARENAS arenas, and `release_free_memory` (after each app run) hands the free pages of every
arena back (malloc_trim). Elsewhere (macOS, musl, Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # mallopt parameter numbers from glibc's malloc.h
MMAP_THRESHOLD_BYTES = 1 << 20  # blocks of 1 MB and more: mmap, unmapped when freed
ARENAS = 2  # malloc arenas the threads share (glibc's default: up to 8 per core)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


@functools.cache
def tune_allocator() -> bool:
    """Pin glibc's mmap threshold and cap its arenas (once per process); whether it applied."""
    try:
        libc = _libc()
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) and libc.mallopt(M_ARENA_MAX, ARENAS))
    except AttributeError:  # no libc, or not glibc
        return False


def release_free_memory() -> bool:
    """Return the free pages of every malloc arena to the system (glibc malloc_trim); whether any went back."""
    try:
        return bool(_libc().malloc_trim(0))
    except AttributeError:
        return False
