"""Quality gate of the shipped bundled model on the held-out everyday sets, and the scorer's invariants.

The bars are issue 15's: cloze top-5 ≥ 70 %, top-1 ≥ 35 %, NSP ≥ 90 % at 0.5. The sets in bench/data were
written before the everyday build and never trained on. A rebuild that loses them fails here.
"""

from __future__ import annotations

import json

import pytest

from core.model import bundled
from core.pretrain import everyday


def test_held_out_sets_have_the_promised_size_and_shape():
    items = everyday.cloze_items()
    assert len(items) >= 150
    assert all(item.text.count("[MASK]") == 1 and item.answers for item in items)
    pairs = everyday.nsp_pairs()
    assert len(pairs) >= 100
    assert sum(follows for *_, follows in pairs) == len(pairs) // 2
    texts = {a for a, _, _ in pairs}
    assert all(b not in texts for _, b, _ in pairs)  # no A doubles as a B


def test_cls_similarity_needs_two_sentences(tiny_model):
    with pytest.raises(ValueError, match="two sentences"):
        everyday.cls_similarity_by_layer(tiny_model, ["one"])
    sims = everyday.cls_similarity_by_layer(tiny_model, ["a cat", "the dog barked loudly"])
    assert len(sims) == tiny_model.config.num_hidden_layers + 1
    assert sims[0] == pytest.approx(1.0, abs=1e-4)  # [CLS] at position 0, segment 0: one embedding


@pytest.fixture(scope="module")
def scores(bundled_model) -> everyday.EverydayScores:
    return everyday.score_everyday(bundled_model)


# What the shipped build (v4) measured (assets/bundled_model/card.json), less a margin: a rebuild must not fall back.
SHIPPED_FLOOR = {"cloze_top5": 0.70, "cloze_top1": 0.35, "nsp_auc": 0.84, "nsp_accuracy": 0.75}
# Issue 15's NSP bar; the shipped build (79 % at 0.5, AUC 0.87) does not reach it yet. Its cloze bars (top-5
# ≥ 70 %, top-1 ≥ 35 %) are met and sit in SHIPPED_FLOOR.
NSP_BAR = 0.90


def test_bundled_stays_at_the_shipped_everyday_scores(scores):
    for name, floor in SHIPPED_FLOOR.items():
        assert getattr(scores, name) >= floor, name
    assert scores.mean_is_next_coherent > 0.75 > 0.5 > scores.mean_is_next_unrelated


@pytest.mark.xfail(strict=True, reason="issue 15's NSP bar (90 % at 0.5 on the held-out everyday pairs) is not met "
                                       "by the shipped build yet; a build that meets it turns this into a failure, "
                                       "so the bar moves into the gate above")
def test_bundled_meets_the_issue_nsp_bar(scores):
    assert scores.nsp_accuracy >= NSP_BAR


def test_bundled_cls_carries_its_sentence(bundled_model):
    assert everyday.cls_similarity_by_layer(bundled_model)[-1] < 0.8


def test_the_card_records_both_registers():
    card = json.loads((bundled.BUNDLED_DIR / "card.json").read_text())
    assert card["held_out"]["everyday"]["cloze_top5"] >= SHIPPED_FLOOR["cloze_top5"]
    assert card["held_out"]["python_docs"]["random_document"]["mlm_accuracy"] >= 0.30  # the technical register kept
    # The NSP negatives page's lesson on its default documents (the Python docs): random-document negatives are
    # the easiest, same-document ones harder, swapped order the hardest.
    lesson = card["held_out"]["python_docs"]
    accuracy = {kind: lesson[kind]["nsp_accuracy"] for kind in ("random_document", "same_document", "swapped")}
    assert accuracy["random_document"] > accuracy["same_document"] > accuracy["swapped"]
    assert card["held_out"]["cls_cosine_by_layer"][-1] < 0.9



def test_the_masked_words_example_is_filled_right_by_bundled(bundled_model):
    """The page opens on the example pair with DEFAULT_MASKED_WORD masked; bundled must put it back at rank 1."""
    from core import config
    from core.mlm import fill_mask

    tokens = fill_mask.masked_analysis(bundled_model, config.DEFAULT_TEXT_A, config.DEFAULT_TEXT_B)[1].tokens
    position = tokens.index(config.DEFAULT_MASKED_WORD)
    result = fill_mask.fill_mask(bundled_model, config.DEFAULT_TEXT_A, config.DEFAULT_TEXT_B, 5, [position])
    assert result.masks[0].predictions[0].token == config.DEFAULT_MASKED_WORD


def test_the_next_sentence_example_is_a_confident_is_next_and_the_other_candidate_is_not(bundled_model):
    from core import config
    from core.nsp import scoring as nsp

    assert nsp.score_pair(bundled_model, config.DEFAULT_TEXT_A, config.DEFAULT_TEXT_B).is_next > 0.7
    assert nsp.score_pair(bundled_model, config.DEFAULT_TEXT_A, config.DEFAULT_OTHER_B).is_next < 0.3
