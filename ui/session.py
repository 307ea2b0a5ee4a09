"""Cached model loading and the current selection (model + sentences) shared by every page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from core import checkpoints, config, forward, jobs, models
from core.render import markdown_literal


@st.cache_resource(show_spinner=False)
def recover_interrupted_saves() -> tuple[str, ...]:
    """Once per server process: put back or remove what saves killed by a crash left behind (never touching a
    save another live process is writing), so every listed model loads and no half-written folder stays."""
    try:
        return tuple(step for parent in (config.MODELS_HOME, config.HOME / "bundled")
                     for step in checkpoints.recover_leftovers(parent))
    except OSError as err:  # a read-only or vanished folder must not stop the app
        return (f"not recovered: {err}",)


@st.cache_resource(show_spinner=False)
def default_model() -> tuple[str, str]:
    """The default model and why; decided once per server process."""
    return models.choose_default_model()


def load_model(name: str) -> models.LoadedModel:
    """One shared copy of each model for every session of the server, reloaded once its files are saved anew
    (a fine-tune or pre-train run re-saving a name must not leave other sessions on the old weights).
    Folders are confined to the models folder and BERT_EXPLORER_DATA_ROOTS: whoever reaches the server types here."""
    return _load_model(name, models.saved_version(name, confined=True))


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_model(name: str, version: str) -> models.LoadedModel:
    return models.load_model(name, confined=True)


def session_owner() -> str:
    """This browser session's id: the server runs at most one training job per session."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else "outside-a-session"


def running_jobs_panel(key: str) -> None:
    """Every training job running on the server, whichever session (or closed tab) started it, each with a
    cancel button: a job that outlived its tab can still be stopped (its last checkpoint is kept)."""
    running = jobs.running_jobs()
    if not running:
        st.caption("No training job is running on this server.")
        return
    for job in running:
        snap = job.snapshot()
        left, right = st.columns([4, 1])
        left.caption(f"{markdown_literal(snap.name)} · step {snap.step}/{snap.total_steps}"
                     + (" · started in this session" if job.owner == session_owner() else ""))
        right.button("Cancel", key=f"{key}_{snap.job_id}", on_click=job.cancel)


def delete_controls(names: list[str], delete: Callable[[str], None], prefix: str, kind: str) -> None:
    """Pick a saved model, press Delete, confirm: the confirmation names the model, and the delete receives the
    name as it was drawn, so a list that changed meanwhile never redirects it to another model."""
    outcome = st.session_state.pop(f"{prefix}_delete_outcome", None)
    if outcome:
        (st.success if outcome[0] == "done" else st.error)(outcome[1])
    if not names:
        st.caption(f"No {kind}s saved yet.")
        return
    left, right = st.columns([3, 1])
    chosen = left.selectbox(f"Delete a {kind}", names, key=f"{prefix}_delete_pick")
    right.button(f"Delete {markdown_literal(chosen)}", key=f"{prefix}_delete", on_click=st.session_state.update,
                 kwargs={f"{prefix}_delete_pending": chosen})
    alias = st.session_state.get(f"{prefix}_delete_pending")
    if not alias:
        return
    st.warning(f"Delete the {kind} **{markdown_literal(alias)}** for good? Its folder and weights are removed.")
    yes, no = st.columns(2)
    yes.button(f"Yes, delete {markdown_literal(alias)}", key=f"{prefix}_delete_yes", on_click=_delete,
               args=(alias, delete, prefix))
    no.button("Keep it", key=f"{prefix}_delete_no", on_click=st.session_state.pop,
              args=(f"{prefix}_delete_pending", None))


def _delete(alias: str, delete: Callable[[str], None], prefix: str) -> None:
    """Delete exactly `alias`, the name the confirmation showed; a vanished model is reported, never replaced."""
    st.session_state.pop(f"{prefix}_delete_pending", None)
    try:
        delete(alias)
        st.session_state[f"{prefix}_delete_outcome"] = ("done", f"Deleted **{markdown_literal(alias)}**.")
    except ValueError as err:
        st.session_state[f"{prefix}_delete_outcome"] = ("error", markdown_literal(str(err)))


def replace_checkbox(alias: str, key: str) -> bool:
    """Where a model of this name is saved already: a box to tick before a run may replace it (else False)."""
    try:
        exists = checkpoints.model_dir(alias).exists()
    except ValueError:  # a bad name: the settings check says why
        return False
    return exists and st.checkbox(f"Replace the saved model {markdown_literal(alias)}", key=key)


@dataclass(frozen=True)
class Selection:
    """What the sidebar holds: the model name, its load result, and the sentences."""

    model_name: str
    text_a: str
    text_b: str | None
    loaded: models.LoadedModel | None
    error: str | None


def current() -> Selection:
    """The selection the sidebar stored for this run (drawing the sidebar first if this run has not).

    With a `pages/` folder next to app.py, Streamlit starts in its legacy multipage mode and runs a page
    script alone when a page's address is a fresh server's first request (AppTest does so on every run).
    The page then switches Streamlit to st.navigation mode and reruns through app.py, which draws the
    shared sidebar and the navigation.
    """
    from streamlit.runtime.pages_manager import PagesManager

    from ui import sidebar

    if sidebar.drawn_this_run():
        return st.session_state["selection"]
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return sidebar.render()


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
    try:
        analysis = forward.analyze(loaded, selection.text_a, selection.text_b)
    except ValueError as err:
        st.error(str(err))
        st.stop()
    if analysis.inputs.truncated:
        st.warning(analysis.inputs.truncation_notice())
    return analysis
