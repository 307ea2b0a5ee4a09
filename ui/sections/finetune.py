"""Streamlit panels of the fine-tune page: settings form, live progress, before/after, saved runs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import config
from core.finetune import runner as finetune
from core.finetune import runs as finetune_runs
from core.finetune.data import TASK_TITLES, TASKS, load_upload, make_task_data
from core.finetune.demo import SOURCES, demo_data
from core.finetune.figures import curves_figure
from core.finetune.sources import HUB_PREFIX, DataSpec, load_data
from core.lib import paths
from core.model import loading as models
from core.render import markdown_literal
from core.training import jobs
from ui.loaders import load_model
from ui.run_controls import delete_controls, replace_checkbox, time_left
from ui.session import session_owner

JOB_KEY = "finetune_job_id"
# How often the progress panel polls a running job, in seconds.
POLL_S = 1.0


def settings(base_default: str) -> tuple[finetune.FineTuneConfig, object, DataSpec]:
    """Task, base model, data and hyper-parameters: the config, the data (or None) and where it comes from."""
    task = st.selectbox("Task", TASKS, format_func=TASK_TITLES.get, key="finetune_task", on_change=_default_alias)
    left, right = st.columns(2)
    base = left.text_input("Base model (a fresh copy is trained)", base_default, key="finetune_base")
    alias = right.text_input("Name of the new model", f"ft-{task}", key="finetune_alias")
    source = st.radio("Data", SOURCES_OFFERED, horizontal=True, key="finetune_source")
    data, spec = _data(task, source)
    batch_size, max_length, learning_rate = _suggestions(base.strip(), data)
    with st.expander("Hyper-parameters"):
        st.caption(f"Suggested for this model, data and device: learning rate {learning_rate:.0e}, batch {batch_size}, "
                   f"max length {max_length} (covers 95% of the training inputs).")
        c = st.columns(4)
        values = dict(
            learning_rate=c[0].number_input("Learning rate", 1e-6, 1e-2, learning_rate, step=1e-5, format="%.0e",
                                           key="finetune_lr"),
            epochs=c[1].number_input("Epochs", 1, 50, 2, key="finetune_epochs"),
            batch_size=c[2].number_input("Batch size", 1, 256, batch_size, key="finetune_batch"),
            max_length=c[3].number_input("Max length (tokens)", 16, 512, max_length, key="finetune_len"),
            warmup_fraction=c[0].number_input("Warm-up share", 0.0, 0.5, 0.1, key="finetune_warmup"),
            weight_decay=c[1].number_input("Weight decay", 0.0, 0.3, 0.01, key="finetune_decay"),
            doc_stride=c[2].number_input("QA stride (tokens)", 0, 200, 32, key="finetune_stride"),
            seed=c[3].number_input("Seed", 0, 10_000, 0, key="finetune_seed"),
            freeze_encoder=st.checkbox("Freeze the encoder (train the head only)", key="finetune_freeze"),
        )
    overwrite = replace_checkbox(alias.strip(), "finetune_overwrite")
    return (finetune.FineTuneConfig(task=task, base_model=base.strip(), alias=alias.strip(), overwrite=overwrite,
                                    **values), data, spec)



def _suggestions(base: str, data) -> tuple[int, int, float]:
    """Batch size, max length and learning rate for this base model, data and device (defaults when the
    base model cannot be loaded yet)."""
    device = models.pick_device()
    fallback = (32 if device.type == "cuda" else 16), 128, 5e-5
    try:
        loaded = load_model(base)
    except ValueError:
        return fallback
    learning_rate = finetune.suggested_learning_rate(loaded.config.hidden_size)
    if data is None:
        return fallback[0], fallback[1], learning_rate
    return (*finetune.suggested_sizes(loaded.tokenizer, data, device), learning_rate)


def _default_alias() -> None:
    """A new task renames the new model's default name (ft-sentence → ft-pair), never a name the user typed."""
    alias = st.session_state.get("finetune_alias", "")
    if alias.removeprefix("ft-") in TASKS:
        st.session_state["finetune_alias"] = f"ft-{st.session_state['finetune_task']}"


