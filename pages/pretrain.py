"""Pre-train: MLM and NSP trained at the same time on your documents, with the note's three kinds of negatives."""

import pandas as pd
import streamlit as st

from core import config
from core.corpus import document_texts
from core.pretrain import runs
from core.pretrain.data import NEGATIVE_STRATEGIES
from core.pretrain.runner import PretrainConfig
from core.render import markdown_literal
from core.training import jobs
from ui import run_controls, session
from ui.errors import show_error, user_errors
from ui.sections import negatives_lesson

st.title("Pre-train: MLM + NSP together")
st.markdown(
    "BERT's pre-training hides 15 % of the tokens (80 % → `[MASK]`, 10 % → a random token, 10 % unchanged) "
    "**and** asks whether sentence B follows sentence A — both losses are added and trained at once. "
    "Negatives from *other documents* can be told apart by topic alone; negatives from the *same document* "
    "(or the two segments swapped) force the model to judge coherence. "
    "Run the lesson below to see it in numbers, or train your own runs and compare them."
)
source = st.radio("Documents", ["Example (Python documentation)", "Paste", "Upload .txt"], horizontal=True,
                  key="pretrain_source")
if source == "Paste":
    documents = document_texts(st.text_area("One document after another, separated by a line `---`",
                                             height=160, key="pretrain_text"))
elif source == "Upload .txt":
    files = st.file_uploader("Each file is a document", type=["txt"], accept_multiple_files=True, key="pretrain_files",
                             max_upload_size=config.DOCUMENTS_UPLOAD_MAX_MB)
    documents = []
    with user_errors():  # a binary, non-UTF-8, empty or too large file, named
        documents = runs.read_uploaded_documents([(f.name, f.getvalue()) for f in files or []])
else:
    documents = runs.example_documents()
split = runs.split_held_out(documents)
st.caption(f"{len(documents)} documents → {len(split.train)} for training, {len(split.held_out)} held out"
           + ("" if split.held_out_is_unseen else " (too few documents: evaluation reuses the training text)"))
negatives_lesson.render(documents)

st.subheader("Your own runs")
left, right = st.columns(2)
base = left.selectbox("Start from", [runs.FROM_SCRATCH, config.BUNDLED_ALIAS], key="pretrain_base",
                      help="tiny = 2 layers, 64 hidden, random weights: its curves move within minutes, its held-out "
                           "scores stay near chance; bundled = MiniLM-L6, already pre-trained, slower per step")


def suggest_alias() -> None:
    """Name the run after its negatives and steps, unless the user typed a name of their own (a callback)."""
    state = st.session_state
    if state.get("pretrain_alias") in (None, state.get("pretrain_alias_suggested")):
        state.pretrain_alias = state.pretrain_alias_suggested = runs.suggested_alias(
            state.get("pretrain_negatives", next(iter(NEGATIVE_STRATEGIES))), state.get("pretrain_steps", 60))


negatives = right.radio("Negatives", list(NEGATIVE_STRATEGIES), format_func=lambda s: NEGATIVE_STRATEGIES[s],
                        key="pretrain_negatives", on_change=suggest_alias)
whole_word = left.checkbox("Whole-word masking", key="pretrain_whole_word")
steps = left.slider("Steps", 10, 400, 60, step=10, key="pretrain_steps", on_change=suggest_alias)
if "pretrain_alias" not in st.session_state:
    suggest_alias()
alias = right.text_input("Save as", key="pretrain_alias",
                         help="Named after the negatives and steps, and never an existing model's name, so a second "
                              "run does not replace the first; type your own name to keep it.")
overwrite = run_controls.replace_checkbox(alias.strip(), "pretrain_overwrite")

if st.button("Start pre-training", type="primary", key="pretrain_start"):
    cfg = PretrainConfig(steps=steps, batch_size=8, max_seq_len=96, negatives=negatives, whole_word=whole_word,
                         checkpoint_every=20, head_lr=1e-3, encoder_lr=1e-3 if base == runs.FROM_SCRATCH else 1e-4)
    request = runs.RunRequest(tuple(documents), base, alias, cfg, overwrite=overwrite)
    with user_errors():
        runs.check_request(request)
        job = jobs.start_job(alias, lambda job: runs.run(request, job.report), owner=session.session_owner())
        st.session_state.setdefault("pretrain_jobs", []).append(job.job_id)

job_ids = st.session_state.get("pretrain_jobs", [])
snapshots = [s.snapshot() for s in map(jobs.get_job, job_ids) if s is not None]
running = [s for s in snapshots if s.status == "running"]


@st.fragment(run_every=1.0 if running else None)
def show_runs() -> None:
    """Live curves of this session's runs; polls while one is running."""
    latest = [s.snapshot() for s in map(jobs.get_job, job_ids) if s is not None]
    for snap in latest:
        if snap.status == "running":
            st.progress(snap.step / max(1, snap.total_steps),
                        f"{markdown_literal(snap.name)}: {snap.message or 'starting…'}{run_controls.time_left(snap)}")
            if st.button(f"Cancel {markdown_literal(snap.name)} (keeps its last checkpoint)", key=f"pretrain_cancel_{snap.job_id}"):
                jobs.get_job(snap.job_id).cancel()
        elif snap.status == "failed":
            show_error(f"{snap.name} failed: {snap.error.splitlines()[0]}")
        else:
            st.caption(f"{markdown_literal(snap.name)}: {snap.status} at step {snap.step}")
    histories = {s.name: s.history for s in latest if s.history}
    if histories:
        st.plotly_chart(runs.runs_curves_figure(histories), key="pretrain_curves")
    if running and not any(s.status == "running" for s in latest):
        st.rerun()  # a run just finished: stop polling, refresh the compare list


show_runs()
with st.expander("Training jobs running on this server"):
    run_controls.running_jobs_panel("pretrain_server_jobs")
with st.expander("Saved pre-training runs"):
    run_controls.delete_controls(runs.pretraining_runs(), runs.delete_run, "pretrain", "pre-training run")
st.subheader("Compare runs on the same held-out pairs")
chosen = st.multiselect("Runs", [config.BUNDLED_ALIAS, *runs.pretraining_runs()], key="pretrain_compare",
                        max_selections=4, help="Your runs, and the shipped bundled model as a reference.")
if chosen and st.button("Compare", key="pretrain_compare_go"):
    with user_errors():
        scores = runs.compare_runs(chosen, documents)
        st.dataframe(pd.DataFrame([{"run": s.run, "trained with": s.negatives.replace("_", " "),
                                    "steps": "shipped" if s.steps is None else s.steps, "MLM top-1": s.mlm_accuracy,
                                    **{f"NSP, {k.replace('_', ' ')}": v for k, v in s.nsp_accuracy.items()}}
                                   for s in scores]), hide_index=True)
        st.caption(f"{scores[0].pairs_per_strategy} held-out pairs per negative strategy, same masks for every run. "
                   "NSP columns: the share of pairs of that kind judged right at P(IsNext) = 0.5.")
