"""Pre-train page: the lesson preset, three short runs that show what each kind of NSP negative teaches."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import config
from core.pretrain import lesson
from core.pretrain.runs import runs_curves_figure
from core.training import jobs
from ui import run_controls, session
from ui.errors import show_error, user_errors

JOB_KEY = "pretrain_lesson_job"


def render(documents: list[str]) -> None:
    """The preset's button, its live progress (with the time left) and, when done, its table and findings."""
    st.subheader("The lesson in about three minutes")
    steps = lesson.LESSON_CONFIG.steps
    st.markdown(
        f"Three short runs continue `{config.BUNDLED_ALIAS}`, each with a **fresh NSP head** and one kind of "
        f"negative ({steps} steps of {lesson.LESSON_CONFIG.batch_size} pairs); then each run is scored on "
        f"held-out pairs of **every** kind ({lesson.EVAL_PAIRS} per kind). Nothing is saved as a model.")
    if st.button(f"Run the lesson: 3 × {steps} steps", key="pretrain_lesson_start"):
        with user_errors():
            job = jobs.start_job("lesson: three kinds of negatives",
                                 lambda job: lesson.run_lesson(documents, report=job.report),
                                 owner=session.session_owner())
            st.session_state[JOB_KEY] = job.job_id
    job = jobs.get_job(st.session_state.get(JOB_KEY))
    if job is not None:
        with st.container():
            _show(job.job_id, running=job.snapshot().status == "running")


def _show(job_id: str, running: bool) -> None:
    @st.fragment(run_every=1.0 if running else None)
    def live() -> None:
        snap = jobs.get_job(job_id).snapshot()
        if snap.status == "running":
            st.progress(snap.step / max(1, snap.total_steps), f"{snap.message or 'loading…'}{run_controls.time_left(snap)}")
            if st.button("Cancel the lesson", key="pretrain_lesson_cancel"):
                jobs.get_job(job_id).cancel()
        elif snap.status == "failed":
            show_error(f"The lesson failed: {snap.error.splitlines()[0]}")
        elif snap.status == "cancelled":
            st.caption("The lesson was cancelled.")
        else:
            _result(snap.result)
        if running and snap.status != "running":
            st.rerun()  # the run just finished: redraw the page once, without polling

    live()


def _result(result: lesson.LessonResult) -> None:
    st.plotly_chart(lesson.auc_figure(result), key="pretrain_lesson_auc")
    for line in result.findings():
        st.markdown(f"- {line}")
    with st.expander("The numbers, and each run's training curves"):
        st.dataframe(pd.DataFrame(result.auc_table()), hide_index=True)
        st.caption("ROC AUC of P(IsNext): consecutive pairs against that kind of negative, threshold-free "
                   "(0.5 = chance, 1 = always ranked apart)."
                   + ("" if result.held_out_is_unseen else " Too few documents: the scores reuse training text."))
        histories = {lesson.KIND_NAMES[run.negatives]: run.history for run in result.runs}
        st.plotly_chart(runs_curves_figure(histories), key="pretrain_lesson_curves")
