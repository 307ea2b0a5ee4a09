"""Bad input on a page: its message shown, never a traceback (STYLE 9: the core raises ValueError saying what to do).

A message often quotes what a user typed or uploaded (a file name, a model name, a column), so it is drawn as
literal Markdown: no link, image or emphasis can come out of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st

from core.render import markdown_literal


def show_error(message: object, show: Callable[[str], object] = st.error) -> None:
    """Draw an error message (or, with `show`, a note) exactly as written."""
    show(markdown_literal(str(message)))


@dataclass
class Outcome:
    """What a user_errors block ended with: the ValueError it showed, or None when it ran through."""

    error: ValueError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


@contextmanager
def user_errors(stop: bool = False, show: Callable[[str], object] = st.error,
                advise: Callable[[ValueError], object] | None = None) -> Iterator[Outcome]:
    """Show a ValueError raised in the block with `show` (st.error, or st.info for a note), as literal text, then
    `advise(err)` (what to do next, told apart by the error's type); with stop=True the page's run ends there, as
    when what follows needs the block's result. The Outcome it yields says whether the block failed, for a caller
    that goes on without the result:

        with user_errors() as outcome:
            other = loaders.load_model(name)
        if outcome.failed:
            return
    """
    outcome = Outcome()
    try:
        yield outcome
    except ValueError as err:
        outcome.error = err
        show_error(err, show)
        if advise is not None:
            advise(err)
        if stop:
            st.stop()
