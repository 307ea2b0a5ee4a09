"""The Lessons page's pieces: the course outline, one step (predict → reveal → explain), and opening its page.

The step and the language live in the URL (?step=4.1&lang=zh), so a copied link reopens the step; the steps
done live in the session. "Open it" sets the sidebar's sentences and the page's tab in a callback (it runs
before the next run draws the sidebar), and that run switches to the page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.lessons import course
from core.lessons.course import Step
from core.lessons.probes import Reading
from core.lib.i18n import Text, phrase
from core.render import markdown_literal
from ui import loaders, registry
from ui.errors import user_errors

DONE, REVEALED, GO = "lessons_done", "lessons_revealed", "lessons_go"
# Where each page keeps its open tab (or task): a step's `tab` label is written there before the switch.
TAB_KEYS = {"attention": "attn_tab", "mlm": "mlm_tab", "tasks": "tasks_task"}

WORDS = {
    "choose": Text("Your prediction", "你的预测"),
    "reveal": Text("Reveal the model's answer", "揭晓模型的答案"),
    "you": Text("You said **{guess}**; the model says **{answer}**.", "你的预测是 **{guess}**；模型的答案是 **{answer}**。"),
    "no_guess": Text("The model says **{answer}**.", "模型的答案是 **{answer}**。"),
    "differs": Text("This lesson was written for `bundled`, which answers **{expect}** here; this model answers "
                    "otherwise, and the numbers above are its own.",
                    "本课按 `bundled` 编写，它在这里的答案是 **{expect}**；当前模型的答案不同，上面的数字来自当前模型。"),
    "open": Text("Open it on the {page} page", "在“{page}”页面中打开"),
    "previous": Text("Previous step", "上一步"),
    "next": Text("Next step", "下一步"),
    "progress": Text("{done} of {total} steps done", "已完成 {done} / {total} 步"),
    "input": Text("Input", "输入"),
    "reads": Text("Read by **{model}**.", "使用模型 **{model}**。"),
    "step": Text("Step {key}", "第 {key} 步"),
    "lesson": Text("Lesson {n}", "第 {n} 课"),
    "title": Text("Lessons", "课程"),
    "intro": Text("Six short lessons along the note. Each step gives an input and a question: **predict first**, then "
                  "reveal what the loaded model really does, and open the page that shows it in full.",
                  "六节短课，沿着笔记的顺序。每一步给出一个输入和一个问题：**先预测**，再揭晓当前模型真正的答案，"
                  "然后打开完整展示它的页面。"),
    "outline": Text("The course", "课程目录"),
    "running": Text("Running {model}…", "正在运行 {model}…"),
    "no_step": Text("There is no step “{key}” in the course: here is step {first}.", "课程中没有第 “{key}” 步：这里是第 {first} 步。"),
}


def word(name: str, language: str, **values) -> str:
    """One of the page's own words in `language`, with `values` put in."""
    return phrase(WORDS, name, language, **values)


def current_step(language: str) -> Step:
    """The step the URL names (?step=), else the first (with a note when the URL named one that does not exist)."""
    key = st.query_params.get("step", "")
    if key and key not in course.STEPS:
        st.warning(word("no_step", language, key=markdown_literal(key), first=course.LESSONS[0].steps[0].key))
    return course.STEPS.get(key, course.LESSONS[0].steps[0])


def go_to(step: Step) -> None:
    """Show another step (a callback): its key goes into the URL."""
    st.query_params["step"] = step.key


def outline(step: Step, language: str) -> None:
    """Every lesson and step, the current one marked, the done ones ticked."""
    done = st.session_state.setdefault(DONE, set())
    st.caption(word("progress", language, done=len(done), total=len(course.STEPS)))
    for lesson in course.LESSONS:
        st.markdown(f"**{lesson.number}.** {markdown_literal(lesson.title.in_(language))}")
        with st.container(horizontal=True):
            for s in lesson.steps:
                st.button(f"{'✓ ' if s.key in done else ''}{s.key}", key=f"lessons_goto_{s.key}", on_click=go_to,
                          args=(s,), type="primary" if s is step else "secondary")


