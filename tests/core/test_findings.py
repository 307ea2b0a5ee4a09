"""Findings: every card on the tiny random BERT (shapes, invariants, parity with the Attention page's statistics),
the corpus and facts, the head gates, caching, CSV and figures, every text in both languages with the same numbers;
and on `bundled` the measured headline numbers
pinned with a tolerance, so a model rebuild that changes a finding is noticed."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import string
import threading

import numpy as np
import pytest
import torch

from core.attention import maps
from core.attention.probe import head_gates
from core.findings import clark, corpus, ethayarajh, facts, figures, gallery, head_stats, lama, michel, passes
from core.findings.facts import FACTS
from core.findings.lama import TOP_K
from core.findings.result import DIFFERS, REPRODUCED, layer_span
from core.lib.i18n import LANGUAGES, NOTHING, Text
from core.model import forward
from core.model import loading as models
from core.model.capabilities import MissingHeadError

RESULTS = ("reproduced: ", "differs: ")
RESULTS_ZH = ("已复现：", "有差异：")
CARD_MODULES = {"clark": clark, "ethayarajh": ethayarajh, "michel": michel, "lama": lama, "head_stats": head_stats}


@pytest.fixture(scope="module")
def found(tiny_model) -> dict:
    """Every card's result on the tiny model, each computed once for the module."""
    return {key: gallery.finding(tiny_model, key) for key in gallery.CARDS}


def test_every_context_word_occurs_in_enough_pairs_and_every_fact_has_one_mask():
    for word in corpus.CONTEXT_WORDS:
        pairs = sum(bool(re.search(rf"\b{word}\b", f"{a} {b}".lower())) for a, b in corpus.PAIRS)
        assert pairs >= corpus.MIN_PAIRS_PER_WORD, word
    assert 60 <= len(corpus.sentences()) == 2 * len(corpus.PAIRS)
    assert all(f.text.count("[MASK]") == 1 and f.answer == f.answer.lower() for f in FACTS)
    assert len({f.text for f in FACTS}) == len(FACTS)


def test_clark_shares_are_shares_and_its_top_heads_are_the_largest(found, tiny_model):
    result = found["clark"]
    layers, heads = tiny_model.config.num_hidden_layers, tiny_model.config.num_attention_heads
    assert result.shares.shape == (len(result.kinds), layers, heads) and result.inputs == len(corpus.PAIRS)
    assert ((result.shares >= 0) & (result.shares <= 1 + 1e-6)).all()
    disjoint = [result.kinds.index(k) for k in ("sep", "cls", "punctuation")]
    assert (result.shares[disjoint].sum(axis=0) <= 1 + 1e-5).all()  # three kinds of token no token is twice
    previous = result.shares[result.kinds.index("previous")]
    assert result.top_heads["previous"][0].share == pytest.approx(previous.max())
    assert [h.share for h in result.top_heads["next"]] == sorted((h.share for h in result.top_heads["next"]), reverse=True)
    assert result.verdict.text.en.startswith(RESULTS) and len(result.table.rows) == layers * heads


def test_corpus_pass_statistics_are_the_attention_pages_on_each_input(tiny_model):
    passed = passes.corpus_pass(tiny_model)
    for i in (0, len(corpus.PAIRS) - 1):
        analysis = forward.analyze(tiny_model, *corpus.PAIRS[i])
        for key in ("sep", "previous", "entropy", "distance", "punctuation"):
            np.testing.assert_allclose(passed.statistics[key][i], maps.head_statistic(analysis, key).values, rtol=1e-5)


def test_one_corpus_pass_serves_the_three_corpus_cards(tiny_dirs):
    loaded = models.load_model(str(tiny_dirs["pretraining"]), device=torch.device("cpu"))  # a load of its own
    before, calls = passes.corpus_passes_run(), []
    for key in ("clark", "head_stats", "ethayarajh"):
        gallery.finding(loaded, key, on_progress=lambda done, total: calls.append((done, total)))
    assert passes.corpus_passes_run() == before + 1
    assert calls[-1] == (len(corpus.PAIRS), len(corpus.PAIRS)) and len(calls) == len(corpus.PAIRS)
    computed = gallery.findings_computed()
    assert gallery.finding(loaded, "clark") is gallery.finding(loaded, "clark") and gallery.findings_computed() == computed


