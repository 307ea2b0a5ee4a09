"""Findings: famous published results about BERT, each reproduced live on the loaded model over a built-in corpus."""

import streamlit as st

from core.findings import corpus, gallery
from core.findings.facts import FACTS
from core.render import markdown_literal
from ui import session
from ui.sections import findings as sections

session.current()  # draws the shared sidebar before anything on this page can stop the run
st.title("Findings: published BERT results, measured here")
st.markdown(
    "Papers about BERT report what its attention heads look at, how contextual its vectors are, how many heads it "
    "needs and what facts it knows. Each card below repeats one of those measurements **live on the model in the "
    f"sidebar**, over a small corpus written for this app ({len(corpus.PAIRS)} everyday two-sentence texts and "
    f"{len(FACTS)} cloze facts) — so the numbers are this model's, on this corpus, set against the paper's own."
)
loaded = session.require_model()
key = st.segmented_control("Finding", list(gallery.CARDS), format_func=lambda k: gallery.CARDS[k].name,
                           default="clark", required=True, key="findings_card")
st.caption(f"Only the chosen card is computed: once per model, then kept. Model: {markdown_literal(loaded.name)}.")

sections.paper_side(gallery.CARDS[key])
result = sections.compute(loaded, key)
if result is not None:
    sections.measured_side(result, key)
