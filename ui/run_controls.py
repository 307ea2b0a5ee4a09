"""Controls the two training pages share: the server's running jobs with a cancel button each, a delete that
confirms and names its model, and the box to tick before a run may replace a saved model."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.model import checkpoints
from core.render import markdown_literal
from core.training import jobs
from ui.session import session_owner


def time_left(snap: jobs.JobSnapshot) -> str:
    """" · about N s left" for a progress bar's text while the job can estimate it, else nothing."""
    return f" · about {snap.eta_s:.0f} s left" if snap.eta_s is not None else ""


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
