"""The attention page through AppTest: every tab on the tiny model, only the open tab computed, extras on request."""

from __future__ import annotations

import pytest

from core.attention import probe
from core.attention import views as attention_views
from core.model import forward

TABS = ["Heatmap", "Layers × heads", "bertviz", "Rollout", "Query · key", "Head ablation", "Export"]


def _open(tiny_dirs, tab: str, kind: str = "encoder", a: str = "The <script>x</script> bank.", b: str = "It closed."):
    from tests.helpers import run_page

    at = run_page("pages/attention.py", {"model": str(tiny_dirs[kind]), "a": a, "b": b})
    at.session_state["attn_tab"] = tab
    return at.run()


def _misses() -> dict[str, int]:
    """The model runs and derived computations done so far in this process, per cache."""
    derived = {name: getattr(attention_views, name).cache.misses
               for name in ("head_statistic", "rollout", "token_flow", "bertviz_html")}
    return {"forward": forward.forward_pass_count(), "probe": probe.probe_runs(), **derived}


@pytest.mark.parametrize("tab", TABS)
def test_attention_page_renders_every_tab(tiny_dirs, tab):
    at = _open(tiny_dirs, tab)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.sidebar.text_area[0].value  # reached through app.py: the shared sidebar is there
    at.selectbox(key="attn_head").set_value(3)
    at.toggle(key="attn_merge").set_value(True)
    at.toggle(key="attn_hide_special").set_value(True)
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    if tab == "Head ablation":
        at.multiselect(key="_w_attn_ablate_layers").set_value([0])
        at.button(key="attn_ablate_run").click().run()
        assert not at.exception, at.exception
        assert any("hidden states" in i.value for i in at.info)  # an encoder-only checkpoint has no MLM/NSP head
    if tab in ("Heatmap", "Layers × heads", "Rollout", "Query · key", "Head ablation"):
        assert at.get("plotly_chart")


def test_attention_page_ablation_with_mlm_and_nsp_heads(tiny_dirs):
    at = _open(tiny_dirs, "Head ablation", "pretraining", "the man went to the [MASK] .", "he paid cash .")
    runs = probe.probe_runs()
    at.multiselect(key="_w_attn_ablate_layers").set_value([0])  # inside a form: sent with the button, not per pick
    at.button(key="attn_ablate_run").click().run()
    assert probe.probe_runs() == runs + 1  # one comparison (intact and ablated in one probe run)
    assert not at.exception, at.exception
    assert [m.label for m in at.metric] == ["P(B follows A), intact", "P(B follows A), heads off"]
    table = at.dataframe[0].value
    assert list(table["token"]) == ["[MASK]"]  # predictions at the masked position, intact vs heads off


def test_only_the_open_tab_is_computed_and_a_revisit_runs_no_model(tiny_dirs):
    at = _open(tiny_dirs, "Heatmap", a="only the open tab runs here .", b="nothing else does .")
    before = _misses()
    at.selectbox(key="attn_layer").set_value(1).run()
    at.toggle(key="attn_merge").set_value(True).run()
    assert not at.exception, at.exception
    assert _misses() == before  # other layers and word level read the cached analysis; no other tab ran

    at.session_state["attn_tab"] = "Rollout"
    at.run()
    opened = _misses()
    assert opened == before | {"rollout": before["rollout"] + 1}  # the rollout, once; no flow before it is asked
    at.run()
    at.selectbox(key="_w_attn_rollout_token").set_value(2).run()
    assert _misses() == opened  # a revisit with the same input: nothing computed again

    at.button(key="attn_flow_run").click().run()
    assert not at.exception, at.exception
    assert _misses()["token_flow"] == opened["token_flow"] + 1
    assert len(at.get("plotly_chart")) == 3  # rollout map, its sources and the flow
    at.run()
    assert len(at.get("plotly_chart")) == 3  # the asked-for flow stays shown (from the cache) on reruns
    assert _misses()["token_flow"] == opened["token_flow"] + 1


def test_a_tabs_own_settings_survive_opening_another_tab(tiny_dirs):
    """Only the open tab is drawn, and Streamlit forgets undrawn widgets: ui/state.persistent keeps them."""
    from ui.state import widget_key

    at = _open(tiny_dirs, "Layers × heads")
    at.selectbox(key=widget_key("attn_statistic")).set_value("cls").run()
    at.session_state["attn_tab"] = "Rollout"
    at.run()
    at.selectbox(key=widget_key("attn_rollout_token")).set_value(2).run()
    at.session_state["attn_tab"] = "Head ablation"
    at.run()
    at.multiselect(key=widget_key("attn_ablate_layers")).set_value([1])
    at.button(key="attn_ablate_run").click().run()
    at.session_state["attn_tab"] = "Layers × heads"
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key=widget_key("attn_statistic")).value == "cls"
    at.session_state["attn_tab"] = "Rollout"
    at.run()
    assert at.selectbox(key=widget_key("attn_rollout_token")).value == 2
    at.session_state["attn_tab"] = "Head ablation"
    at.run()
    assert at.multiselect(key=widget_key("attn_ablate_layers")).value == [1]


def test_layers_by_heads_lower_map_follows_word_level(tiny_dirs):
    """Issue 20: the chosen head's map under the grid ignored Word level and Hide [CLS]/[SEP]."""
    at = _open(tiny_dirs, "Layers × heads", a="unbelievable playing .", b="")
    at.selectbox(key="attn_head").set_value(1)
    at.toggle(key="attn_merge").set_value(True)
    at.toggle(key="attn_hide_special").set_value(True)
    at.run()
    lower = at.get("plotly_chart")[1].proto.spec
    assert "unbelievable" in lower and "##believ" not in lower and "[CLS]" not in lower
