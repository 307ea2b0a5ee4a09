"""The Findings page through AppTest: every card on the tiny model, only the chosen card computed, a model without
an MLM head answered with its message, the page in Chinese, and the language chosen on the Lessons page kept."""

from __future__ import annotations

import json
import string

import pytest

from core.findings import gallery
from tests.helpers import app_test, run_page, shown
from ui.language import LANGUAGE
from ui.sections import findings as sections
from ui.state import widget_key


def _open(tiny_dirs, card: str, kind: str = "pretraining", lang: str = "en"):
    at = run_page("pages/findings.py", {"model": str(tiny_dirs[kind]), "lang": lang})
    at.session_state["findings_card"] = card
    return at.run()


@pytest.mark.parametrize("card", list(gallery.CARDS))
def test_findings_page_shows_every_card(tiny_dirs, card):
    at = _open(tiny_dirs, card)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.sidebar.text_area[0].value  # reached through app.py: the shared sidebar is there
    assert gallery.CARDS[card].title.en in [s.value for s in at.subheader]
    verdicts = [shown(m.value) for m in [*at.success, *at.warning] if "Verdict:" in m.value]
    assert len(verdicts) == 1 and verdicts[0].startswith("**Verdict:** ")
    assert at.get("plotly_chart") and at.get("download_button")
    if card == "head_stats":
        at.selectbox(key=widget_key("findings_statistic")).set_value("distance").run()
        assert not at.exception and "distance" in at.get("plotly_chart")[0].proto.spec
        at.session_state["findings_card"] = "clark"
        at.run()
        at.session_state["findings_card"] = "head_stats"
        at.run()
        assert at.selectbox(key=widget_key("findings_statistic")).value == "distance"  # kept across cards


def test_only_the_chosen_card_is_computed_and_a_rerun_computes_nothing(tiny_dirs, monkeypatch):
    asked, finding = [], gallery.finding
    monkeypatch.setattr(gallery, "finding", lambda loaded, key, **kw: asked.append(key) or finding(loaded, key, **kw))
    at = app_test()
    at.query_params["model"] = str(tiny_dirs["pretraining"])
    at.run()
    at.switch_page("pages/findings.py")
    at.session_state["findings_card"] = "lama"
    at.run()
    assert asked == ["lama"] and not at.exception
    computed = gallery.findings_computed()
    at.run()
    assert gallery.findings_computed() == computed  # kept per model: a rerun computes nothing


def test_a_model_without_an_mlm_head_gets_the_message(tiny_dirs):
    at = _open(tiny_dirs, "michel", kind="encoder")
    assert not at.exception, at.exception
    assert any("no trained masked-word prediction (MLM) head" in shown(e.value) for e in at.error)
    at.session_state["findings_card"] = "clark"
    at.run()
    assert not at.exception and not at.error and at.get("plotly_chart")  # attention cards need no head


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _param(at, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


@pytest.mark.parametrize("card", ["clark", "lama"])
def test_the_page_in_chinese(tiny_dirs, card):
    at = _open(tiny_dirs, card, lang="zh")
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [sections.WORDS["title"].zh]
    assert gallery.CARDS[card].title.zh in [s.value for s in at.subheader]
    assert any(gallery.CARDS[card].paper.citation() == c.value for c in at.caption)  # cited as published
    verdicts = [shown(m.value) for m in [*at.success, *at.warning] if "判定：" in m.value]
    assert len(verdicts) == 1 and verdicts[0].startswith(("**判定：** 已复现：", "**判定：** 有差异："))
    measured = next(shown(m.value) for m in at.markdown if "测量结果" in m.value)
    assert _chinese(measured.split("**")[-1])
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert _chinese(layout["title"]["text"]) and _chinese(layout["yaxis"]["title"]["text"])
    assert at.segmented_control(key="findings_card").options == [c.name.zh for c in gallery.CARDS.values()]


def test_the_page_words_say_the_same_numbers_in_both_languages():
    def placeholders(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for text in sections.WORDS.values():
        assert _chinese(text.zh) and text.en.strip()
        assert placeholders(text.en) == placeholders(text.zh), text


def test_the_language_chosen_on_the_lessons_page_carries_to_the_findings_page(tiny_dirs):
    at = run_page("pages/lessons.py", {"model": str(tiny_dirs["pretraining"]), "step": "1.1"})
    at.segmented_control(key=widget_key(LANGUAGE)).set_value("zh").run()
    assert [t.value for t in at.title] == ["课程"] and _param(at, "lang") == "zh"
    at.session_state["findings_card"] = "lama"
    at.switch_page("pages/findings.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [sections.WORDS["title"].zh] and _param(at, "lang") == "zh"
    assert at.segmented_control(key=widget_key(LANGUAGE)).value == "zh"
    at.segmented_control(key=widget_key(LANGUAGE)).set_value("en").run()  # and back, on this page
    assert [t.value for t in at.title] == [sections.WORDS["title"].en] and _param(at, "lang") == "en"
    assert gallery.CARDS["lama"].title.en in [s.value for s in at.subheader]  # the same card
