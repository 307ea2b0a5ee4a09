"""The Lessons page through AppTest: the URL opens a step, a prediction is judged against the model's answer,
the step is marked done, 'Open it' sets the inputs and the tab of the page it opens, and Chinese is one click."""

from __future__ import annotations

from tests.helpers import run_page, shown
from ui.language import LANGUAGE
from ui.state import widget_key


def _lessons(step: str, lang: str = "en", model: str = "bundled"):
    at = run_page("pages/lessons.py", {"model": model, "step": step, "lang": lang})
    assert not at.exception, at.exception
    return at


def _param(at, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def test_the_url_opens_a_step_and_a_prediction_is_judged():
    at = _lessons("4.1")
    assert any("Step 4.1" in m.value for m in at.markdown)
    at.radio(key="lessons_guess_4.1").set_value("ran").run()
    at.button(key="lessons_reveal_4.1").click().run()
    assert not at.exception
    assert any("You said **ran**; the model says **went**" in shown(w.value) for w in at.warning)
    assert any("first choice is “went”" in shown(m.value) for m in at.markdown)
    assert at.button(key="lessons_goto_4.1").label == "✓ 4.1"  # done, in the outline
    assert _param(at, "step") == "4.1" and _param(at, "model") == "bundled"


def test_next_step_goes_into_the_url():
    at = _lessons("1.3")
    at.button(key="lessons_next").click().run()
    assert _param(at, "step") == "2.1"
    assert any("Step 2.1" in m.value for m in at.markdown)


def test_open_it_sets_the_sentences_and_the_tab_of_its_page():
    at = _lessons("4.4")
    at.button(key="lessons_open").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Masked words (MLM)"]
    assert at.session_state["text_a"] == "The [MASK] [MASK] won the game." and at.session_state["text_b"] == ""
    assert at.session_state["mlm_tab"] == "Several masks: independent vs joint"


def test_a_task_step_opens_the_four_ways_page_on_its_task():
    at = _lessons("6.3")
    at.button(key="lessons_open").click().run()
    assert [t.value for t in at.title] == ["Four ways to use BERT"]
    assert at.session_state["tasks_task"] == "qa"
    assert at.text_input(key="tasks_question").value == "What did the man buy?"


def test_chinese_texts_and_an_unknown_step_gets_a_note():
    at = _lessons("9.9", lang="zh")
    assert [t.value for t in at.title] == ["课程"]
    assert any("没有第" in shown(w.value) for w in at.warning)
    assert any("第 1.1 步" in m.value for m in at.markdown)
    at.segmented_control(key=widget_key(LANGUAGE)).set_value("en").run()
    assert [t.value for t in at.title] == ["Lessons"] and _param(at, "lang") == "en"


def test_a_model_without_the_head_gets_a_message_not_a_crash(tiny_dirs):
    at = _lessons("4.1", model=str(tiny_dirs["encoder"]))
    at.button(key="lessons_reveal_4.1").click().run()
    assert not at.exception
    assert any("masked-word prediction" in shown(e.value) for e in at.error)


def test_in_chinese_the_menu_and_the_sidebar_read_in_chinese_too():
    at = _lessons("4.1", lang="zh")
    assert at.text_area(key=widget_key("text_a")).label == "句子 A"
    assert at.text_area(key=widget_key("text_b")).label == "句子 B（可选）"
    assert at.selectbox(key=widget_key("model")).label == "模型"
    assert any("设备：" in c.value for c in at.sidebar.caption)
    at.segmented_control(key=widget_key(LANGUAGE)).set_value("en").run()
    assert at.text_area(key=widget_key("text_a")).label == "Sentence A"
    assert any("Device:" in c.value for c in at.sidebar.caption)


def test_every_page_has_a_chinese_menu_title():
    from ui import registry

    titles = [p.title_in("zh") for p in registry.PAGES]
    assert len(set(titles)) == len(titles) and all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in titles)
    assert [p.title_in("en") for p in registry.PAGES] == [p.title for p in registry.PAGES]
