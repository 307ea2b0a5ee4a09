"""Lessons: a short course along the note — each step sets an input, asks for a prediction, then shows the model's own
answer and explains it, in English or Simplified Chinese."""

import streamlit as st

from ui import session
from ui.language import language_switch
from ui.sections import lessons

lessons.switch_if_asked()
selection = session.current()
language = language_switch()

st.title("Lessons" if language == "en" else "课程")
st.markdown(
    "Six short lessons along the note. Each step gives an input and a question: **predict first**, then reveal "
    "what the loaded model really does, and open the page that shows it in full."
    if language == "en" else
    "六节短课，沿着笔记的顺序。每一步给出一个输入和一个问题：**先预测**，再揭晓当前模型真正的答案，"
    "然后打开完整展示它的页面。"
)
step = lessons.current_step(language)
st.query_params["step"] = step.key
left, right = st.columns([1, 3])
with right:  # first: revealing the step marks it done in the outline
    lessons.show_step(step, selection.model_name, language)
with left:
    st.caption(lessons.word("outline", language))
    lessons.outline(step, language)