SOURCES_OFFERED = ("Demo set", "Upload a file", "Hugging Face dataset")


def _data(task: str, source: str):
    if source == "Demo set":
        st.caption(f"Demo set — {SOURCES[task]}")
        return demo_data(task), DataSpec()
    if source == "Hugging Face dataset":
        return _hub_data(task)
    st.caption("Columns — sentence: text,label · pair: text_a,text_b,label · token: tokens,tags (one tag per word) · "
               "qa: question,context,answer[,answer_start]. Without a validation file 10% is held out. "
               f"Up to {config.FINETUNE_UPLOAD_MAX_MB} MB per file here; train on a bigger file with "
               "`python -m core finetune --data FILE`.")
    kinds = ["csv", "tsv", "jsonl", "json", "txt"]
    left, right = st.columns(2)
    upload = left.file_uploader("Training data: CSV, TSV or JSONL (SQuAD JSON for QA)", type=kinds,
                                max_upload_size=config.FINETUNE_UPLOAD_MAX_MB, key="finetune_upload")
    held_out = right.file_uploader("Validation data (optional)", type=kinds,
                                   max_upload_size=config.FINETUNE_UPLOAD_MAX_MB, key="finetune_validation")
    spec = DataSpec(upload.name if upload else "your-data.csv", held_out.name if held_out else "")
    if upload is None:
        return None, spec
    try:  # the message names the file, the missing column or the bad row
        validation = load_upload(task, held_out.name, held_out.getvalue()) if held_out else None
        return make_task_data(task, load_upload(task, upload.name, upload.getvalue()), validation,
                              f"upload: {upload.name}" + (f" (validation: {held_out.name})" if held_out else "")), spec
    except ValueError as err:
        st.error(str(err))
        return None, spec


def _hub_data(task: str):
    """A Hugging Face dataset by id (hub or local datasets cache) or a dataset folder, with column overrides."""
    st.caption("A dataset id such as `stanfordnlp/imdb` or `nyu-mll/glue` (+ configuration `sst2`), or a local "
               "folder (`save_to_disk` output or CSV/JSON/Parquet files) inside the models folder or a folder the "
               "operator allows (BERT_EXPLORER_DATA_ROOTS). Columns are matched by common names "
               "(sentence1/sentence2, ner_tags, answers …); class ids become the dataset's label names.")
    c = st.columns([3, 2, 2, 2])
    spec = DataSpec(HUB_PREFIX + c[0].text_input("Dataset", key="finetune_hub_id").strip(),
                    hf_config=c[1].text_input("Configuration", key="finetune_hub_config").strip(),
                    split=c[2].text_input("Training split", "train", key="finetune_hub_split").strip(),
                    validation_split=c[3].text_input("Validation split", key="finetune_hub_val",
                                                     placeholder="its own, or 10%").strip(),
                    columns=st.text_input("Column overrides (optional)", key="finetune_hub_columns",
                                          placeholder="text=review, label=stars").strip(),
                    max_examples=int(st.number_input("Training examples to sample", 4, 1_000_000, DataSpec.max_examples,
                                                     key="finetune_hub_max")))
    if spec.data == HUB_PREFIX:
        return None, spec
    try:
        if paths.is_local_path(spec.hub_request.dataset):  # whoever reaches the server types here
            paths.confine(spec.hub_request.dataset, "dataset folder")
        with st.spinner(f"Loading {spec.hub_request.dataset} …"):
            return _load_hub(task, spec), spec
    except ValueError as err:
        st.error(str(err))
        return None, spec


@st.cache_data(show_spinner=False, max_entries=4)
def _load_hub(task: str, spec: DataSpec):
    return load_data(task, spec)


def start(cfg: finetune.FineTuneConfig, data) -> None:
    """Start the run in the background and remember its id for this browser session (ValueError when this
    session or the server already runs its share of jobs)."""
    job = jobs.start_job(f"finetune {cfg.alias}", lambda job: finetune.train(cfg, data, job.report),
                         owner=session_owner())
    st.session_state[JOB_KEY] = job.job_id


