"""Input and contextual embeddings: parity with the model's own embedding output, segments, positions, layer views."""

import csv
import io

import numpy as np
import pytest
import torch
from scipy.spatial import distance

from core.embeddings import contextual
from core.embeddings import figures as embedding_figures
from core.embeddings import input_embedding as embeddings
from core.embeddings import tables as embedding_tables
from core.model import forward

PAIR = ("the man went to the bank", "he paid cash unbelievable")


@pytest.fixture(scope="module")
def tiny_analysis(tiny_model):
    return forward.analyze(tiny_model, *PAIR)


@pytest.mark.parametrize("model_fixture", ["tiny_model", "bundled_model"])
def test_layernorm_of_the_sum_is_the_models_embedding_output(model_fixture, request):
    loaded = request.getfixturevalue(model_fixture)
    analysis = forward.analyze(loaded, "The bank of the river.", "I paid cash.")
    result = embeddings.embedding_sum(loaded, analysis)
    assert result.matches and result.max_abs_diff < 1e-5
    np.testing.assert_allclose(result.summed, result.token + result.segment + result.position)
    # The check is not vacuous: leaving the segment out breaks it.
    without_segment = loaded.encoder.embeddings.LayerNorm(torch.from_numpy(result.token + result.position))
    assert np.abs(without_segment.detach().numpy() - analysis.embedding_output).max() > 1e-3


def test_segment_rows_identical_within_a_sentence_and_different_across(tiny_model, tiny_analysis):
    result = embeddings.segment_vectors(tiny_model, tiny_analysis)
    ids = np.array(result.token_segments)
    assert result.max_spread == 0.0
    for seg in (0, 1):
        rows = result.per_token[ids == seg]
        np.testing.assert_array_equal(rows, np.broadcast_to(result.vectors[seg], rows.shape))
    assert not np.allclose(result.vectors[0], result.vectors[1])


@pytest.mark.parametrize("tokens", [5, 60])
def test_segment_figure_keeps_room_for_the_lower_title(tiny_model, tiny_analysis, tokens):
    """Issue 20: the lower subplot's title sat on the upper panel's tick labels."""
    result = embeddings.segment_vectors(tiny_model, tiny_analysis)
    fig = embedding_figures.segment_figure(result, ["tok"] * tokens)
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    gap_px = (fig.layout.yaxis.domain[0] - fig.layout.yaxis2.domain[1]) * plot_px
    assert gap_px >= 30  # a title line (about 16 px) and its padding
    assert fig.layout.xaxis.showticklabels is False  # the upper panel's dimension ticks are not in the gap


def test_cosine_matrix_is_symmetric_with_ones_on_the_diagonal():
    sims = embeddings.cosine_matrix(np.random.default_rng(0).normal(size=(9, 5)))
    np.testing.assert_allclose(sims, sims.T, atol=1e-6)
    np.testing.assert_allclose(np.diag(sims), 1.0)
    assert sims.min() >= -1 and sims.max() <= 1


def test_sinusoidal_similarity_depends_only_on_distance():
    sims = embeddings.cosine_matrix(embeddings.sinusoidal_encoding(32, 16))
    for k in range(1, 5):  # a Toeplitz matrix: every diagonal is constant
        assert np.ptp(np.diag(sims, k)) < 1e-5


def test_learned_positions_are_the_table_rows(tiny_model):
    result = embeddings.position_comparison(tiny_model, 16)
    table = tiny_model.encoder.embeddings.position_embeddings.weight.detach().numpy()
    np.testing.assert_array_equal(result.learned, table[:16])
    assert result.learned_similarity.shape == result.sinusoidal_similarity.shape == (16, 16)
    with pytest.raises(ValueError, match="positions"):
        embeddings.position_comparison(tiny_model, 10_000)


def test_merging_pieces_gives_one_unit_per_word(tiny_analysis):
    pieces = contextual.units(tiny_analysis)
    words = contextual.units(tiny_analysis, merge_words=True)
    assert len(pieces.labels) == len(tiny_analysis.inputs)
    assert "unbelievable" in words.labels and "##able" in pieces.labels
    members = words.members[words.labels.index("unbelievable")]
    np.testing.assert_allclose(words.vectors[:, words.labels.index("unbelievable")],
                               tiny_analysis.hidden_states[:, members].mean(axis=1), rtol=1e-6)
    no_special = contextual.units(tiny_analysis, include_special=False)
    assert "[CLS]" not in no_special.labels and "[SEP]" not in no_special.labels