def show_step(step: Step, sidebar_model: str, language: str) -> None:
    """The step: its input, the question, and after 'Reveal' the model's answer with its explanation."""
    lesson = course.lesson_of(step)
    st.subheader(f"{word('lesson', language, n=lesson.number)} · {markdown_literal(lesson.title.in_(language))}")
    if step is lesson.steps[0]:
        st.markdown(markdown_literal(lesson.intro.in_(language)))
    st.markdown(f"**{word('step', language, key=step.key)}** — {markdown_literal(step.question.in_(language))}")
    _show_input(step, language)
    guess = st.radio(word("choose", language), step.choices, index=None, horizontal=True, key=f"lessons_guess_{step.key}",
                     format_func=lambda c: course.choice_label(c, language))
    revealed = st.session_state.setdefault(REVEALED, set())
    if st.button(word("reveal", language), key=f"lessons_reveal_{step.key}", type="primary"):
        revealed.add(step.key)
    if step.key in revealed:
        _reveal(step, guess, step.model or sidebar_model, language)
    _step_buttons(step, language)


def _show_input(step: Step, language: str) -> None:
    with st.container(border=True):
        st.caption(word("input", language))
        if step.page == "tasks" and step.tab == "qa":
            st.markdown(f"**Q:** {markdown_literal(step.target)}  \n**P:** {markdown_literal(step.text_a)}")
        else:
            st.markdown(f"**A:** {markdown_literal(step.text_a)}"
                        + (f"  \n**B:** {markdown_literal(step.text_b)}" if step.text_b else ""))


def _reveal(step: Step, guess: str | None, model_name: str, language: str) -> None:
    with user_errors():  # e.g. a model without the head the step reads: the message, and the step's buttons stay
        loaded = loaders.load_model(model_name)
        with st.spinner(word("running", language, model=markdown_literal(model_name))):
            reading = step.probe(loaded, step.question_input)
        _show_reading(step, reading, guess, loaded.name, language)


def _show_reading(step: Step, reading: Reading, guess: str | None, model_name: str, language: str) -> None:
    answer = markdown_literal(course.choice_label(reading.answer, language))
    if guess is None:
        st.markdown(word("no_guess", language, answer=answer))
    else:
        (st.success if guess == reading.answer else st.warning)(
            word("you", language, guess=markdown_literal(course.choice_label(guess, language)), answer=answer))
    st.markdown(course.explanation(step, reading, language, literal=markdown_literal))
    if reading.rows:
        st.dataframe(pd.DataFrame(course.table_rows(reading, language)), hide_index=True)
    st.caption(word("reads", language, model=markdown_literal(model_name)))
    if reading.answer != step.expect:
        st.info(word("differs", language, expect=markdown_literal(course.choice_label(step.expect, language))))
    st.session_state.setdefault(DONE, set()).add(step.key)


def _step_buttons(step: Step, language: str) -> None:
    before, after = course.neighbours(step)
    page = registry_page(step)
    with st.container(horizontal=True):
        if before:
            st.button(f"← {word('previous', language)}", key="lessons_previous", on_click=go_to, args=(before,))
        st.button(word("open", language, page=page.title_in(language)), key="lessons_open", on_click=open_step, args=(step,),
                  icon=page.icon)
        if after:
            st.button(f"{word('next', language)} →", key="lessons_next", on_click=go_to, args=(after,))


def registry_page(step: Step) -> registry.PageInfo:
    return next(p for p in registry.PAGES if p.path == f"pages/{step.page}.py")


def open_step(step: Step) -> None:
    """Put the step's input in the sidebar and its tab on its page (a callback); the run that follows switches."""
    state = st.session_state
    if step.page == "tasks" and step.tab == "qa":
        state.tasks_question, state.tasks_passage = step.target, step.text_a
    else:
        state.text_a, state.text_b = step.text_a, step.text_b or ""
    if step.tab and step.page in TAB_KEYS:
        state[TAB_KEYS[step.page]] = step.tab
    state[GO] = registry_page(step).path


def switch_if_asked() -> None:
    """After 'Open it': go to the step's page (st.switch_page cannot run inside the button's callback)."""
    path = st.session_state.pop(GO, None)
    if path:
        st.switch_page(registry.page_file(path))