def test_head_statistics_invariants(found):
    result, clark = found["head_stats"], found["clark"]
    values = result.values
    assert (values["entropy"] >= 0).all() and (values["distance"] >= 0).all()
    for key in ("special", "previous", "next", "self", "cls", "sep", "punctuation"):
        assert ((values[key] >= 0) & (values[key] <= 1 + 1e-5)).all(), key
    np.testing.assert_allclose(values["special"], values["cls"] + values["sep"], rtol=1e-6)
    np.testing.assert_array_equal(values["sep"], clark.shares[clark.kinds.index("sep")])  # one pass, one number
    assert result.broadest_layer == int(np.argmax(result.layer_entropy)) + 1
    assert result.verdict.text.en.startswith(RESULTS)


def test_self_similarity_is_the_mean_pairwise_cosine_of_a_words_vectors(found, tiny_model):
    result = found["ethayarajh"]
    depth = tiny_model.config.num_hidden_layers + 1
    assert result.self_similarity.shape == result.baseline.shape == result.adjusted.shape == (depth,)
    np.testing.assert_allclose(result.adjusted, result.self_similarity - result.baseline, atol=1e-6)
    assert ((result.self_similarity >= -1) & (result.self_similarity <= 1 + 1e-6)).all()
    word = result.words[0]
    vectors = passes.corpus_pass(tiny_model).word_vectors[np.array(passes.corpus_pass(tiny_model).words) == word.word]
    unit = vectors[:, -1] / np.linalg.norm(vectors[:, -1], axis=1, keepdims=True)
    expected = (unit @ unit.T)[np.triu_indices(len(unit), k=1)].mean()
    assert word.contexts == len(vectors) >= 2 and word.self_similarity[-1] == pytest.approx(expected, abs=1e-5)


def test_pruning_curve_and_importance(found, tiny_model):
    result = found["michel"]
    shape = (tiny_model.config.num_hidden_layers, tiny_model.config.num_attention_heads)
    assert result.pruned_shares == pytest.approx([i / 10 for i in range(10)])
    assert len(result.accuracy) == 10 and all(0 <= a <= 1 for a in result.accuracy)
    assert result.importance.shape == result.normalized.shape == shape and (result.importance >= 0).all()
    np.testing.assert_allclose(np.linalg.norm(result.normalized, axis=1), 1.0, rtol=1e-5)
    assert result.prunable_share in result.pruned_shares and result.masked_tokens > 0
    assert result.verdict.text.en.startswith(RESULTS)


def test_head_gate_gradient_matches_a_finite_difference(tiny_model):
    """The importance is a true derivative: nudging one head's gate moves the loss by gradient × nudge."""
    encoded = [forward.encode_for(tiny_model, s) for s in corpus.sentences()[:4]]
    batch = michel._by_length(michel._masked(tiny_model, encoded, 0, 1))[0]
    head = forward.mlm_head(tiny_model)
    shape = (tiny_model.config.num_hidden_layers, tiny_model.config.num_attention_heads)
    inputs = forward.batch_inputs(tiny_model, [e.ids for e in batch], [e.token_type_ids for e in batch])
    rows = [r for r, e in enumerate(batch) for _ in e.positions]
    columns = [p for e in batch for p in e.positions]
    labels = torch.tensor([label for e in batch for label in e.labels])

    def loss(nudged: torch.Tensor) -> float:
        with torch.no_grad(), head_gates(tiny_model, nudged):
            out = tiny_model.encoder(**inputs).last_hidden_state[rows, columns]
            return float(torch.nn.functional.cross_entropy(head(out).float(), labels))

    gradient = michel._gradient(tiny_model, head, batch, torch.ones(shape, requires_grad=True))
    eps, layer, unit = 1e-2, 1, 2
    plus, minus = torch.ones(shape), torch.ones(shape)
    plus[layer, unit], minus[layer, unit] = 1 + eps, 1 - eps
    assert abs((loss(plus) - loss(minus)) / (2 * eps)) == pytest.approx(float(gradient[layer, unit]), rel=0.05, abs=1e-4)
    assert all(p.grad is None for p in tiny_model.model.parameters())  # the shared model's weights get no .grad


