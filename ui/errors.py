"""Bad input on a page: its message shown, never a traceback (STYLE 9: the core raises ValueError saying what to do).

A message often quotes what a user typed or uploaded (a file name, a model name, a column), so it is drawn as
literal Markdown: no link, image or emphasis can come out of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from core.render import markdown_literal


def show_error(message: object, show: Callable[[str], object] = st.error) -> None:
    """Draw an error message (or, with `show`, a note) exactly as written."""
    show(markdown_literal(str(message)))


@contextmanager
def user_errors(stop: bool = False, show: Callable[[str], object] = st.error) -> Iterator[None]:
    """Show a ValueError raised in the block with `show` (st.error, or st.info for a note), as literal text; with
    stop=True the page's run ends there, as when what follows needs the block's result."""
    try:
        yield
    except ValueError as err:
        show_error(err, show)
        if stop:
            st.stop()
