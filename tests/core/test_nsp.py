"""NSP core, pair builder, batch files, CLI and pages, on tiny saved BERT (NSP head) and ALBERT (SOP head) checkpoints."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from core import corpus
from core.model import forward
from core.model import loading as models
from core.model.inputs import encode
from core.nsp import batch as nsp_batch
from core.nsp import experiment as nsp_experiment
from core.nsp import scoring as nsp
from core.nsp.experiment import CONSECUTIVE, KINDS, RANDOM_DOCUMENT, SAME_DOCUMENT, SWAPPED
from tests.helpers import NSP_A, NSP_B, NSP_DOCS


@pytest.fixture(scope="module")
def encoder_only(tiny_dirs) -> models.LoadedModel:
    return models.load_model(str(tiny_dirs["encoder"]), device=torch.device("cpu"))


# --- one pair -----------------------------------------------------------------------------------------

def test_probabilities_sum_to_one_and_index_0_is_is_next(tiny_model):
    score = nsp.score_pair(tiny_model, NSP_A, NSP_B)
    assert score.head is nsp.NSP_HEAD and "index 0 = IsNext" in score.head.index_meaning()
    assert score.is_next + score.not_next == pytest.approx(1.0, abs=1e-6)
    probs = torch.softmax(torch.tensor(score.logits), dim=-1)
    assert score.is_next == pytest.approx(float(probs[0]), abs=1e-6)


def test_logits_are_the_models_own_seq_relationship_logits(tiny_model):
    score = nsp.score_pair(tiny_model, NSP_A, NSP_B)
    batch = tiny_model.tokenizer(NSP_A, NSP_B, return_tensors="pt")
    with torch.no_grad():
        expected = tiny_model.model(**batch).seq_relationship_logits[0].numpy()
    np.testing.assert_allclose(score.logits, expected, atol=1e-5)


def test_cls_attention_is_the_last_layers_cls_row(tiny_model):
    score = nsp.score_pair(tiny_model, NSP_A, NSP_B)
    analysis = forward.analyze(tiny_model, NSP_A, NSP_B)
    assert score.cls_attention.shape == (analysis.num_heads, len(score.tokens))
    np.testing.assert_allclose(score.cls_attention.sum(axis=-1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(score.cls_attention, analysis.attentions[-1, :, 0, :])


def test_swap_puts_b_in_segment_0_and_a_in_segment_1(tiny_model):
    comparison = nsp.score_both_orders(tiny_model, NSP_A, NSP_B)
    swapped = nsp.score_pair(tiny_model, NSP_B, NSP_A)
    assert (swapped.text_a, swapped.text_b) == (comparison.original.text_b, comparison.original.text_a)
    np.testing.assert_allclose(comparison.swapped_logits, swapped.logits, atol=1e-5)
    first = encode(tiny_model.tokenizer, NSP_A, NSP_B)
    second = encode(tiny_model.tokenizer, NSP_B, NSP_A)

    def pieces(encoded, sentence):
        return [t for t, s in zip(encoded.tokens, encoded.sentence_ids) if s == sentence]

    assert pieces(second, 0) == pieces(first, 1) and pieces(second, 1) == pieces(first, 0)
    assert second.token_type_ids.count(0) == len(pieces(first, 1)) + 2  # [CLS] B [SEP]
    assert swapped.is_next + swapped.not_next == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(("a", "b", "message"), [(NSP_A, "", "sentence B is empty"), (NSP_A, None, "sentence B is empty"),
                                                 ("  ", NSP_B, "sentence A is empty")])
def test_missing_sentence_is_a_clear_error(tiny_model, a, b, message):
    with pytest.raises(ValueError, match=message):
        nsp.score_pair(tiny_model, a, b)


def test_model_without_nsp_head_says_so_and_offers_alternatives(encoder_only):
    for call in (lambda: nsp.score_pair(encoder_only, NSP_A, NSP_B), lambda: nsp.score_pairs(encoder_only, [(NSP_A, NSP_B)])):
        with pytest.raises(ValueError, match="no trained next-sentence") as err:
            call()
        assert "bert-base-uncased" in str(err.value) and "albert-base-v2" in str(err.value)


def test_too_long_pair_is_truncated_and_flagged(tiny_model):
    long_a = " ".join(["the dog sat on the mat"] * 20)
    score = nsp.score_pair(tiny_model, long_a, NSP_B)
    assert "truncated" in score.truncation and "longer sentence is cut first" in score.truncation
    assert nsp.score_pairs(tiny_model, [(long_a, NSP_B), (NSP_A, NSP_B)]).truncated.tolist() == [True, False]


# --- many pairs ---------------------------------------------------------------------------------------

def test_batched_scores_equal_one_pair_at_a_time_and_are_cached(tiny_model):
    pairs = [(NSP_A, NSP_B), ("the cat", "the dog sat on the mat and went to the river"), (NSP_B, NSP_A), ("paris", "france")]
    progress = []
    batch = nsp.score_pairs(tiny_model, pairs, batch_size=3, on_progress=lambda done, total: progress.append((done, total)))
    for i, (a, b) in enumerate(pairs):
        np.testing.assert_allclose(batch.logits[i], nsp.score_pair(tiny_model, a, b).logits, atol=1e-5)
    assert progress and progress[-1] == (4, 4)
    before = nsp.pairs_scored_count()
    again = nsp.score_pairs(tiny_model, pairs)
    assert nsp.pairs_scored_count() == before  # every pair came from the cache
    np.testing.assert_array_equal(again.logits, batch.logits)


@pytest.mark.parametrize("which", ["tiny", "sop", "bundled"])
def test_batch_scoring_runs_the_encoder_and_pair_head_only_with_the_full_models_logits(which, request):
    loaded = request.getfixturevalue({"tiny": "tiny_model", "sop": "sop_model", "bundled": "bundled_model"}[which])
    pairs = [(NSP_A, NSP_B), ("the cat sat down", "it was tired after a long day in the garden"), ("paris", "france")]
    batch = loaded.tokenizer([a for a, _ in pairs], [b for _, b in pairs], padding=True, return_tensors="pt")
    heads_run = []
    mlm_head = getattr(getattr(loaded.model, "cls", None), "predictions", None) or getattr(loaded.model, "predictions", None)
    handle = mlm_head.register_forward_hook(lambda *_: heads_run.append("mlm"))
    try:
        with torch.no_grad():
            full = forward.pair_logits(loaded, loaded.model(**batch)).numpy()
            alone = forward.pair_logits_only(loaded, dict(batch)).numpy()
    finally:
        handle.remove()
    assert heads_run == ["mlm"]  # only the full forward ran the MLM head
    np.testing.assert_array_equal(alone, full)  # identical logits: the same modules on the same pooled vector


def test_sop_head_is_used_for_albert(sop_model):
    head = nsp.sentence_head(sop_model)
    assert head is nsp.SOP_HEAD and "index 0 = in order" in head.index_meaning()
    batch = sop_model.tokenizer([NSP_A], [NSP_B], return_tensors="pt")
    with torch.no_grad():
        expected = sop_model.model(**batch).sop_logits[0].numpy()
    np.testing.assert_allclose(nsp.score_pairs(sop_model, [(NSP_A, NSP_B)]).logits[0], expected, atol=1e-5)
    np.testing.assert_allclose(nsp.score_pair(sop_model, NSP_A, NSP_B).logits, expected, atol=1e-5)


# --- documents and the pair builder ---------------------------------------------------------------------

def test_python_reference_documents_are_read_from_pydoc_data():
    from pydoc_data.topics import topics

    documents = corpus.python_reference_documents()
    assert len(documents) > 20 and all(len(d) >= 1 for d in documents)
    for document in documents[:10]:
        source = " ".join(re.sub(r"\s*\[\d+\]", "", topics[document.title]).split())
        assert all(segment in source for segment in document.segments)
        assert all(s[-1] in ".!?" and len(s.split()) >= corpus.MIN_SEGMENT_WORDS for s in document.segments)


def test_pasted_text_splits_on_separator_lines():
    documents = corpus.split_documents(NSP_DOCS, "pasted")
    assert [len(d) for d in documents] == [5, 4]
    assert documents[1].segments[0].startswith("Paris")


@pytest.mark.parametrize("documents", [corpus.split_documents(NSP_DOCS), corpus.python_reference_documents()])
def test_pair_builder_kinds_are_what_they_claim(documents):
    pairs = nsp_experiment.build_pairs(documents, per_kind=30, seed=3)
    assert {p.kind for p in pairs} == set(KINDS)
    for p in pairs:
        assert p.text_a == documents[p.doc_a].segments[p.index_a]
        assert p.text_b == documents[p.doc_b].segments[p.index_b]
        if p.kind == CONSECUTIVE:
            assert p.doc_a == p.doc_b and p.index_b == p.index_a + 1 and p.is_next
        elif p.kind == RANDOM_DOCUMENT:
            assert p.doc_a != p.doc_b and not p.is_next
        elif p.kind == SAME_DOCUMENT:
            assert p.doc_a == p.doc_b and p.index_b - p.index_a >= 2 and not p.is_next
        else:
            assert p.kind == SWAPPED and p.doc_a == p.doc_b and p.index_a == p.index_b + 1 and not p.is_next
    by_kind = {k: [p for p in pairs if p.kind == k] for k in KINDS}
    assert len(by_kind[CONSECUTIVE]) == len(by_kind[SWAPPED]) <= 30
    # Swapped pairs are the consecutive pairs in the other order: the same two segments.
    assert {(p.text_b, p.text_a) for p in by_kind[SWAPPED]} == {(p.text_a, p.text_b) for p in by_kind[CONSECUTIVE]}
    assert pairs == nsp_experiment.build_pairs(documents, per_kind=30, seed=3)  # reproducible from the seed


def test_pair_builder_needs_two_documents():
    with pytest.raises(ValueError, match="at least two documents"):
        nsp_experiment.build_pairs(corpus.split_documents(NSP_DOCS)[:1])


def test_accuracy_per_kind_at_threshold():
    pairs = nsp_experiment.build_pairs(corpus.split_documents(NSP_DOCS), per_kind=4)
    always_next = nsp_experiment.summarize(pairs, np.ones(len(pairs)))
    assert {s.kind: s.accuracy for s in always_next} == {CONSECUTIVE: 1.0, RANDOM_DOCUMENT: 0.0, SAME_DOCUMENT: 0.0, SWAPPED: 0.0}
    oracle = nsp_experiment.summarize(pairs, np.array([0.9 if p.is_next else 0.1 for p in pairs]))
    assert all(s.accuracy == 1.0 for s in oracle) and sum(s.count for s in oracle) == len(pairs)


def test_experiment_scores_every_pair_with_nsp_and_sop(tiny_model, sop_model):
    pairs = nsp_experiment.build_pairs(corpus.split_documents(NSP_DOCS), per_kind=4)
    for loaded, head in ((tiny_model, "nsp"), (sop_model, "sop")):
        result = nsp_experiment.run_experiment(loaded, pairs)
        assert result.head.kind == head and result.is_next.shape == (len(pairs),)
        assert ((result.is_next > 0) & (result.is_next < 1)).all()
        assert [s.kind for s in result.summary] == list(KINDS)


# --- pairs files -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    f"a\tb\tis_next\n{NSP_A}\t{NSP_B}\t1\n{NSP_B}\t{NSP_A}\t0\n",
    f"a,b,is_next\n\"{NSP_A}\",\"{NSP_B}\",IsNext\n\"{NSP_B}\",\"{NSP_A}\",NotNext\n",
    json.dumps({"a": NSP_A, "b": NSP_B, "is_next": 1}) + "\n" + json.dumps({"a": NSP_B, "b": NSP_A, "is_next": 0}) + "\n",
])
def test_pairs_files_in_three_formats(text):
    pairs = nsp_batch.parse_pairs(text)
    assert [(p.text_a, p.text_b, p.is_next) for p in pairs] == [(NSP_A, NSP_B, True), (NSP_B, NSP_A, False)]


def test_pairs_file_without_labels_and_bad_files():
    assert [p.is_next for p in nsp_batch.parse_pairs(f"{NSP_A}\t{NSP_B}\n")] == [None]
    for text, message in (("", "empty"), (f"{NSP_A}\t{NSP_B}\tmaybe\n", "label 'maybe'"), ("only one column\n", "expected sentence A"),
                          ("{not json\n", "not a JSON object"), (f"{NSP_A}\t \n", "sentence B is empty"),
                          (f'"{NSP_A},{NSP_B}\n' + "x" * 140_000, "unclosed quote")):
        with pytest.raises(ValueError, match=message):
            nsp_batch.parse_pairs(text)


def test_score_file_rows_accuracy_and_csv(tiny_model):
    result = nsp_batch.score_file(tiny_model, f"{NSP_A}\t{NSP_B}\t1\n{NSP_B}\t{NSP_A}\t0\nthe cat\tthe dog\n")
    rows = result.rows()
    assert len(rows) == 3 and all(r["is_next"] + r["not_next"] == pytest.approx(1.0, abs=1e-6) for r in rows)
    assert result.accuracy == pytest.approx(np.mean([(r["is_next"] >= 0.5) == r["label"] for r in rows[:2]]))
    csv_text = nsp_batch.to_csv(result)
    assert csv_text.splitlines()[0].startswith("a,b,label,is_next") and len(csv_text.splitlines()) == 4


# --- the lesson, on a real pre-trained NSP head (skipped cleanly where none is on this machine) ----------------

def real_nsp_model() -> models.LoadedModel | None:
    """The bundled model once its NSP head is trained, else bert-base-uncased from the local cache."""
    for name in ("bundled", "bert-base-uncased"):
        if name != "bundled" and not models.in_hub_cache(name):
            continue
        loaded = models.load_model(name, device=torch.device("cpu"))
        if loaded.capabilities.nsp:
            return loaded
    return None


@pytest.mark.slow
def test_random_document_negatives_are_the_easy_ones_for_a_real_nsp_head():
    loaded = real_nsp_model()
    if loaded is None:
        pytest.skip("no real pre-trained NSP head here: bundled has none yet and bert-base-uncased is not cached")
    pairs = nsp_experiment.build_pairs(corpus.python_reference_documents(), per_kind=60, seed=0)
    summary = {s.kind: s for s in nsp_experiment.run_experiment(loaded, pairs).summary}
    # Topic gives the random-document negatives away; same-topic negatives score closer to the positives.
    assert summary[RANDOM_DOCUMENT].mean < summary[SAME_DOCUMENT].mean < summary[CONSECUTIVE].mean
    assert summary[RANDOM_DOCUMENT].accuracy > summary[SAME_DOCUMENT].accuracy
    assert summary[RANDOM_DOCUMENT].accuracy > summary[SWAPPED].accuracy




@pytest.mark.parametrize("p, follows, confidence", [(0.97, True, "very sure"), (0.75, True, "fairly sure"),
                                                     (0.55, True, "unsure"), (0.2, False, "fairly sure"),
                                                     (0.02, False, "very sure")])
def test_verdict_says_the_decision_and_how_sure(p, follows, confidence):
    verdict = nsp.verdict(nsp.NSP_HEAD, p)
    assert verdict.follows is follows and verdict.confidence.startswith(confidence)
    assert verdict.probability == pytest.approx(max(p, 1 - p))
    assert ("IsNext" if follows else "NotNext") in verdict.sentence


def test_summary_auc_measures_separation_not_the_threshold():
    """A head biased to NotNext: every negative 'right' at 0.5, yet swapped pairs are not separated at all."""
    kinds = [CONSECUTIVE] * 4 + [RANDOM_DOCUMENT] * 4 + [SWAPPED] * 4
    pairs = [nsp_experiment.Pair(kind, "a", "b", 0, 0, 0, 1) for kind in kinds]
    scores = np.array([0.4, 0.3, 0.45, 0.35] + [0.01, 0.02, 0.03, 0.04] + [0.4, 0.3, 0.45, 0.35])
    summary = {s.kind: s for s in nsp_experiment.summarize(pairs, scores)}
    assert summary[SWAPPED].accuracy == 1.0 and summary[SWAPPED].auc == 0.5
    assert summary[RANDOM_DOCUMENT].auc == 1.0 and summary[CONSECUTIVE].auc is None


def test_batch_auc_needs_both_labels(tiny_model):
    pairs = nsp_batch.parse_pairs("a cat\tit sat\t1\nthe dog\tthe sea\t0\n")
    result = nsp_batch.score_labeled_pairs(tiny_model, pairs)
    assert result.auc in (0.0, 0.5, 1.0)
    unlabelled = nsp_batch.score_labeled_pairs(tiny_model, nsp_batch.parse_pairs("a cat\tit sat\n"))
    assert unlabelled.auc is None


def test_bf16_scores_stay_close_to_fp32_and_say_how_close(bundled_model):
    """Issue 19: the batch pages' fast precision; cached apart from fp32, with its distance measured on a sample."""
    from core.model import precision as precisions
    from core.pretrain import everyday

    pairs = [(a, b) for a, b, _ in everyday.nsp_pairs()[:24]]
    exact = nsp.score_pairs(bundled_model, pairs)
    fast = nsp.score_pairs(bundled_model, pairs, precision="bf16")
    assert exact.precision == "fp32" and fast.precision == "bf16"
    assert not np.array_equal(exact.logits, fast.logits)  # really computed apart (the cache keys differ)
    assert np.abs(exact.is_next - fast.is_next).max() < 0.05
    agreement = nsp.agreement(bundled_model, fast, pairs, sample=8)
    assert agreement.pairs == 8 and agreement.max_abs_diff == pytest.approx(
        float(np.abs(exact.is_next[:8] - fast.is_next[:8]).max()))
    assert agreement.same_decisions >= 0.875 and "against fp32 on 8 of these pairs" in agreement.sentence()
    assert nsp.agreement(bundled_model, exact, pairs) is None
    with pytest.raises(ValueError, match="unknown precision"):
        nsp.score_pairs(bundled_model, pairs, precision="fp8")
    assert precisions.default_precision(torch.device("meta")) == "fp32"
