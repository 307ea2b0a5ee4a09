"""A button for an extra that costs many model runs: computed only when asked, then shown again on every rerun
until what it was asked for (the model, the input, its options) changes."""

from __future__ import annotations

from collections.abc import Hashable

import streamlit as st


def asked(label: str, key: str, request: Hashable, help: str | None = None) -> bool:
    """Whether the user asked for `request`: True from the click on, until `request` differs (then a new click)."""
    remembered = f"{key}_asked"
    if st.session_state.get(remembered) == request:
        return True
    if st.button(label, key=key, help=help):
        st.session_state[remembered] = request
        return True
    return False
