"""MLM core: parity with the fill-mask pipeline, masking rules, logit lens, pseudo-likelihood, joint fill, CLI."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import BertForMaskedLM, pipeline

from core.mlm import fill_mask as mlm
from core.mlm import masking as mlm_pretraining
from core.mlm import scoring as mlm_scoring
from core.model import forward

TEXT = "the man went to the [MASK] to buy milk ."


@pytest.fixture(scope="module")
def fill_mask_pipeline(tiny_dirs, tiny_model):
    """transformers' own fill-mask pipeline on the same checkpoint's MLM head."""
    model = BertForMaskedLM.from_pretrained(tiny_dirs["pretraining"]).eval()
    return pipeline("fill-mask", model=model, tokenizer=tiny_model.tokenizer, device=torch.device("cpu"))


def _pipeline_rows(output) -> list[list[dict]]:
    """The pipeline answers a list for one mask and a list of lists for several."""
    return output if isinstance(output[0], list) else [output]


@pytest.mark.parametrize("text", [TEXT, "new [MASK] [MASK] is a city .", "[MASK] dog sat on the mat"])
def test_top_k_matches_the_fill_mask_pipeline(tiny_model, fill_mask_pipeline, text):
    ours = mlm.fill_mask(tiny_model, text, top_k=7)
    theirs = _pipeline_rows(fill_mask_pipeline(text, top_k=7))
    assert len(ours.masks) == len(theirs) == text.count("[MASK]")
    for mask, expected in zip(ours.masks, theirs):
        assert [p.token_id for p in mask.predictions] == [e["token"] for e in expected]
        np.testing.assert_allclose([p.score for p in mask.predictions], [e["score"] for e in expected], atol=1e-6)


def _require_bundled_head(bundled_model) -> None:
    if not bundled_model.capabilities.mlm:
        pytest.skip("the bundled model has no trained MLM head yet (issue 4 trains one)")


def test_bundled_head_matches_the_pipeline_and_ranks_the_true_word_high(bundled_model):
    """Runs once the bundled model gains a real MLM head; a random head would rank the word near 15 000."""
    _require_bundled_head(bundled_model)
    masked_lm = BertForMaskedLM(bundled_model.config).eval()
    missing, _ = masked_lm.load_state_dict(bundled_model.model.state_dict(), strict=False)
    assert not missing
    fill = pipeline("fill-mask", model=masked_lm, tokenizer=bundled_model.tokenizer, device=torch.device("cpu"))
    # The bundled model was pre-trained on the Python documentation (README model card): ask in its register.
    text = "Open the [MASK] and read its contents."
    ours = mlm.fill_mask(bundled_model, text, top_k=5).masks[0]
    assert [p.token_id for p in ours.predictions] == [e["token"] for e in fill(text, top_k=5)]
    clicked = mlm.fill_mask(bundled_model, text.replace("[MASK]", "file"), mask_positions=[ours.position])
    assert clicked.masks[0].original_rank <= 100


def test_masks_typed_in_lowercase_or_with_spaces_mean_the_mask_token(tiny_model):
    expected = mlm.fill_mask(tiny_model, TEXT)
    for typed in ("[mask]", "[ Mask ]", "<mask>"):
        got = mlm.fill_mask(tiny_model, TEXT.replace("[MASK]", typed))
        assert got.masks == expected.masks


def test_no_mask_is_a_clear_message(tiny_model):
    with pytest.raises(ValueError, match=r"no \[MASK\] token.*click a token"):
        mlm.fill_mask(tiny_model, "the man went to the store")


def test_mask_in_sentence_b_is_predicted_in_segment_b(tiny_model):
    result = mlm.fill_mask(tiny_model, "the man went to the [MASK] .", "he paid [mask] cash .")
    analysis, _ = mlm.masked_analysis(tiny_model, "the man went to the [MASK] .", "he paid [mask] cash .")
    assert [analysis.inputs.sentence_ids[m.position] for m in result.masks] == [0, 1]
    assert analysis.inputs.token_type_ids[result.masks[1].position] == 1


def test_model_without_mlm_head_says_so(tiny_dirs):
    from core.model import loading as models

    encoder_only = models.load_model(str(tiny_dirs["encoder"]), device=torch.device("cpu"))
    with pytest.raises(ValueError, match="no trained masked-word prediction"):
        mlm.fill_mask(encoder_only, TEXT)


def test_masking_a_word_equals_typing_mask_in_its_place(tiny_model):
    typed = mlm.fill_mask(tiny_model, TEXT)
    position = typed.masks[0].position
    clicked = mlm.fill_mask(tiny_model, TEXT.replace("[MASK]", "store"), mask_positions=[position])
    assert [p.token_id for p in clicked.masks[0].predictions] == [p.token_id for p in typed.masks[0].predictions]
    assert clicked.masks[0].original == "store" and typed.masks[0].original is None
    mask = clicked.masks[0]
    assert (mask.original_rank == 1) == (mask.predictions[0].token == "store")
    assert mask.original_rank > 1 or mask.original_score >= mask.predictions[-1].score


def test_special_tokens_cannot_be_masked(tiny_model):
    with pytest.raises(ValueError, match="cannot be masked"):
        mlm.fill_mask(tiny_model, "the man", mask_positions=[0])


def test_logit_lens_last_layer_equals_the_prediction_without_another_forward(tiny_model):
    expected = mlm.fill_mask(tiny_model, TEXT, top_k=8)
    before = forward.forward_pass_count()
    lens = mlm.logit_lens(tiny_model, TEXT, top_k=8)
    assert forward.forward_pass_count() == before  # the head reads the cached hidden states
    assert len(lens.layers) == tiny_model.config.num_hidden_layers + 1 == lens.probs.shape[0]
    assert [c.token_id for c in lens.columns[:8]] == [p.token_id for p in expected.masks[0].predictions]
    np.testing.assert_allclose(lens.probs[-1, :8], [p.score for p in expected.masks[0].predictions], atol=1e-6)
    assert lens.top[-1].token_id == expected.masks[0].predictions[0].token_id


def test_logit_lens_ranks_the_masked_word_at_every_depth(tiny_model):
    text = TEXT.replace("[MASK]", "store")
    lens = mlm.logit_lens(tiny_model, text, mask_positions=[6])
    assert lens.original == "store" and len(lens.original_ranks) == len(lens.layers)
    assert "store" in [c.token for c in lens.columns]  # the true word always has a column
    assert lens.original_ranks[-1] == mlm.fill_mask(tiny_model, text, mask_positions=[6]).masks[0].original_rank


def test_whole_word_masking_masks_every_piece(tiny_model):
    text = "this is unbelievable ."
    _, encoded = mlm.masked_analysis(tiny_model, text)
    word, positions = mlm.multi_piece_words(encoded)[0]
    assert word == "unbelievable" and len(positions) > 1
    comparison = mlm.compare_word_masking(tiny_model, text, None, positions[1])
    assert [m.position for m in comparison.sub_word.masks] == [positions[1]]
    assert [m.position for m in comparison.whole_word.masks] == positions
    assert "".join(comparison.whole_word.original_tokens[p].removeprefix("##") for p in positions) == "unbelievable"


def test_pseudo_likelihood_is_batched_and_equals_masking_one_token_at_a_time(tiny_model):
    text = "the man went to the store"
    score = mlm_scoring.pseudo_log_likelihood(tiny_model, text)
    assert score.forward_passes == 1
    one_by_one = [np.log(mlm.fill_mask(tiny_model, text, mask_positions=[p]).masks[0].original_score)
                  for p in score.positions]
    np.testing.assert_allclose(score.log_probs, one_by_one, atol=1e-4)
    assert score.pseudo_perplexity == pytest.approx(np.exp(-np.mean(score.log_probs)), rel=1e-5)


def test_joint_fill_never_scores_below_the_independent_fill(tiny_model):
    for text in ("new [MASK] [MASK] is a city .", "[MASK] man [MASK] to the [MASK] ."):
        result = mlm_scoring.joint_fill(tiny_model, text)
        independent_top = [m.predictions[0].token_id for m in mlm.fill_mask(tiny_model, text).masks]
        assert result.independent.token_ids == independent_top
        assert result.joint.pll >= result.independent.pll - 1e-6
        assert result.joint.pll >= result.iterative.pll - 1e-6
        assert sorted(result.fill_order) == result.positions
        assert result.joint.pll == pytest.approx(sum(result.joint.log_probs))


def test_masking_rule_statistics_follow_15_80_10_10():
    rng = np.random.default_rng(0)
    candidates, vocab = list(range(1, 101)), np.arange(200, 300)
    actions = []
    for _ in range(2000):
        plan = mlm_pretraining.plan_masking(rng, candidates, vocab, list(range(101)), mlm_pretraining.MaskingRule(), 4)
        assert len(plan.positions) == 15 and len(set(plan.positions)) == 15
        for p, action, shown in zip(plan.positions, plan.actions, plan.replacement_ids):
            assert shown == {"mask": 4, "keep": p}.get(action, shown)
            assert action != "random" or 200 <= shown < 300
        actions.extend(plan.actions)
    shares = {a: actions.count(a) / len(actions) for a in mlm_pretraining.ACTIONS}
    assert shares["mask"] == pytest.approx(0.8, abs=0.015)
    assert shares["random"] == pytest.approx(0.1, abs=0.01) and shares["keep"] == pytest.approx(0.1, abs=0.01)


def test_masking_simulation_is_seeded_and_predicts_every_chosen_position(tiny_model):
    text = "the man went to the store to buy a gallon of milk ."
    first = mlm_pretraining.simulate_masking(tiny_model, text, seed=3)
    assert first == mlm_pretraining.simulate_masking.__wrapped__(tiny_model, text, seed=3)  # uncached rerun
    for chosen in first.chosen:
        assert first.shown_tokens[chosen.position] == chosen.shown
        assert chosen.action != "mask" or chosen.shown == "[MASK]"
        assert chosen.correct == (chosen.predictions[0].token == chosen.original)
    accuracy = mlm_pretraining.masking_accuracy(tiny_model, text, draws=10, seed=3)
    assert sum(accuracy.counts.values()) == accuracy.predictions and 0 <= accuracy.accuracy <= 1




def test_batched_fill_mask_equals_one_at_a_time(tiny_model):
    from core.mlm import fill_mask as mlm

    texts = ["the dog [MASK] on the mat", "a [MASK] sat", "the [MASK] went to the [MASK] bank"]
    batched = mlm.fill_mask_batch(tiny_model, texts, top_k=3, batch_size=2)
    for text, result in zip(texts, batched):
        single = mlm.fill_mask(tiny_model, text, top_k=3)
        assert [m.position for m in result.masks] == [m.position for m in single.masks]
        for ours, theirs in zip(result.masks, single.masks):
            assert [p.token_id for p in ours.predictions] == [p.token_id for p in theirs.predictions]
            np.testing.assert_allclose([p.score for p in ours.predictions],
                                       [p.score for p in theirs.predictions], atol=1e-5)


def test_batched_fill_mask_names_the_text_without_a_mask(tiny_model):
    from core.mlm import fill_mask as mlm

    with pytest.raises(ValueError, match="text 2: no \\[MASK\\]"):
        mlm.fill_mask_batch(tiny_model, ["a [MASK] sat", "no mask here"])


def test_masked_encoding_is_masked_analysis_input_without_a_forward_pass(tiny_model):
    text_a, text_b = "the man went to the [mask] .", "he paid [MASK] cash ."
    before = forward.forward_pass_count()
    encoded = mlm.masked_encoding(tiny_model, text_a, text_b)
    assert forward.forward_pass_count() == before
    assert encoded == mlm.masked_analysis(tiny_model, text_a, text_b)[1]


def test_top_tokens_equals_a_full_stable_sort_ties_included(tiny_model):
    """The linear-time top-k gives what sorting the whole vocabulary gives: best first, ties by lower id."""
    rng = np.random.default_rng(0)
    vocab = tiny_model.tokenizer.vocab_size
    for probs in (rng.random(vocab), np.round(rng.random(vocab), 2), np.full(vocab, 1.0 / vocab)):
        for k in (1, 5, 50):
            expected = np.argsort(-probs, kind="stable")[:k].tolist()
            assert [t.token_id for t in mlm.top_tokens(tiny_model, probs, k)] == expected