def test_labels_keep_accents_emoji_and_chinese(bundled_model):
    analysis = forward.analyze(bundled_model, "café 😀 北京")
    assert contextual.units(analysis, merge_words=True).labels[1:-1] == ["café", "😀", "北", "京"]
    assert "[UNK] (😀)" in contextual.units(analysis).labels


@pytest.mark.parametrize("dims", [2, 3])
def test_projection_shapes(tiny_analysis, dims):
    chosen = contextual.units(tiny_analysis)
    projection = contextual.project(chosen, 1, dims)
    assert projection.coords.shape == (len(chosen.labels), dims)
    assert np.all(np.diff(projection.explained) <= 1e-6) and projection.explained.sum() <= 1 + 1e-6
    with pytest.raises(ValueError, match="layer"):
        contextual.project(chosen, tiny_analysis.num_layers + 1)


def test_projections_are_aligned_across_layers_with_fixed_axes(tiny_analysis):
    """Issue 20: each layer's PCA is scaled to one spread and rotated onto the layer below (shape kept: distances
    change by one factor per layer), and the axes stay put."""
    chosen = contextual.units(tiny_analysis)
    layers = range(tiny_analysis.num_layers + 1)
    aligned = [contextual.project(chosen, k) for k in layers]
    raw = [contextual.pca(chosen.vectors[k], 2)[0] for k in layers]
    for k in layers:
        spread = np.sqrt((aligned[k].coords.astype(np.float64) ** 2).sum(axis=1).mean())
        assert spread == pytest.approx(1.0, abs=1e-4)  # every layer on the same scale
        ratio = distance.pdist(aligned[k].coords) / distance.pdist(raw[k])
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-3)
    for k in layers[1:]:  # the rotation that best matches the layer below beats the bare PCA's signs and order
        moved = np.linalg.norm(aligned[k].coords - aligned[k - 1].coords)
        bare = raw[k] * (aligned[k].coords.std() / raw[k].std())  # the same scale, no rotation
        assert moved <= np.linalg.norm(bare - aligned[k - 1].coords) + 1e-4
    assert len({p.extent for p in aligned}) == 1
    assert all(np.abs(p.coords).max() <= p.extent + 1e-6 for p in aligned)
    ranges = [embedding_figures.projection_figure(p).layout.xaxis.range for p in aligned]
    assert all(r == ranges[0] for r in ranges)


def test_similarity_and_drift(tiny_analysis):
    chosen = contextual.units(tiny_analysis)
    sims = contextual.similarity(chosen, 2)
    np.testing.assert_allclose(sims, sims.T, atol=1e-6)
    np.testing.assert_allclose(np.diag(sims), 1.0)
    drift = contextual.drift(chosen)
    assert drift.shape == (tiny_analysis.num_layers + 1, len(chosen.labels))
    np.testing.assert_allclose(drift[0], 1.0, atol=1e-5)


def test_views_reuse_the_one_forward_pass(tiny_model, tiny_analysis):
    before = forward.forward_pass_count()
    embeddings.embedding_sum(tiny_model, tiny_analysis)
    chosen = contextual.units(forward.analyze(tiny_model, *PAIR), merge_words=True)
    contextual.project(chosen, 2, 3)
    contextual.similarity(chosen, 0)
    assert forward.forward_pass_count() == before


def test_same_word_compares_every_pair_at_every_layer(tiny_model):
    result = contextual.same_word(tiny_model, "bank", ["the bank of the river", "money in the bank", "a bank"])
    assert result.pair_labels == ["1 vs 2", "1 vs 3", "2 vs 3"]
    assert result.similarity.shape == (3, tiny_model.config.num_hidden_layers + 1)
    assert np.all(np.abs(result.similarity) <= 1 + 1e-6)
    with pytest.raises(ValueError, match="does not occur"):
        contextual.same_word(tiny_model, "bank", ["the bank", "the river"])
    with pytest.raises(ValueError, match="two sentences"):
        contextual.same_word(tiny_model, "bank", ["the bank"])


