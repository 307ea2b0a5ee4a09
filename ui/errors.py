"""Bad input on a page: its message shown, never a traceback (STYLE 9: the core raises ValueError saying what to do)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st


@contextmanager
def user_errors(stop: bool = False, show: Callable[[str], object] = st.error) -> Iterator[None]:
    """Show a ValueError raised in the block with `show` (st.error, or st.info for a note); with stop=True the
    page's run ends there, as when what follows needs the block's result."""
    try:
        yield
    except ValueError as err:
        show(str(err))
        if stop:
            st.stop()
