"""core/lib/memory.py: the allocator settings apply on glibc and never raise elsewhere."""

import platform

from core.lib import memory


def test_the_allocator_is_tuned_and_free_memory_goes_back_on_glibc():
    on_glibc = platform.libc_ver()[0] == "glibc"
    assert memory.tune_allocator() is on_glibc
    bytearray(64 << 20)  # a freed block large enough to trim around
    assert isinstance(memory.release_free_memory(), bool)
