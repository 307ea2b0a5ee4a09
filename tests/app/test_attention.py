"""The attention page through AppTest: maps, statistics and the query/key and ablation tabs on the tiny model."""

from __future__ import annotations


def test_attention_page_renders_every_tab(tiny_dirs):
    from tests.helpers import run_page

    at = run_page("pages/attention.py", {"model": str(tiny_dirs["encoder"]), "a": "The <script>x</script> bank.", "b": "It closed."})
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.sidebar.text_area[0].value  # reached through app.py: the shared sidebar is there
    at.selectbox(key="attn_head").set_value(3)
    at.toggle(key="attn_merge").set_value(True)
    at.toggle(key="attn_hide_special").set_value(True)
    at.multiselect(key="attn_ablate_layers").set_value([0])
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("hidden states" in i.value for i in at.info)  # an encoder-only checkpoint has no MLM/NSP head
    charts = [c for c in at.get("plotly_chart")]
    assert len(charts) >= 5


def test_attention_page_ablation_with_mlm_and_nsp_heads(tiny_dirs):
    from tests.helpers import run_page

    at = run_page("pages/attention.py", {"model": str(tiny_dirs["pretraining"]), "a": "the man went to the [MASK] .",
                                         "b": "he paid cash ."})
    at.multiselect(key="attn_ablate_layers").set_value([0]).run()
    assert not at.exception, at.exception
    assert [m.label for m in at.metric] == ["P(B follows A), intact", "P(B follows A), heads off"]
    table = at.dataframe[0].value
    assert list(table["token"]) == ["[MASK]"]  # predictions at the masked position, intact vs heads off