def test_sentence_vectors(tiny_model, tiny_analysis):
    result = contextual.sentence_vectors(tiny_model, tiny_analysis)
    assert len(result.layers) == len(result.separate_cls) == tiny_analysis.num_layers + 1
    assert result.separate_cls[0] == pytest.approx(1.0, abs=1e-5)  # same token, position, segment: same input
    with pytest.raises(ValueError, match="sentence B"):
        contextual.sentence_vectors(tiny_model, forward.analyze(tiny_model, "the dog"))


def test_projection_of_512_tokens_has_one_point_per_word(bundled_model):
    """The longest input works end to end (timing belongs in bench/, not in a test that a loaded machine fails)."""
    analysis = forward.analyze(bundled_model, " ".join(["river bank"] * 300))
    assert len(analysis.inputs) == 512
    chosen = contextual.units(analysis, merge_words=True)
    projection = contextual.project(chosen, 3, 3)
    assert projection.coords.shape == (len(chosen.labels), 3)
    assert contextual.similarity(chosen, 3).shape == (len(chosen.labels),) * 2
    assert contextual.drift(chosen).shape == (analysis.num_layers + 1, len(chosen.labels))


def test_figures_and_tables(tiny_model):
    analysis = forward.analyze(tiny_model, "the <b>dog</b>", "the cat")
    summed = embeddings.embedding_sum(tiny_model, analysis)
    chosen = contextual.units(analysis)
    projection = contextual.project(chosen, 1)
    fig = embedding_figures.projection_figure(projection)
    assert "&lt;" in " ".join(t for trace in fig.data for t in trace.text)
    assert len(embedding_figures.sum_figure(summed, 1).data) == 2
    assert len(embedding_figures.position_figure(embeddings.position_comparison(tiny_model, 8)).data) == 2
    assert "&lt;" in embedding_figures.word_pieces_html(analysis.inputs)
    rows = list(csv.reader(io.StringIO(embedding_tables.sum_table(summed))))
    assert len(rows) == 1 + 6 * len(analysis.inputs) and len({len(r) for r in rows}) == 1
    rows = list(csv.reader(io.StringIO(embedding_tables.projection_table(projection))))
    assert rows[0] == ["index", "label", "sentence", "pc1", "pc2"] and len(rows) == 1 + len(chosen.labels)


def test_position_vectors_table(tiny_model):
    result = embeddings.position_comparison(tiny_model, 8)
    rows = list(csv.reader(io.StringIO(embedding_tables.position_vectors_table(result))))
    assert len(rows) == 1 + 2 * 8 and len(rows[0]) == 2 + tiny_model.config.hidden_size


def test_sense_tags_mark_pairs_and_their_gap(tiny_model):
    result = contextual.same_word(tiny_model, "bank", ["[river] the bank of the river", "[River] a bank of mud",
                                                        "[money] money in the bank", "the bank"])
    assert result.sentences[0] == "the bank of the river" and result.senses == ["river", "river", "money", None]
    assert result.same_sense == [True, False, None, False, None, None]
    assert result.pair_labels[0] == "1 vs 2 (same sense)" and result.pair_labels[1] == "1 vs 3 (different senses)"
    same, different = result.sense_gap()
    assert same == pytest.approx(result.similarity[0, -1])
    assert different == pytest.approx(result.similarity[[1, 3], -1].mean())
    untagged = contextual.same_word(tiny_model, "bank", ["the bank", "a bank"])
    assert untagged.sense_gap() is None and untagged.pair_labels == ["1 vs 2"]


def test_sum_rows_add_up_by_eye(tiny_model):
    analysis = forward.analyze(tiny_model, "the dog", "a cat")
    rows = embeddings.embedding_sum(tiny_model, analysis).sum_rows(2, dims=4)
    assert list(rows) == ["token", "segment", "position", "sum", "LayerNorm(sum)"]
    for d in range(4):
        assert rows["token"][d] + rows["segment"][d] + rows["position"][d] == pytest.approx(rows["sum"][d], abs=1e-5)
