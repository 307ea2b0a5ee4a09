"""Lessons: a short course along the note — each step sets an input, asks for a prediction, then shows the model's own
answer and explains it, in English or Simplified Chinese."""

import streamlit as st

from ui import session
from ui.language import language_switch
from ui.sections import lessons

lessons.switch_if_asked()
selection = session.current()
language = language_switch()

st.title(lessons.word("title", language))
st.markdown(lessons.word("intro", language))
step = lessons.current_step(language)
st.query_params["step"] = step.key
left, right = st.columns([1, 3])
with right:  # first: revealing the step marks it done in the outline
    lessons.show_step(step, selection.model_name, language)
with left:
    st.caption(lessons.word("outline", language))
    lessons.outline(step, language)
