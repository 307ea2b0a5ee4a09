"""The MLM page through AppTest, on the tiny checkpoint folder given as the model."""

from __future__ import annotations

import pytest

from tests.helpers import shown


def _page(tiny_dirs, a: str, b: str = "", tab: str | None = None, model: str | None = None):
    from tests.helpers import run_page

    at = run_page("pages/mlm.py", {"model": model or str(tiny_dirs["pretraining"]), "a": a, "b": b})
    if tab:
        at.session_state["mlm_tab"] = tab
        at.run()
    assert not at.exception, at.exception
    return at


def test_page_predicts_masks_typed_in_both_sentences(tiny_dirs):
    at = _page(tiny_dirs, "the man went to the [mask] .", "he paid [MASK] cash")
    assert not at.error
    assert len(at.get("plotly_chart")) == 2
    assert "[MASK]" in " ".join(h.proto.body for h in at.get("html"))


def test_page_without_mask_explains_and_a_click_masks_a_token(tiny_dirs):
    at = _page(tiny_dirs, "the man went to the store")
    assert any("No [MASK] token" in i.value for i in at.info)
    pills = at.get("button_group")[0]
    pills.set_value([6]).run()  # position 6 = "store"
    assert not at.exception and not at.info
    charts = at.get("plotly_chart")
    assert len(charts) == 1 and "was “store”" in charts[0].proto.spec


def test_page_on_a_model_without_mlm_head_offers_alternatives(tiny_dirs):
    at = _page(tiny_dirs, "the [MASK] sat", model=str(tiny_dirs["encoder"]))
    assert any("no trained masked-word prediction" in shown(e.value) for e in at.error)
    assert any(b.label == "Use bert-base-uncased" for b in at.button)


@pytest.mark.parametrize("tab", ["Whole word vs piece", "Several masks: independent vs joint", "Per layer (logit lens)",
                                 "Pre-training masking", "Sentence score", "Compare models"])
def test_every_tab_renders_on_the_tiny_model(tiny_dirs, tab):
    at = _page(tiny_dirs, "this is unbelievable , new [MASK] [mask] is a city .", tab=tab)
    if tab == "Compare models":  # the default second model may be absent offline; compare with the same folder
        at.selectbox(key="_w_mlm_other_model").set_value(str(tiny_dirs["pretraining"])).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.get("plotly_chart") or at.dataframe or at.metric


def test_page_opens_on_the_example_with_its_word_already_masked():
    """First visit: the example sentence arrives with one word masked, so a prediction shows at once."""
    from core import config
    from tests.helpers import run_page

    at = run_page("pages/mlm.py", {"model": "bundled"})
    assert not at.exception and not at.info
    charts = at.get("plotly_chart")
    assert len(charts) == 1 and f"was “{config.DEFAULT_MASKED_WORD}”" in charts[0].proto.spec
    assert sum("No [MASK] token" in i.value for i in at.info) == 0


def test_no_mask_message_is_shown_once(tiny_dirs):
    at = _page(tiny_dirs, "the man went to the store")
    assert sum("[MASK]" in i.value for i in at.info) == 1


def test_a_tabs_own_settings_survive_opening_another_tab(tiny_dirs):
    """Only the open tab is drawn, and Streamlit forgets undrawn widgets: ui/state.persistent keeps them."""
    from ui.state import widget_key

    at = _page(tiny_dirs, "this is unbelievable , new [MASK] [mask] is a city .", tab="Pre-training masking")
    at.number_input(key=widget_key("mlm_seed")).set_value(7).run()
    at.slider(key=widget_key("mlm_draws")).set_value(20).run()
    at.session_state["mlm_tab"] = "Per layer (logit lens)"
    at.run()
    first = at.selectbox(key=widget_key("mlm_lens_position")).value
    at.selectbox(key=widget_key("mlm_lens_position")).select_index(1).run()  # the second [MASK]
    chosen = at.selectbox(key=widget_key("mlm_lens_position")).value
    assert chosen != first
    at.session_state["mlm_tab"] = "Pre-training masking"
    at.run()
    assert not at.exception, at.exception
    assert at.number_input(key=widget_key("mlm_seed")).value == 7
    assert at.slider(key=widget_key("mlm_draws")).value == 20
    at.session_state["mlm_tab"] = "Per layer (logit lens)"
    at.run()
    assert at.selectbox(key=widget_key("mlm_lens_position")).value == chosen
