"""The ready-made task models (issue 17): shipped small, load with their real heads, and clear the held-out bars
on the hand-written sets in bench/data through the same inference code the Four ways page uses."""

import pytest
import torch

from core import config
from core.finetune import heldout
from core.model import adapter, ready
from core.model import loading as models
from core.model.capabilities import TASK_MODEL_CLASSES

READY = list(config.READY_ALIASES)
ALL_ASSETS_MAX_BYTES = 30 * 1024 * 1024
CONLL_TAGS = {"O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"}


@pytest.fixture(scope="module")
def loaded():
    return {alias: models.load_model(alias, device=torch.device("cpu")) for alias in READY}


@pytest.fixture(scope="module")
def scores(loaded):
    """Each model's held-out scores, read through the Four ways page's inference code (once per module)."""
    return {alias: heldout.scores(loaded[alias], ready.read_card(alias)["task"]) for alias in READY}


def test_every_ready_made_model_is_shipped_small():
    sizes = {alias: sum(f.stat().st_size for f in ready.asset_dir(alias).iterdir()) for alias in READY}
    assert all(ready.is_shipped(alias) for alias in READY)
    assert sum(sizes.values()) <= ALL_ASSETS_MAX_BYTES, sizes


def test_each_loads_with_its_real_head_and_labels(loaded):
    sentiment, ner, qa = (loaded[config.READY_MODELS[task]] for task in ("sentence", "token", "qa"))
    assert sentiment.capabilities.sequence_classification and set(sentiment.capabilities.labels) == {"positive", "negative"}
    assert ner.capabilities.token_classification and set(ner.capabilities.labels) == CONLL_TAGS
    assert qa.capabilities.qa
    assert config.READY_MODELS["pair"] == config.BUNDLED_ALIAS  # the pair task reads bundled's NSP head


def test_the_merged_model_is_the_adapter_over_bundled(loaded):
    """Merging the shipped adapter into a fresh `bundled` again gives the same weights the app loads."""
    alias = config.READY_MODELS["sentence"]
    card = ready.read_card(alias)
    fresh = TASK_MODEL_CLASSES["sentence"].from_pretrained(models.bundled_model_path(), num_labels=2)
    merged = adapter.apply(fresh, (ready.asset_dir(alias) / adapter.ADAPTER_WEIGHTS).read_bytes(), card["lora_rank"])
    shipped = dict(loaded[alias].model.named_parameters())
    for name, value in merged.named_parameters():
        assert torch.allclose(value, shipped[name], atol=1e-6), name


def test_sentiment_clears_its_held_out_bar(scores):
    sentiment = scores["bundled-sentiment"]
    assert sentiment["accuracy"] >= 0.90, sentiment["wrong"]


def test_ner_clears_its_held_out_bar(scores):
    ner = scores["bundled-ner"]
    assert ner["per_loc_org_f1"] >= 0.80, ner["per_kind"]
    # Each kind keeps a floor under the bar (which is on PER + LOC + ORG together): over bundled v4, ORG scores
    # 0.67 on its 55 held-out names (0.76 over v3).
    assert all(ner["per_kind"][kind]["f1"] >= 0.65 for kind in ("PER", "LOC", "ORG")), ner["per_kind"]


# What the shipped bundled-qa scores, less a margin: a rebuild that falls below is noticed. The first set's misses
# guided the generator's last revision, so the second set (written later, never looked at before scoring) is the
# untouched check; issue 17's bar (exact match ≥ 60 %, F1 ≥ 75 %) must hold on both, and does not on the second yet:
# it stays below as a strict xfail.
# The third set was written later still, by someone who saw neither the generator nor the other sets.
# Rebuilt over bundled v4 with the same generator and settings: 65.7 / 78.3, 61.1 / 72.1 and 41.7 / 57.4 on the
# three sets (over v3: 74.3 / 80.4, 59.7 / 66.4, 44.4 / 62.4).
QA_FLOOR = {"exact_match": 0.62, "f1": 0.75}
QA_LATER_FLOORS = {2: {"exact_match": 0.57, "f1": 0.68}, 3: {"exact_match": 0.38, "f1": 0.54}}
QA_BAR = {"exact_match": 0.60, "f1": 0.75}


@pytest.fixture(scope="module")
def qa_later(loaded):
    """The shipped QA model's scores on the later, untouched sets, by set number."""
    return {number: heldout.scores(loaded[config.READY_MODELS["qa"]], "qa", number=number) for number in QA_LATER_FLOORS}


@pytest.fixture(scope="module")
def qa_second(qa_later):
    return qa_later[2]


def test_qa_keeps_its_shipped_held_out_scores(scores, qa_later):
    qa = scores["bundled-qa"]
    assert all(qa[name] >= floor for name, floor in QA_FLOOR.items()), qa["misses"]
    for number, floors in QA_LATER_FLOORS.items():
        assert all(qa_later[number][name] >= floor for name, floor in floors.items()), qa_later[number]["misses"]


def test_qa_clears_its_bar_on_the_set_its_generator_was_revised_from(scores):
    qa = scores["bundled-qa"]
    assert all(qa[name] >= bar for name, bar in QA_BAR.items()), qa["misses"]


@pytest.mark.xfail(strict=True, reason="issue 17's QA bar is not met on the untouched second held-out set yet (exact "
                                       "match 61.1 %, F1 72.1 %); a build that meets it turns this into a failure")
def test_qa_clears_its_bar_on_the_untouched_set(qa_second):
    assert all(qa_second[name] >= bar for name, bar in QA_BAR.items()), qa_second["misses"]


@pytest.mark.xfail(strict=True, reason="issue 17's QA bar is not met on the third held-out set either (exact match "
                                       "41.7 %, F1 57.4 %); a build that meets it turns this into a failure")
def test_qa_clears_its_bar_on_the_third_set(qa_later):
    assert all(qa_later[3][name] >= bar for name, bar in QA_BAR.items()), qa_later[3]["misses"]


def test_the_qa_card_reports_the_later_sets(qa_later):
    card = ready.read_card(config.READY_MODELS["qa"])
    for number, card_key in ((2, "held_out_second"), (3, "held_out_third")):
        for key in ("exact_match", "f1", "questions"):
            assert qa_later[number][key] == pytest.approx(card[card_key][key], abs=1e-9), (card_key, key)


@pytest.mark.parametrize("alias", READY)
def test_the_card_reports_what_the_shipped_model_scores(scores, alias):
    """README's model cards come from card.json: its held-out figures must be this model's."""
    card = ready.read_card(alias)
    for key, value in card["held_out"].items():
        if isinstance(value, float):
            assert scores[alias][key] == pytest.approx(value, abs=1e-9), key
    for kind, figures in card["held_out"].get("per_kind", {}).items():
        assert scores[alias]["per_kind"][kind] == pytest.approx(figures), kind


def test_a_missing_ready_made_model_is_a_clear_load_error(monkeypatch, tmp_path):
    monkeypatch.setattr(ready, "READY_DIR", tmp_path)
    with pytest.raises(models.ModelLoadError, match="build it with scripts/build_task_models.py"):
        models.resolve("bundled-qa")