def test_head_gates_act_only_in_the_thread_that_set_them(tiny_model):
    """Other sessions run the same shared model meanwhile: they get the intact model."""
    analysis = forward.analyze(tiny_model, *corpus.PAIRS[0])
    inputs = forward.model_inputs(tiny_model, analysis.inputs)
    seen = {}

    def other_session():
        with torch.no_grad():
            seen["other"] = tiny_model.encoder(**inputs).last_hidden_state[0].numpy()

    shape = (tiny_model.config.num_hidden_layers, tiny_model.config.num_attention_heads)
    with torch.no_grad(), head_gates(tiny_model, torch.zeros(shape)):
        gated = tiny_model.encoder(**inputs).last_hidden_state[0].numpy()
        thread = threading.Thread(target=other_session)
        thread.start()
        thread.join()
    np.testing.assert_array_equal(seen["other"], analysis.hidden_states[-1])
    assert not np.allclose(gated, analysis.hidden_states[-1])
    with pytest.raises(ValueError, match="head gates must be"):
        with head_gates(tiny_model, torch.ones(1, 1)):
            pass


def test_lama_precision_at_10_is_at_least_at_1(found, tiny_model):
    result = found["lama"]
    assert result.skipped + len(result.answers) == len(FACTS) and result.answers
    for answer in result.answers:
        assert tiny_model.tokenizer.convert_tokens_to_ids(answer.fact.answer) != tiny_model.tokenizer.unk_token_id
        assert len(answer.predictions) == TOP_K and (answer.rank is None or 1 <= answer.rank <= TOP_K)
    for score in [*result.relations, result]:
        assert 0 <= score.p_at_1 <= score.p_at_10 <= 1
    assert sum(r.facts for r in result.relations) == len(result.answers)


@pytest.mark.parametrize("key", ["michel", "lama"])
def test_cards_that_need_the_mlm_head_say_so(tiny_dirs, key):
    encoder = models.load_model(str(tiny_dirs["encoder"]), device=torch.device("cpu"))
    with pytest.raises(MissingHeadError, match=r"no trained masked-word prediction \(MLM\) head"):
        gallery.finding(encoder, key)


def test_an_unknown_card_is_refused(tiny_model):
    with pytest.raises(ValueError, match="unknown finding 'nope'; choose one of clark"):
        gallery.finding(tiny_model, "nope")


@pytest.mark.parametrize("key", list(gallery.CARDS))
def test_csv_has_the_tables_rows_and_figures_escape_the_model_name(found, key):
    result = found[key]
    rows = list(csv.reader(io.StringIO(gallery.finding_csv(result))))
    assert tuple(rows[0]) == result.table.columns and len(rows) == len(result.table.rows) + 1
    hostile = dataclasses.replace(result, model_name="<img src=x onerror=alert(1)>")
    built = [figures.head_stats_figure(hostile, "distance", lang) if key == "head_stats" else
             {"clark": figures.clark_figure, "ethayarajh": figures.ethayarajh_figure, "michel": figures.michel_figure,
              "lama": figures.lama_figure}[key](hostile, lang) for lang in LANGUAGES]
    for fig in built:
        assert "<img" not in fig.layout.title.text and "&lt;img" in fig.layout.title.text


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _numbers(text: str) -> list[str]:
    """The numbers a text says, in order of size (a translation may put them in another order)."""
    return sorted(re.findall(r"\d+(?:\.\d+)?", text))


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _texts(module) -> list[Text]:
    """Every Text a module defines: its own, in dicts and in tuples (not the empty one it may import)."""
    found = []
    for value in vars(module).values():
        items = value.values() if isinstance(value, dict) else value if isinstance(value, tuple) else [value]
        for item in items:
            found.extend(t for t in (item if isinstance(item, tuple) else (item,)) if isinstance(t, Text) and t != NOTHING)
    return found


@pytest.mark.parametrize("module", [*CARD_MODULES.values(), facts, figures], ids=lambda m: m.__name__)
def test_every_text_template_says_the_same_numbers_in_both_languages(module):
    texts = _texts(module)
    assert texts
    for text in texts:
        assert text.en.strip() and text.zh.strip(), text
        assert _placeholders(text.en) == _placeholders(text.zh), text
        assert _numbers(text.en) == _numbers(text.zh), text
        assert re.findall(r"%\{[^}]*\}", text.en) == re.findall(r"%\{[^}]*\}", text.zh), text  # plotly's templates


