"""Fine-tune: train a fresh copy of a BERT for one of the four uses of note section 4, live, then inspect it."""

import streamlit as st

from core.finetune import runs as finetune_runs
from core.model import checkpoints
from core.model import loading as models
from core.render import markdown_literal
from core.training import jobs, loop
from ui import run_controls, session
from ui.errors import show_error, user_errors
from ui.sections import finetune as panels

st.title("Fine-tune BERT")
st.markdown(
    "BERT is used in four ways: **one sentence → one class** ([CLS] feeds a classifier), **one sentence → "
    "a class per word** (each word's first WordPiece feeds a classifier), **two sentences → one class** "
    "(like next-sentence prediction), and **question + passage → answer start/end** (long passages are cut "
    "into overlapping windows). Pick one, train a copy of a base model, and watch the loss fall."
)
selection = session.current()
device = models.pick_device()
precision = loop.mixed_precision_dtype(device)
st.caption(f"Training device: **{device.type.upper()}**"
           + (f" · mixed precision {str(precision).removeprefix('torch.')}" if precision else " · full fp32 precision")
           + ("" if device.type == "cuda" else " — no GPU found; small demo runs take a minute or two"))

job = jobs.get_job(st.session_state.get(panels.JOB_KEY))
running = job is not None and job.snapshot().status == "running"
cfg, data, spec = panels.settings(selection.model_name)
blocked = panels.blocking_message(cfg)  # names the field to change
if blocked:
    show_error(blocked)
    data = None
if data is not None:
    st.caption(f"{len(data.train)} training / {len(data.validation)} validation examples"
               + (f" · labels: {', '.join(map(markdown_literal, data.labels))}" if data.labels else ""))
    if selection.loaded is not None and selection.loaded.name == cfg.base_model:
        params = finetune_runs.compute_parameters(selection.loaded.model)
        warning = finetune_runs.size_warning(cfg, data, params, device)
        if warning:
            show_error(warning, st.warning)
replace_refused = False
if data is not None and not running:  # replacing a saved model waits for its box to be ticked
    try:
        checkpoints.check_overwrite(cfg.alias, cfg.overwrite)
    except ValueError as err:
        if panels.just_saved(job, cfg.alias):  # the name is this session's finished run: the next step, not an error
            st.info(f"**{markdown_literal(cfg.alias)}** is saved (below). To train again, pick another name, or tick "
                    "'Replace the saved model' to train over it.")
        else:
            show_error(err)
        replace_refused = True
if st.button("Start training", type="primary", disabled=running or data is None or replace_refused,
             key="finetune_start"):
    with user_errors():  # this session or the server already runs its share of jobs
        panels.start(cfg, data)
        st.rerun()

if st.session_state.get(panels.JOB_KEY):
    st.subheader("Run")
    panels.progress(st.session_state[panels.JOB_KEY])
    panels.result(st.session_state[panels.JOB_KEY], selection.text_a, selection.text_b)

with st.expander("Training jobs running on this server"):
    run_controls.running_jobs_panel("finetune_server_jobs")
with st.expander("Saved fine-tuned models"):
    panels.saved_runs()
with st.expander("Run it on several GPUs"):
    panels.export(cfg, spec)
