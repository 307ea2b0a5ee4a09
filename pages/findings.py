"""Findings: famous published results about BERT, each reproduced live on the loaded model over a built-in corpus,
in English or Simplified Chinese (the Lessons page's language switch)."""

import streamlit as st

from core.findings import corpus, gallery
from core.findings.facts import FACTS
from core.render import markdown_literal
from ui import session
from ui.language import language_switch
from ui.sections import findings as sections

session.current()  # draws the shared sidebar before anything on this page can stop the run
language = language_switch()
st.title(sections.word("title", language))
st.markdown(sections.word("intro", language, pairs=len(corpus.PAIRS), facts=len(FACTS)))
loaded = session.require_model()
key = st.segmented_control(sections.word("finding", language), list(gallery.CARDS),
                           format_func=lambda k: gallery.CARDS[k].name.in_(language), default="clark", required=True,
                           key="findings_card")
st.caption(sections.word("only_chosen", language, model=markdown_literal(loaded.name)))

sections.paper_side(gallery.CARDS[key], language)
result = sections.compute(loaded, key, language)
if result is not None:
    sections.measured_side(result, key, language)