def progress(job_id: str) -> None:
    """The run's progress bar, ETA, curves and cancel button, polled while it runs."""
    job = jobs.get_job(job_id)
    if job is None:
        st.info("The last run is no longer known to the server (it was restarted).")
        return
    running = job.snapshot().status == "running"
    st.fragment(run_every=POLL_S if running else None)(_draw_progress)(job, running)


def _draw_progress(job: jobs.Job, was_running: bool) -> None:
    snap = job.snapshot()
    if was_running and snap.status != "running":
        st.rerun(scope="app")  # the run ended: redraw the whole page once, without polling
    done = snap.step / snap.total_steps if snap.total_steps else 0.0
    st.progress(done, text=f"{markdown_literal(job.name)}: {snap.status} · step {snap.step}/{snap.total_steps}"
                           f"{time_left(snap)} · {snap.message}")
    last = {k: v for h in snap.history for k, v in h.items() if k not in ("step", "elapsed_s")}
    if last:
        st.caption(" · ".join(f"{k.replace('_', ' ')} {v:.3f}" for k, v in sorted(last.items())))
    if snap.history:
        st.plotly_chart(curves_figure(snap.history), key="finetune_curves")
    if snap.status == "running":
        st.button("Cancel run", on_click=job.cancel, key="finetune_cancel")
    elif snap.status == "failed":
        st.error(f"The run failed: {snap.error.splitlines()[0]}")
    elif snap.status == "cancelled":
        st.warning("Run cancelled; the last complete checkpoint (if any) is kept.")


def result(job_id: str, text_a: str, text_b: str | None) -> None:
    """The finished model: a button to use it everywhere, and before/after on the sidebar's input."""
    job = jobs.get_job(job_id)
    snap = job.snapshot() if job else None
    if snap is None or snap.status != "done":
        return
    res: finetune.FineTuneResult = snap.result
    st.success(f"Saved **{markdown_literal(res.alias)}** ({res.task}, trained on {res.device}): "
               + ", ".join(f"{k} {v:.3f}" for k, v in res.metrics.items()))
    if st.button(f"Inspect {markdown_literal(res.alias)} in every view", on_click=st.session_state.update, kwargs={"model": res.alias},
                 key="finetune_use"):
        st.switch_page("pages/home.py")
    st.subheader("Before / after on your sidebar input")
    st.caption("QA reads sentence A as the question and sentence B as the passage; sentence tasks use A (and B).")
    rows = []
    for name in (res.base_model, res.alias):
        try:
            p = finetune_runs.predict(load_model(name), res.task, text_a, text_b)
            rows.append({"model": name, "prediction": p.summary})
        except ValueError as err:
            rows.append({"model": name, "prediction": f"error: {err}"})
    st.table(pd.DataFrame(rows))


def saved_runs() -> None:
    """Fine-tuned models on disk, their size, and a delete button."""
    runs = finetune_runs.saved_runs()
    if not runs:  # still shows what the last delete did
        return delete_controls([], finetune_runs.delete_run, "finetune", "fine-tuned model")
    table = pd.DataFrame([{"model": r.alias, "task": r.task, "base": r.base_model, "size (MB)": r.size_mb,
                           "saved": r.saved_at, **{k: round(v, 3) for k, v in r.metrics.items()}} for r in runs])
    st.dataframe(table, hide_index=True)
    st.caption(f"Disk used: {sum(r.size_mb for r in runs):.1f} MB")
    delete_controls([r.alias for r in runs], finetune_runs.delete_run, "finetune", "fine-tuned model")


def export(cfg: finetune.FineTuneConfig, spec: DataSpec) -> None:
    """The same job as files that run with torchrun / accelerate launch on a bigger machine (uploaded files are
    named in the script: copy them along)."""
    files = finetune_runs.export_job(cfg, spec)
    st.caption("Runs the same training code through `python -m core finetune --config job.json` "
               "(one process per GPU).")
    cols = st.columns(len(files))
    for col, (name, text) in zip(cols, files.items()):
        col.download_button(f"Download {name}", text, file_name=name, key=f"finetune_export_{name}")
