"""The Findings page through AppTest: every card on the tiny model, only the chosen card computed, a model without
an MLM head answered with its message."""

from __future__ import annotations

import pytest

from core.findings import gallery
from tests.helpers import app_test, run_page, shown
from ui.state import widget_key


def _open(tiny_dirs, card: str, kind: str = "pretraining"):
    at = run_page("pages/findings.py", {"model": str(tiny_dirs[kind])})
    at.session_state["findings_card"] = card
    return at.run()


@pytest.mark.parametrize("card", list(gallery.CARDS))
def test_findings_page_shows_every_card(tiny_dirs, card):
    at = _open(tiny_dirs, card)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.sidebar.text_area[0].value  # reached through app.py: the shared sidebar is there
    assert gallery.CARDS[card].title in [s.value for s in at.subheader]
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
