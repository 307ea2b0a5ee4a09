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
from core.model import checkpoints
from core.model import loading as models
from core.render import markdown_literal
from core.training import jobs
from ui import registry
from ui.errors import show_error, user_errors
from ui.loaders import load_model
from ui.run_controls import delete_controls, replace_checkbox, time_left
from ui.session import session_owner

JOB_KEY = "finetune_job_id"
# How often the progress panel polls a running job, in seconds.
POLL_S = 1.0


# What each task reads and predicts, under the task picker.
TASK_READS = {
    "sentence": "One sentence in, one class out: `[CLS] sentence [SEP]`, the classifier reads the [CLS] vector.",
    "token": "One sentence in, a class for every word out: each word's first WordPiece feeds the classifier.",
    "pair": "Two sentences in, one class out: `[CLS] A [SEP] B [SEP]` — sentence A and sentence B read together, "
            "the classifier reads the [CLS] vector of the pair (like next-sentence prediction).",
    "qa": "A question and a passage in, the answer's start and end out: `[CLS] question [SEP] passage [SEP]`; a "
          "passage longer than Max length is cut into windows that share QA stride tokens.",
}
# What the before/after table feeds both models, from the sidebar.
BEFORE_AFTER_READS = {
    "sentence": "Both models classify sentence A.",
    "token": "Both models label every word of sentence A.",
    "pair": "Both models judge the pair `[CLS] A [SEP] B [SEP]`: sentence A and sentence B together.",
    "qa": "Both models answer sentence A (the question) from sentence B (the passage), with the Four ways page's "
          "default options.",
}
# The widgets whose values follow the suggestions for the task, data and base model (field → widget key).
SUGGESTED_WIDGETS = {"learning_rate": "finetune_lr", "batch_size": "finetune_batch", "max_length": "finetune_len",
                     "doc_stride": "finetune_stride"}
# {task: {field: value}}: what the user typed for a task; kept over the suggestions for that task.
TYPED_KEY = "finetune_typed"
# The labels of the fields FineTuneConfig.validate's messages are about, as the page names them.
FIELD_LABELS = {"learning_rate": "Learning rate", "batch_size": "Batch size", "max_length": "Max length (tokens)",
                "doc_stride": "QA stride (tokens)", "alias": "Name of the new model", "base_model": "Base model"}


def settings(base_default: str) -> tuple[finetune.FineTuneConfig, object, DataSpec]:
    """Task, base model, data and hyper-parameters: the config, the data (or None) and where it comes from."""
    task = st.selectbox("Task", TASKS, format_func=TASK_TITLES.get, key="finetune_task", on_change=_default_alias)
    st.caption(TASK_READS[task])
    left, right = st.columns(2)
    base = left.text_input("Base model (a fresh copy is trained)", base_default, key="finetune_base")
    alias = right.text_input("Name of the new model", f"ft-{task}", key="finetune_alias")
    source = st.radio("Data", SOURCES_OFFERED, horizontal=True, key="finetune_source")
    data, spec = _data(task, source)
    suggested = suggestions(base.strip(), data)
    typed = _follow_suggestions(task, suggested)
    with st.expander("Hyper-parameters"):
        stride = f", QA stride {suggested['doc_stride']} (a quarter of the max length)" if task == "qa" else ""
        st.caption(f"Suggested for this task, model, data and device: learning rate {suggested['learning_rate']:.0e}, "
                   f"batch {suggested['batch_size']}, max length {suggested['max_length']} (covers 95% of the "
                   f"training inputs){stride}.")
        if typed:
            left, right = st.columns([4, 1])
            left.caption("Your own values for this task are kept: "
                         + ", ".join(f"{FIELD_LABELS[field]} {value:g}" for field, value in typed.items()) + ".")
            right.button("Use the suggestions", on_click=_forget_typed, args=(task,), key="finetune_suggested")
        c = st.columns(4)
        values = dict(
            learning_rate=c[0].number_input("Learning rate", 1e-6, 1e-2, step=1e-5, format="%.0e",
                                           **_typed_by_user(task, "learning_rate")),
            epochs=c[1].number_input("Epochs", 1, 50, 2, key="finetune_epochs"),
            batch_size=c[2].number_input("Batch size", 1, 256, **_typed_by_user(task, "batch_size")),
            max_length=c[3].number_input("Max length (tokens)", 16, 512, **_typed_by_user(task, "max_length")),
            warmup_fraction=c[0].number_input("Warm-up share", 0.0, 0.5, 0.1, key="finetune_warmup"),
            weight_decay=c[1].number_input("Weight decay", 0.0, 0.3, 0.01, key="finetune_decay"),
            doc_stride=c[2].number_input("QA stride (tokens)", 0, 200, disabled=task != "qa",
                                         help="Tokens two neighbouring windows of a long passage share; below half "
                                              "of Max length", **_typed_by_user(task, "doc_stride")),
            seed=c[3].number_input("Seed", 0, 10_000, 0, key="finetune_seed"),
            lora_rank=c[0].number_input("LoRA rank (0 = every weight trains)", 0, 256, 0, key="finetune_lora",
                                        help="r > 0: train a rank-r low-rank change of every encoder layer plus the "
                                             "head (the ready-made bundled-… models use 16 with learning rate 1e-3); "
                                             "the saved model is an ordinary checkpoint, its adapter saved beside it"),
            freeze_encoder=st.checkbox("Freeze the encoder (train the head only)", key="finetune_freeze"),
        )
    overwrite = replace_checkbox(alias.strip(), "finetune_overwrite")
    return (finetune.FineTuneConfig(task=task, base_model=base.strip(), alias=alias.strip(), overwrite=overwrite,
                                    **values), data, spec)