@pytest.mark.parametrize("key", list(gallery.CARDS))
def test_every_card_reads_in_both_languages_with_the_same_numbers(found, key):
    card, found_here = gallery.CARDS[key], found[key]
    assert card is CARD_MODULES[key].CARD
    for text in (card.name, card.title, card.claim, card.figure, found_here.measured, found_here.verdict.text):
        assert text.en.strip() and _chinese(text.zh) and not _chinese(text.en), text
        assert _numbers(text.en) == _numbers(text.zh), text
    prefix = RESULTS[0] if found_here.verdict.reproduced else RESULTS[1]
    zh_prefix = RESULTS_ZH[0] if found_here.verdict.reproduced else RESULTS_ZH[1]
    assert found_here.verdict.text.en.startswith(prefix) and found_here.verdict.text.zh.startswith(zh_prefix)
    assert REPRODUCED.en.startswith(RESULTS[0]) and DIFFERS.zh.startswith(RESULTS_ZH[1])
    if key == "head_stats":
        for label, meaning in found_here.labels.values():
            assert _chinese(label.zh) and _chinese(meaning.zh) and _numbers(meaning.en) == _numbers(meaning.zh)


def test_a_text_filled_in_both_languages_puts_in_each_languages_words():
    text = Text("{n} in {span}", "{span}有 {n} 个").format(n=3, span=layer_span([2, 3, 4]))
    assert text == Text("3 in layers 2–4", "第 2–4 层有 3 个")
    assert layer_span([1]) == Text("layer 1", "第 1 层") and set(LANGUAGES) == {"en", "zh"}


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("key", list(gallery.CARDS))
def test_figures_draw_their_words_in_the_language_asked(found, key, language):
    build = {"clark": figures.clark_figure, "ethayarajh": figures.ethayarajh_figure, "michel": figures.michel_figure,
             "lama": figures.lama_figure}.get(key, lambda r, lang: figures.head_stats_figure(r, "entropy", lang))
    fig = build(found[key], language)
    axis_titles = [fig.layout.xaxis.title.text, fig.layout.yaxis.title.text]
    assert _chinese(fig.layout.title.text) == (language == "zh")
    assert any(_chinese(t or "") for t in axis_titles) == (language == "zh")
    if key == "michel":
        assert _chinese(figures.michel_importance_figure(found[key], language).layout.title.text) == (language == "zh")


# The bundled model's findings, measured when this test was written (CPU, fp32); a rebuild that moves one past its
# tolerance changes what the README and the page say.
def test_bundled_attention_goes_to_cls_not_sep(bundled_model):
    result = gallery.finding(bundled_model, "clark")
    assert result.middle_layers == [3, 4, 5]
    assert result.middle_sep_share == pytest.approx(0.023, abs=0.02)
    assert result.middle_shares["cls"] == pytest.approx(0.65, abs=0.05)
    top = result.top_heads["previous"][0]
    assert (top.layer, top.head) == (0, 2) and top.share > 0.95
    assert not result.verdict.reproduced


def test_bundled_head_statistics_broadest_in_layer_1(bundled_model):
    result = gallery.finding(bundled_model, "head_stats")
    assert result.broadest_layer == 1 and result.layer_entropy[0] == pytest.approx(3.41, abs=0.1)
    assert result.verdict.reproduced


def test_bundled_contextuality_falls_in_the_upper_layers(bundled_model):
    result = gallery.finding(bundled_model, "ethayarajh")
    assert len(result.words) == len(corpus.CONTEXT_WORDS) and min(w.contexts for w in result.words) >= 5
    assert result.lower_adjusted == pytest.approx(0.627, abs=0.02)
    assert result.upper_adjusted == pytest.approx(0.578, abs=0.02)
    assert result.verdict.reproduced


def test_bundled_heads_can_mostly_be_pruned(bundled_model):
    result = gallery.finding(bundled_model, "michel")
    assert result.accuracy[0] == pytest.approx(0.383, abs=0.03)
    assert result.prunable_share == pytest.approx(0.8, abs=0.1)
    assert result.accuracy[-1] < result.accuracy[0]
    assert result.verdict.reproduced


def test_bundled_knows_few_facts_at_rank_1(bundled_model):
    result = gallery.finding(bundled_model, "lama")
    assert result.skipped == 0  # every answer is one piece of the bert-base-uncased vocabulary
    assert result.p_at_1 == pytest.approx(0.061, abs=0.03)
    assert result.p_at_10 == pytest.approx(0.449, abs=0.06)
    assert not result.verdict.reproduced
