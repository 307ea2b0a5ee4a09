"""The current selection (model + sentences) for a page: the one the sidebar stored in this run of app.py."""

from __future__ import annotations

import streamlit as st

from core.model import forward
from core.model import loading as models
from core.render import markdown_literal
from ui import navigation
from ui.errors import user_errors
from ui.sidebar import Selection


def current() -> Selection:
    """The selection the sidebar stored for this run.

    A page that a fresh server ran alone (Streamlit's legacy mode for a `pages/` folder, ui/navigation.py)
    declares the navigation, which ends that mode, and reruns through app.py, which draws the shared sidebar.
    """
    if navigation.in_app_run():
        return st.session_state["selection"]
    navigation.declare()
    st.rerun()


def require_model() -> models.LoadedModel:
    """The loaded model, or an error on the page and a stop when it could not be loaded."""
    selection = current()
    if selection.loaded is None:
        st.error(markdown_literal(selection.error or "no model loaded"))
        st.stop()
    return selection.loaded


def require_analysis() -> forward.Analysis:
    """The one-pass analysis of the sidebar's input (cached in the core), or a message and a stop."""
    selection = current()
    loaded = require_model()
    with user_errors(stop=True):
        analysis = forward.analyze(loaded, selection.text_a, selection.text_b)
    if analysis.inputs.truncated:
        st.warning(analysis.inputs.truncation_notice())
    return analysis


def session_owner() -> str:
    """This browser session's id: the server runs at most one training job per session."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else "outside-a-session"
