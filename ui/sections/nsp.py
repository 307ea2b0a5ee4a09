"""Streamlit pieces shared by the NSP pages: choosing documents, scoring with a progress bar, result tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import config, corpus
from core.model import loading as models
from core.model import precision as precisions
from core.nsp import experiment as nsp_experiment
from core.render import markdown_literal
from ui import loaders
from ui.errors import user_errors

SOURCES = ("Python's reference topics (pydoc_data)", "Paste documents", "Upload text files")


@st.cache_data(show_spinner=False, max_entries=8)
def _split(text: str, title: str) -> list[corpus.Document]:
    return corpus.split_documents(text, title)


def choose_documents() -> list[corpus.Document]:
    """Documents from the chosen source; an empty list (with a message) when there are none yet."""
    source = st.radio("Documents", SOURCES, key="nsp_exp_source", horizontal=True)
    with user_errors() as outcome:
        if source == SOURCES[0]:
            documents = list(corpus.python_reference_documents())
            st.caption("Read at run time from the `pydoc_data` package that ships with Python: one document per topic.")
        elif source == SOURCES[1]:
            text = st.text_area("Documents, separated by a line `---`", key="nsp_exp_text", height=200)
            documents = _split(text, "pasted")
        else:
            files = st.file_uploader("Text files (each file is a document; `---` lines split further)",
                                     type=["txt", "md"], accept_multiple_files=True, key="nsp_exp_files",
                                     max_upload_size=config.DOCUMENTS_UPLOAD_MAX_MB)
            texts = corpus.read_uploads([(f.name, f.getvalue()) for f in files or []])
            documents = [d for name, text in texts for d in _split(text, name)]
    if outcome.failed:
        return []
    if len(documents) < 2:
        st.info("Give at least two documents of several sentences each.")
        return []
    return documents


def load_optional(name: str) -> models.LoadedModel | None:
    """The comparison model, or None (with a message when it cannot be loaded)."""
    if not (name or "").strip():
        return None
    with user_errors(), st.spinner(f"Loading {markdown_literal(name)}…"):
        return loaders.load_model(name.strip())
    return None


def precision_choice(key: str, loaded: models.LoadedModel) -> str:
    """The batch pages' precision: bf16 by default where it is native (these pages show no internals)."""
    options = list(precisions.PRECISIONS)
    default = precisions.default_precision(loaded.device)
    return st.radio("Precision", options, index=options.index(default), format_func=precisions.PRECISIONS.get,
                    key=key, horizontal=True,
                    help="bf16 runs the matrix products in bfloat16 (torch.autocast): about twice as fast on CPUs "
                         "with bf16 instructions. The page scores a sample again in fp32 and says how close it "
                         "came. Every page that shows internals (attention, embeddings) stays in fp32."
                         + ("" if precisions.bf16_supported(loaded.device.type)
                            else " This machine has no native bf16, so it would be slower here."))


def agreement_caption(agreement) -> None:
    """What a bf16 run is worth: its distance from fp32 on a sample (nothing to say for fp32)."""
    if agreement is not None:
        st.caption(agreement.sentence())


def score_experiment(loaded_models: list, pairs: list[nsp_experiment.Pair],
                     precision: str = "fp32") -> list[nsp_experiment.ExperimentResult]:
    """Run the experiment on every given model that has a pair head; say why for those that have none."""
    results = []
    for loaded in [m for m in loaded_models if m is not None]:
        bar = st.progress(0.0, text=f"Scoring {len(pairs)} pairs with {markdown_literal(loaded.name)}…")
        try:
            with user_errors():
                results.append(nsp_experiment.run_experiment(
                    loaded, pairs, on_progress=lambda done, total: bar.progress(done / total),  # noqa: B023 (called within this iteration)
                    precision=precision))
        finally:
            bar.empty()
    return results


def pairs_table(results: list[nsp_experiment.ExperimentResult]) -> pd.DataFrame:
    """One row per pair: kind, texts, source positions and each model's P(index 0)."""
    table = pd.DataFrame([p.__dict__ for p in results[0].pairs])
    for result in results:
        table[f"P0 {result.model_name} ({result.head.kind})"] = result.is_next
    return table
