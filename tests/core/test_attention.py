"""Attention view: maps, word merging, statistics, rollout, q/k hooks, head ablation, offline bertviz, CLI, page."""

from __future__ import annotations

import dataclasses
import io
import re

import numpy as np
import pytest
import torch

from core.attention import bertviz_offline
from core.attention import figures as attention_figures
from core.attention import maps as attention
from core.attention import probe as attention_probe
from core.model import forward
from core.model.inputs import encode
from tests.helpers import PAIR

SINGLE = "the dog sat on the mat playing"


@pytest.fixture(scope="module")
def pair(tiny_model):
    return forward.analyze(tiny_model, *PAIR)


@pytest.fixture(scope="module")
def single(tiny_model):
    return forward.analyze(tiny_model, SINGLE)


def test_attention_rows_sum_to_one(pair):
    np.testing.assert_allclose(pair.attentions.sum(-1), 1.0, atol=1e-5)
    amap = attention.attention_map(pair, 1, None)
    np.testing.assert_allclose(amap.matrix.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(amap.matrix, pair.attentions[1].mean(0), atol=1e-7)


def test_one_head_map_is_that_head(pair):
    amap = attention.attention_map(pair, 0, 3)
    np.testing.assert_array_equal(amap.matrix, pair.attentions[0, 3])
    assert [attention.plain_label(t) for t in amap.row_labels] == pair.inputs.tokens
    assert len(set(amap.row_labels)) == len(amap.row_labels)  # repeated tokens stay separate categories


def test_word_merge_preserves_mass_and_rows(pair):
    groups, labels = attention.word_groups(pair.inputs)
    assert "unbelievable" in labels and "playing" in labels  # pieces un ##believ ##able merged back
    assert len(groups) < len(pair.inputs)
    matrix = pair.attentions[1, 2].astype(np.float64)
    merged = attention.merge_words(matrix, groups).astype(np.float64)
    sizes = np.array([len(g) for g in groups], dtype=np.float64)
    np.testing.assert_allclose(merged.sum(-1), 1.0, atol=1e-5)  # averaged over attending pieces
    np.testing.assert_allclose((sizes[:, None] * merged).sum(), matrix.sum(), rtol=1e-5)  # total mass kept
    received = np.array([matrix[:, g].sum() for g in groups])  # summed over attended pieces
    np.testing.assert_allclose(sizes @ merged, received, rtol=1e-5)


def test_hide_special_drops_cls_and_sep(pair):
    amap = attention.attention_map(pair, 0, None, merge=True, hide_special=True)
    assert not {"[CLS]", "[SEP]"} & {attention.plain_label(t) for t in amap.row_labels}
    assert (amap.matrix.sum(-1) < 1.0 + 1e-6).all()
    assert "not renormalised" in amap.note and "SUMMED" in amap.note


def test_bad_layer_or_head_is_a_clear_error(pair):
    with pytest.raises(ValueError, match="attention index 7 does not exist"):
        attention.attention_map(pair, 7, None)
    with pytest.raises(ValueError, match="head 9"):
        attention.attention_map(pair, 0, 9)
    with pytest.raises(ValueError, match="unknown statistic"):
        attention.head_statistic(pair, "nope")


def test_statistics_match_their_definitions(pair, single):
    attn, seq = pair.attentions, len(pair.inputs)
    values = {k: attention.head_statistic(pair, k).values for k in attention.STATISTICS}
    assert all(v.shape == (pair.num_layers, pair.num_heads) for v in values.values())
    np.testing.assert_allclose(values["self"][1, 2], np.diag(attn[1, 2]).mean(), rtol=1e-5)
    np.testing.assert_allclose(values["cls"][0, 1], attn[0, 1, :, 0].mean(), rtol=1e-5)
    np.testing.assert_allclose(values["previous"][1, 0], np.mean([attn[1, 0, i, i - 1] for i in range(1, seq)]), rtol=1e-5)
    assert ((values["entropy"] >= 0) & (values["entropy"] <= np.log2(seq) + 1e-4)).all()
    assert (values["cls"] + values["sep"] + values["other_sentence"] <= 1 + 1e-5).all()
    assert np.isnan(attention.head_statistic(single, "other_sentence").values).all()


def test_punctuation_and_distance_statistics_match_their_definitions(tiny_model):
    analysis = forward.analyze(tiny_model, "the dog , the cat .", "he paid cash ?")
    attn, tokens = analysis.attentions, analysis.inputs.tokens
    punctuation = [i for i, t in enumerate(tokens) if t in (",", ".", "?")]
    assert len(punctuation) == 3
    np.testing.assert_allclose(attention.head_statistic(analysis, "punctuation").values,
                               attn[..., punctuation].sum(-1).mean(-1), rtol=1e-5)
    seq = len(tokens)
    distance = np.abs(np.arange(seq)[:, None] - np.arange(seq)[None, :])
    np.testing.assert_allclose(attention.head_statistic(analysis, "distance").values[1, 3],
                               (attn[1, 3] * distance).sum(-1).mean(), rtol=1e-5)


def test_rollout_rows_sum_to_one_and_start_from_layer_zero(pair):
    rollout = attention.attention_rollout(pair)
    assert rollout.matrices.shape == (pair.num_layers, len(pair.inputs), len(pair.inputs))
    np.testing.assert_allclose(rollout.matrices.sum(-1), 1.0, atol=1e-5)
    first = 0.5 * np.eye(len(pair.inputs)) + 0.5 * pair.attentions[0].mean(0)
    np.testing.assert_allclose(rollout.matrices[0], first / first.sum(-1, keepdims=True), atol=1e-6)
    no_residual = attention.attention_rollout(pair, residual=0.0)
    np.testing.assert_allclose(no_residual.matrices[1], pair.attentions[1].mean(0) @ pair.attentions[0].mean(0), atol=1e-5)
    sources = attention.top_sources(rollout, 2, k=3)
    assert len(sources) == 3 and sources[0][1] >= sources[1][1] >= sources[2][1]


def test_query_key_hooks_reproduce_the_attention(tiny_model, pair):
    qk = attention_probe.query_key(tiny_model, *PAIR)
    assert qk.queries.shape == (pair.num_layers, pair.num_heads, len(pair.inputs), 32 // pair.num_heads)
    for layer in range(pair.num_layers):
        np.testing.assert_allclose(qk.weights(layer, 1), pair.attentions[layer, 1], atol=1e-5)


def _mlm_rows(loaded, analysis):
    """The MLM head's logits at every position of an analysed input (the analysis keeps none of its own)."""
    return forward.mlm_logits_at(loaded, analysis, range(len(analysis.inputs)))


def test_ablating_no_head_is_bit_identical(tiny_model, pair):
    output = attention_probe.ablated_outputs(tiny_model, *PAIR, heads=[])
    np.testing.assert_array_equal(output.prediction_logits[0].numpy(), _mlm_rows(tiny_model, pair))
    np.testing.assert_array_equal(output.seq_relationship_logits[0].numpy(), pair.next_sentence_logits)
    np.testing.assert_array_equal(output.hidden_states[-1][0].numpy(), pair.hidden_states[-1])


def test_ablating_a_whole_layer_changes_the_outputs(tiny_model, pair):
    heads = [(0, h) for h in range(pair.num_heads)]
    output = attention_probe.ablated_outputs(tiny_model, *PAIR, heads=heads)
    assert not np.allclose(output.prediction_logits[0].numpy(), _mlm_rows(tiny_model, pair))
    result = attention_probe.ablate_heads(tiny_model, *PAIR, heads)
    assert (result.hidden_cosine < 1 - 1e-6).any()
    assert result.p_is_next_intact is not None and result.p_is_next_ablated != result.p_is_next_intact
    assert len(result.intact_predictions) == len(result.ablated_predictions) > 0
    # the hooks are gone afterwards: the intact model still gives the cached analysis
    again = attention_probe.ablated_outputs(tiny_model, *PAIR, heads=[])
    np.testing.assert_array_equal(again.prediction_logits[0].numpy(), _mlm_rows(tiny_model, pair))


def test_ablation_is_cached_and_validated(tiny_model):
    before = attention_probe.probe_runs()
    first = attention_probe.ablate_heads(tiny_model, *PAIR, [(1, 0), (1, 0)])
    assert attention_probe.ablate_heads(tiny_model, *PAIR, [(1, 0)]) is first
    assert attention_probe.probe_runs() == before + 1
    with pytest.raises(ValueError, match="no head 9 in layer 1"):
        attention_probe.ablate_heads(tiny_model, *PAIR, [(0, 9)])


def test_bertviz_html_is_offline_and_escapes_tokens(tiny_model):
    analysis = forward.analyze(tiny_model, "the man went", "he paid")
    # WordPiece splits '<' and '/' off, so put a hostile token in directly (other tokenizers may keep one).
    tokens = ["[CLS]", "the", "</script><script>alert(1)</script>", *analysis.inputs.tokens[3:]]
    analysis = dataclasses.replace(analysis, inputs=dataclasses.replace(analysis.inputs, tokens=tokens))
    for build in (bertviz_offline.head_view_html, bertviz_offline.model_view_html):
        view, subset = build(analysis, 1)
        assert not re.search(r"<script[^>]*\ssrc\s*=", view, re.IGNORECASE)
        assert "cdnjs" not in view and "require.config({" not in view
        assert "d3" in view and "jQuery" in view and "window.requirejs" in view
        # jQuery, d3, our require stand-in and bertviz's script: a token never ends a script early
        assert view.count("</script>") == 4
        assert "alert(1)<\\/script>" in view
        assert subset.layers == [0, 1] and subset.notice == ""
    page = bertviz_offline.standalone_page(view, "<b>title</b>")
    assert page.startswith("<!doctype html>") and "&lt;b&gt;" in page


def test_bertviz_long_input_is_limited_with_a_notice(tiny_model, monkeypatch):
    analysis = forward.analyze(tiny_model, " ".join(["cat"] * 40))
    monkeypatch.setattr(bertviz_offline, "MAX_VIEW_VALUES", len(analysis.inputs) ** 2 * 2)
    subset = bertviz_offline.view_subset(analysis, 1, [3, 2, 0])
    assert subset.layers == [1] and subset.heads == [0, 2] and "only layer 2," in subset.notice  # index 1 = layer 2
    view, _ = bertviz_offline.head_view_html(analysis, 1, [3, 2, 0])
    assert '"include_layers": [1]' in view


def test_exports_round_trip(pair):
    data = np.load(io.BytesIO(attention.attentions_npz(pair)))
    np.testing.assert_array_equal(data["attentions"], pair.attentions)
    assert list(data["tokens"]) == pair.inputs.tokens
    csv = attention.map_csv(attention.attention_map(pair, 0, 1))
    lines = csv.strip().split("\n")
    assert len(lines) == len(pair.inputs) + 1 and "\u200b" not in csv
    long_csv = attention.attentions_csv(pair).strip().split("\n")
    assert len(long_csv) == pair.attentions.size + 1
    layers_in_csv = {int(line.split(",")[0]) for line in long_csv[1:]}
    assert layers_in_csv == set(range(1, pair.num_layers + 1))  # layers 1 … N, as on the page


def test_figures_escape_tokens_and_offer_svg(tiny_model):
    analysis = forward.analyze(tiny_model, "<b>bold</b> man")
    fig = attention_figures.heatmap_figure(attention.attention_map(analysis, 0, None))
    assert all("<b>" not in label for label in fig.data[0].x)
    assert attention_figures.download_config("svg")["toImageButtonOptions"]["format"] == "svg"
    stat = attention.head_statistic(analysis, "entropy")
    overview = attention_figures.overview_figure(stat, (1, 2))
    assert overview.data[1].type == "scatter" and len(overview.data[1].x) == stat.values.size  # click targets
    qk = attention_probe.query_key(tiny_model, "<b>bold</b> man")
    assert len(attention_figures.query_key_figure(qk, 1, 0, 2).data) == 5


def test_attention_flow_is_bounded_and_matches_a_hand_built_case(pair, monkeypatch):
    from core.attention import flow as attention_flow

    flow = attention_flow.token_flow(pair, 2)
    np.testing.assert_allclose(flow.shares.sum(), 1.0, atol=1e-9)
    assert ((flow.flow >= 0) & (flow.flow <= 1.0 + 1e-6)).all()  # one unit of attention leaves each node
    # one layer: the only paths to input j are the direct edge, so the flow equals the mixed weight
    one_layer = dataclasses.replace(pair, attentions=pair.attentions[:1])
    single = attention_flow.token_flow(one_layer, 2)
    np.testing.assert_allclose(single.flow, attention_flow.mixed_layers(one_layer)[0, 2], atol=1e-5)
    monkeypatch.setattr(attention_flow, "FLOW_MAX_TOKENS", len(pair.inputs) - 1)
    with pytest.raises(ValueError, match="up to"):
        attention_flow.token_flow(pair, 0)


def test_ablation_hook_equals_zeroing_the_heads_output_weights(tiny_model):
    """Same effect by another route: zero the columns of W_o that read the head's slice of the context."""
    import copy

    layer, head = 1, 2
    hooked = attention_probe.ablated_outputs(tiny_model, *PAIR, heads=[(layer, head)])
    edited = copy.deepcopy(tiny_model.model)
    head_dim = edited.config.hidden_size // edited.config.num_attention_heads
    with torch.no_grad():
        edited.bert.encoder.layer[layer].attention.output.dense.weight[:, head * head_dim:(head + 1) * head_dim] = 0
        encoded = encode(tiny_model.tokenizer, *PAIR, max_length=64)
        reference = edited(**forward.model_inputs(tiny_model, encoded))
    np.testing.assert_allclose(hooked.prediction_logits.numpy(), reference.prediction_logits.numpy(), atol=1e-5)




@pytest.mark.parametrize("layer", [0, 1, 5])
def test_bertviz_model_view_of_a_long_input_works_on_every_layer(bundled_model, layer):
    """At 128+ tokens only the chosen layer is embedded; the model view crashed when it was not layer 0."""
    analysis = forward.analyze(bundled_model, " ".join(["the cat sat on the mat"] * 25))
    assert len(analysis.inputs) >= 128
    subset = bertviz_offline.view_subset(analysis, layer, [0])
    assert subset.layers == [layer]
    for build in (bertviz_offline.head_view_html, bertviz_offline.model_view_html):
        view, _ = build(analysis, layer, [0])
        assert f'"include_layers": [{layer}]' in view