def suggestions(base: str, data) -> dict:
    """Learning rate, batch size, max length and QA stride for this base model, task data and device (defaults
    when the base model cannot be loaded yet or there is no data)."""
    device = models.pick_device()
    batch_size, max_length, learning_rate = (32 if device.type == "cuda" else 16), 128, 5e-5
    try:
        loaded = load_model(base)
    except ValueError:
        loaded = None
    if loaded is not None:
        learning_rate = finetune.suggested_learning_rate(loaded.config.hidden_size)
        if data is not None:
            batch_size, max_length = finetune.suggested_sizes(loaded.tokenizer, data, device)
    return {"learning_rate": learning_rate, "batch_size": batch_size, "max_length": max_length,
            "doc_stride": max_length // 4}


def _follow_suggestions(task: str, suggested: dict) -> dict:
    """Set each suggested widget to the value the user typed for this task, else to the suggestion: switching
    the task or the data switches the values with the suggestions. Returns the typed ones."""
    typed = st.session_state.setdefault(TYPED_KEY, {}).get(task, {})
    for field, key in SUGGESTED_WIDGETS.items():
        st.session_state[key] = typed.get(field, suggested[field])
    return typed


def _typed_by_user(task: str, field: str) -> dict:
    """Widget arguments that remember a value the user types for this task (see _follow_suggestions)."""
    return {"key": SUGGESTED_WIDGETS[field], "on_change": _remember_typed, "args": (task, field)}


def _remember_typed(task: str, field: str) -> None:
    st.session_state.setdefault(TYPED_KEY, {}).setdefault(task, {})[field] = st.session_state[SUGGESTED_WIDGETS[field]]


def _forget_typed(task: str) -> None:
    st.session_state.setdefault(TYPED_KEY, {}).pop(task, None)


def blocking_message(cfg: finetune.FineTuneConfig) -> str | None:
    """Why the run cannot start, naming the field to change on this page; None when it can."""
    try:
        checkpoints.new_model_dir(cfg.alias)
    except ValueError as err:
        return f"{FIELD_LABELS['alias']}: {err}"
    try:
        models.resolve(cfg.base_model, confined=True)  # a folder typed here must lie inside the allowed folders
    except ValueError as err:
        return f"{FIELD_LABELS['base_model']}: {err}"
    try:
        cfg.validate()
    except ValueError as err:
        return str(err)
    return None


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
    with user_errors():  # the message names the file, the missing column or the bad row
        validation = load_upload(task, held_out.name, held_out.getvalue()) if held_out else None
        return make_task_data(task, load_upload(task, upload.name, upload.getvalue()), validation,
                              f"upload: {upload.name}" + (f" (validation: {held_out.name})" if held_out else "")), spec
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
    with user_errors():
        if paths.is_local_path(spec.hub_request.dataset):  # whoever reaches the server types here
            paths.confine(spec.hub_request.dataset, "dataset folder")
        with st.spinner(f"Loading {markdown_literal(spec.hub_request.dataset)} …"):
            return _load_hub(task, spec), spec
    return None, spec


@st.cache_data(show_spinner=False, max_entries=4)
def _load_hub(task: str, spec: DataSpec):
    return load_data(task, spec)


def job_name(alias: str) -> str:
    """The background job's name for a run saving `alias` (what the progress panel shows)."""
    return f"finetune {alias}"


def just_saved(job: jobs.Job | None, alias: str) -> bool:
    """Whether this session's last run finished by saving `alias` (so the name is taken by its own result)."""
    finished = job.snapshot() if job is not None else None
    return finished is not None and finished.status == "done" and finished.name == job_name(alias)


def start(cfg: finetune.FineTuneConfig, data) -> None:
    """Start the run in the background and remember its id for this browser session (ValueError when this
    session or the server already runs its share of jobs)."""
    job = jobs.start_job(job_name(cfg.alias), lambda job: finetune.train(cfg, data, job.report),
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
        show_error(f"The run failed: {snap.error.splitlines()[0]}")
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
        st.switch_page(registry.page_file("pages/home.py"))
    st.subheader("Before / after on your sidebar input")
    st.caption(BEFORE_AFTER_READS[res.task] + " The predictions come from the Four ways page's own code.")
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
