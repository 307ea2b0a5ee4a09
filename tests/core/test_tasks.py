"""The four ways to use BERT: span decoding, QA windows, classification, saliency, entity merging, CLI, page."""


import numpy as np
import pytest
import torch

from core.model import forward
from core.model import loading as models
from core.model.capabilities import Head, MissingHeadError
from core.model.inputs import group_words
from core.tasks import classify as tasks
from core.tasks import figures as task_figures
from core.tasks import qa
from tests.helpers import LONG_PASSAGE, PASSAGE

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def tiny(tiny_dirs):
    """Every tiny checkpoint, loaded once on the CPU."""
    return {kind: models.load_model(str(path), device=CPU) for kind, path in tiny_dirs.items()}


# ---- QA span decoding (pure numpy) ----

def brute_force(start, end, mask, max_len):
    allowed = np.array(mask) | (np.arange(len(mask)) == 0)
    ps = np.where(allowed, np.exp(start - start[allowed].max()), 0)
    pe = np.where(allowed, np.exp(end - end[allowed].max()), 0)
    ps, pe = ps / ps.sum(), pe / pe.sum()
    return max(
        (ps[i] * pe[j], i, j) for i in range(len(mask)) for j in range(len(mask))
        if mask[i] and mask[j] and i <= j <= i + max_len - 1
    )


@pytest.mark.parametrize("seed", range(20))
def test_decoded_spans_are_valid_and_the_best_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    seq = 24
    start, end = rng.normal(size=seq) * 3, rng.normal(size=seq) * 3
    mask = [False] * 6 + [True] * (seq - 7) + [False]  # [CLS] question [SEP] passage [SEP]
    max_len = int(rng.integers(1, 6))
    spans, _ = qa.decode_spans(start, end, mask, max_len, top_k=5)
    assert spans
    for span in spans:
        assert span.token_start <= span.token_end <= span.token_start + max_len - 1
        assert mask[span.token_start] and mask[span.token_end]
    assert [s.score for s in spans] == sorted((s.score for s in spans), reverse=True)
    score, i, j = brute_force(start, end, mask, max_len)
    assert (spans[0].token_start, spans[0].token_end) == (i, j)
    assert spans[0].score == pytest.approx(score)


def test_cls_score_above_every_span_means_no_answer():
    start, end = np.zeros(10), np.zeros(10)
    start[0] = end[0] = 8.0  # the model points at [CLS]
    mask = [False, False, False] + [True] * 6 + [False]
    spans, no_answer = qa.decode_spans(start, end, mask, 5, top_k=3)
    assert no_answer > spans[0].score
    spans, no_answer = qa.decode_spans(start, end, mask, 5, top_k=3, include_cls=False)
    assert no_answer == 0.0 and sum(s.score for s in spans) <= 1.0


# ---- QA on a real (tiny) checkpoint ----

def check_answers(result: qa.QAResult, options: qa.QAOptions) -> None:
    assert 0 < len(result.answers) <= options.top_k
    for a in result.answers:
        window = result.windows[a.window]
        assert a.token_start <= a.token_end <= a.token_start + options.max_answer_len - 1
        assert window.passage_mask[a.token_start] and window.passage_mask[a.token_end]
        assert a.text == result.passage[a.start:a.end] and a.text.strip()
        assert (a.start, a.end) == (window.offsets[a.token_start][0], window.offsets[a.token_end][1])
    assert result.best_window == result.answers[0].window


def test_qa_answers_are_spans_of_the_passage(tiny):
    options = qa.QAOptions(top_k=4, max_answer_len=3)
    result = qa.answer_question(tiny["qa"], "what did the man buy?", PASSAGE, options)
    check_answers(result, options)
    assert len(result.windows) == 1


def test_qa_logits_match_the_one_forward_pass_and_the_start_end_vectors(tiny):
    loaded = tiny["qa"]
    result = qa.answer_question(loaded, "what did the man buy?", PASSAGE)
    analysis = forward.analyze(loaded, "what did the man buy?", PASSAGE)
    window = result.windows[0]
    np.testing.assert_allclose(window.start_logits, analysis.start_logits, atol=1e-5)
    weight, bias = (p.detach().numpy() for p in (loaded.model.qa_outputs.weight, loaded.model.qa_outputs.bias))
    logits = analysis.hidden_states[-1] @ weight.T + bias  # (seq, 2): dot with the start and end vectors
    np.testing.assert_allclose(logits[:, 0], window.start_logits, atol=1e-5)
    np.testing.assert_allclose(logits[:, 1], window.end_logits, atol=1e-5)


def test_long_passage_is_split_into_overlapping_windows(tiny):
    options = qa.QAOptions(top_k=3, max_answer_len=5, stride=8)
    result = qa.answer_question(tiny["qa"], "where did the dog sit?", LONG_PASSAGE, options)
    assert len(result.windows) > 1
    check_answers(result, options)
    ranges = [w.char_range for w in result.windows]
    assert ranges[0][0] == 0 and ranges[-1][1] == len(LONG_PASSAGE)  # together they cover the whole passage
    for (_, end_a), (start_b, _) in zip(ranges, ranges[1:]):
        assert start_b < end_a  # neighbours overlap, so no answer is cut at a window edge
    assert len({(a.start, a.end) for a in result.answers}) == len(result.answers)  # overlap counted once


@pytest.mark.parametrize("stride", [0, 500])
def test_any_stride_advances_and_keeps_valid_spans(tiny, stride):
    options = qa.QAOptions(top_k=2, max_answer_len=4, stride=stride, allow_no_answer=False)
    result = qa.answer_question(tiny["qa"], "where?", LONG_PASSAGE, options)
    check_answers(result, options)
    starts = [w.char_range[0] for w in result.windows]
    assert starts == sorted(set(starts)) and result.no_answer_score == 0.0 and not result.prefers_no_answer


@pytest.mark.parametrize("question, passage, message", [
    ("", PASSAGE, "question is empty"),
    ("where?", "   ", "passage is empty"),
    (" ".join(["what"] * 70), PASSAGE, "shorten the question"),
])
def test_qa_bad_inputs_are_explained(tiny, question, passage, message):
    with pytest.raises(ValueError, match=message):
        qa.answer_question(tiny["qa"], question, passage)


def test_chinese_passage_is_handled_and_flagged(tiny):
    result = qa.answer_question(tiny["qa"], "where?", "他去了商店买牛奶。")
    assert result.unknown_share > 0.5  # the tiny English vocabulary has no Chinese characters
    for a in result.answers:
        assert a.text == result.passage[a.start:a.end]


@pytest.mark.parametrize("kind", ["encoder", "sentence"])
def test_model_without_qa_head_points_to_fine_tuning(tiny, kind):
    with pytest.raises(ValueError, match="fine-tune"):
        qa.answer_question(tiny[kind], "where?", PASSAGE)


# ---- sentence and pair classification ----

def test_sentence_probabilities_come_from_the_real_head(tiny):
    result = tasks.classify(tiny["sentence"], "this movie is great")
    analysis = forward.analyze(tiny["sentence"], "this movie is great")
    expected = np.exp(analysis.sequence_logits) / np.exp(analysis.sequence_logits).sum()
    np.testing.assert_allclose(result.probabilities, expected, atol=1e-6)
    assert result.labels == ["negative", "positive"] and result.task == "sentence"
    np.testing.assert_allclose(result.layer_probabilities[-1], result.probabilities, atol=1e-5)  # last layer = the head
    assert result.layer_probabilities.shape == (3, 2) and result.cls_similarity_to_final[-1] == pytest.approx(1.0)


def test_pair_uses_nsp_when_present_else_a_pair_classifier(tiny):
    nsp = tasks.classify(tiny["pretraining"], "the man went to the store", "he paid cash")
    analysis = forward.analyze(tiny["pretraining"], "the man went to the store", "he paid cash")
    assert nsp.head is Head.NSP and nsp.labels == list(tasks.NSP_LABELS)
    np.testing.assert_allclose(nsp.logits, analysis.next_sentence_logits)
    np.testing.assert_allclose(nsp.layer_probabilities[-1], nsp.probabilities, atol=1e-5)
    pair = tasks.classify(tiny["sentence"], "the man went to the store", "he paid cash")
    assert pair.task == "pair" and pair.head is Head.SEQUENCE and 1 in pair.inputs.token_type_ids


def test_a_classifier_trained_for_one_of_sentence_and_pair_never_serves_the_other(tiny_dirs, models_home):
    from core.tasks import heads
    from tests.helpers import save_as_trained_here

    sentiment = models.load_model(save_as_trained_here(tiny_dirs["sentence"], "my-sentiment", "sentence"), device=CPU)
    pairs = models.load_model(save_as_trained_here(tiny_dirs["sentence"], "my-pairs", "pair"), device=CPU)
    assert heads.has_head(sentiment, "sentence") and not heads.has_head(sentiment, "pair")
    assert heads.has_head(pairs, "pair") and not heads.has_head(pairs, "sentence")
    with pytest.raises(MissingHeadError, match="single sentences"):
        tasks.classify(sentiment, "the man went to the store", "he paid cash")
    with pytest.raises(MissingHeadError, match="sentence pairs"):
        tasks.classify(pairs, "the man went to the store")
    assert tasks.classify(pairs, "the man went", "he paid").head is Head.SEQUENCE


def test_each_task_offers_its_ready_made_model_the_sidebars_and_those_trained_for_it(tiny, tiny_dirs, models_home,
                                                                                   monkeypatch):
    from core import config
    from core.tasks import heads
    from tests.helpers import save_as_trained_here

    ready = {"sentence": str(tiny_dirs["sentence"]), "token": str(tiny_dirs["token"]), "pair": "bundled",
             "qa": str(tiny_dirs["qa"])}
    monkeypatch.setattr(config, "READY_MODELS", ready)
    for name, task, kind in (("my-sentiment", "sentence", "sentence"), ("my-ner", "token", "token"),
                             ("my-pairs", "pair", "sentence"), ("my-bert", "pretraining", "pretraining"), ("my-qa", "qa", "qa")):
        save_as_trained_here(tiny_dirs[kind], name, task)
    assert heads.model_options("sentence", "bundled") == [ready["sentence"], "bundled", "my-sentiment"]
    assert heads.model_options("token", "my-ner") == [ready["token"], "my-ner"]
    assert heads.model_options("pair", "bundled") == ["bundled", "my-bert", "my-pairs"]  # NSP heads and pair classifiers
    assert heads.model_options("qa", "my-qa") == [ready["qa"], "my-qa"]
    # The ready-made sentence classifier is known by its name: it never judges a pair.
    assert not heads.has_head(tiny["sentence"], "pair") and heads.has_head(tiny["sentence"], "sentence")
    # The default: the sidebar's model when it has the task's head, else the ready-made model.
    assert heads.default_model("pair", tiny["pretraining"]) == tiny["pretraining"].name
    assert heads.default_model("sentence", tiny["pretraining"]) == ready["sentence"]
    assert heads.default_model("qa", None) == ready["qa"]
    assert heads.default_model("token", tiny["token"]) == tiny["token"].name


@pytest.mark.parametrize("kind, text_b", [("encoder", None), ("encoder", "he paid"), ("qa", None), ("pretraining", None)])
def test_classification_without_a_head_points_to_fine_tuning(tiny, kind, text_b):
    with pytest.raises(ValueError, match="fine-tune"):
        tasks.classify(tiny[kind], "the man went", text_b)


def test_head_readout_names_the_positions_each_head_reads(tiny):
    sentence = tasks.classify(tiny["sentence"], "this movie is great")
    assert tasks.head_readout(tiny["sentence"], "sentence", sentence.inputs).read_positions == [0]
    tokens = tasks.classify_tokens(tiny["token"], "new york")
    read = tasks.head_readout(tiny["token"], "token", tokens.inputs).read_positions
    assert read == [i for i, special in enumerate(tokens.inputs.special_mask) if not special]


# ---- saliency ----

@pytest.fixture(scope="module")
def confident_classifier(tiny_dirs):
    """A private copy of the tiny classifier with larger random weights, so its logit moves clearly with the input."""
    loaded = models.load_model(str(tiny_dirs["sentence"]), device=CPU)
    torch.manual_seed(0)
    with torch.no_grad():
        for name, param in loaded.model.named_parameters():
            if name.endswith("weight") and param.dim() == 2:
                param.normal_(0.0, 0.3)
    return loaded


def test_integrated_gradients_are_complete(confident_classifier):
    explained = tasks.saliency(confident_classifier, "this movie is good", None, "integrated gradients", steps=64)
    gap = explained.target_logit - explained.baseline_logit
    assert abs(gap) > 1e-3  # the check below is not vacuous
    assert explained.scores.sum() == pytest.approx(gap, rel=0.05, abs=1e-4)
    specials = [i for i, t in enumerate(explained.tokens) if t in ("[CLS]", "[SEP]")]
    assert np.all(explained.scores[specials] == 0)  # kept in the baseline, so they contribute nothing


def test_integrated_gradients_are_complete_on_the_pretrained_encoder(tmp_path_factory):
    """The bundled MiniLM encoder (real weights) under a fresh, saved classification head."""
    from transformers import AutoTokenizer, BertForSequenceClassification

    folder = tmp_path_factory.mktemp("minilm-classifier")
    torch.manual_seed(0)
    model = BertForSequenceClassification.from_pretrained(str(models.bundled_model_path()))
    with torch.no_grad():
        model.classifier.weight.normal_(0.0, 2.0)  # a head that reacts to the text, so the gap is not tiny
    model.save_pretrained(folder)
    AutoTokenizer.from_pretrained(str(models.bundled_model_path())).save_pretrained(folder)
    loaded = models.load_model(str(folder), device=CPU)
    explained = tasks.saliency(loaded, "the man went to the store to buy milk", None, "integrated gradients", steps=32)
    gap = explained.target_logit - explained.baseline_logit
    assert abs(gap) > 0.05
    assert explained.scores.sum() == pytest.approx(gap, rel=0.02)


def test_gradient_times_input_has_one_score_per_token(tiny):
    explained = tasks.saliency(tiny["pretraining"], "the man went", "he paid", "gradient × input")
    assert explained.scores.shape == (len(explained.tokens),) and np.isfinite(explained.scores).all()
    with pytest.raises(ValueError, match="unknown saliency"):
        tasks.saliency(tiny["sentence"], "good", None, "lime")


# ---- token classification ----

LABELS = ["O", "B-LOC", "I-LOC"]
# "newyorkcity" split into three pieces, then "paris": hand-checked rows of P(O), P(B-LOC), P(I-LOC).
WORD_IDS = [None, 0, 0, 0, 1, None]
OFFSETS = [(0, 0), (0, 3), (3, 7), (7, 11), (12, 17), (0, 0)]
WORDS = group_words(["[CLS]", "new", "##york", "##city", "paris", "[SEP]"], [None, 0, 0, 0, 0, None], WORD_IDS, OFFSETS,
                    ("newyorkcity paris", None))
PROBS = np.array([
    [1, 0, 0], [0.35, 0.60, 0.05], [0.80, 0.10, 0.10], [0.10, 0.00, 0.90], [0.2, 0.1, 0.7], [1, 0, 0],
])


@pytest.mark.parametrize("strategy, first_word, score", [
    ("first", "B-LOC", 0.60),  # the first piece decides
    ("average", "O", (0.35 + 0.80 + 0.10) / 3),  # mean row (0.417, 0.233, 0.35)
    ("max", "I-LOC", 0.90),  # the most confident piece (the third) decides
])
def test_aggregation_strategies_on_a_hand_checked_word(strategy, first_word, score):
    words = tasks.aggregate_words(WORDS, PROBS, LABELS, strategy)
    assert [(w.word, w.start, w.end) for w in words] == [(0, 0, 11), (1, 12, 17)]
    assert words[0].label == first_word and words[0].score == pytest.approx(score)
    assert words[1].label == "I-LOC"


def test_entities_merge_b_and_i_and_break_on_o():
    text = "newyorkcity paris"
    first = tasks.group_entities(tasks.aggregate_words(WORDS, PROBS, LABELS, "first"), text)
    assert [(e.label, e.text) for e in first] == [("LOC", "newyorkcity paris")]
    average = tasks.group_entities(tasks.aggregate_words(WORDS, PROBS, LABELS, "average"), text)
    assert [(e.label, e.text) for e in average] == [("LOC", "paris")]
    words = [tasks.WordLabel(0, 0, 3, "B-PER", 0.9), tasks.WordLabel(1, 4, 7, "B-PER", 0.8), tasks.WordLabel(2, 8, 11, "I-LOC", 0.7)]
    assert [e.text for e in tasks.group_entities(words, "ann bob rio")] == ["ann", "bob", "rio"]  # B starts a new one


def test_token_classification_on_a_real_checkpoint(tiny):
    result = tasks.classify_tokens(tiny["token"], "the new york city is unbelievable", "average")
    assert result.probabilities.shape == (len(result.inputs.tokens), 3)
    np.testing.assert_allclose(result.probabilities.sum(-1), 1.0, atol=1e-5)
    assert [p == "" for p in result.predicted] == result.inputs.special_mask
    for entity in result.entities:
        assert entity.text == result.text[entity.start:entity.end]
    with pytest.raises(ValueError, match="fine-tune"):
        tasks.classify_tokens(tiny["sentence"], "new york")


# ---- figures and HTML ----

def test_html_escapes_user_text(tiny):
    evil = "<script>alert(1)</script> new york"
    tokens = tasks.classify_tokens(tiny["token"], evil)
    answer = qa.answer_question(tiny["qa"], "where?", evil)
    explained = tasks.Saliency("gradient × input", "positive", ["[CLS]", "<b>", "[SEP]"], np.array([0.0, 1.0, -1.0]), 1.0, 0.0)
    for markup in (task_figures.entities_html(tokens), task_figures.answers_html(answer),
                   task_figures.saliency_html(explained), task_figures.window_html(answer, answer.windows[0])):
        assert "<script>" not in markup and "&lt;" in markup


def test_qa_logit_plot_covers_the_passage_tokens(tiny):
    result = qa.answer_question(tiny["qa"], "what did the man buy?", PASSAGE)
    fig = task_figures.qa_logits_figure(result)
    window = result.windows[result.best_window]
    assert [t.name for t in fig.data] == ["start logit", "end logit"]
    assert len(fig.data[0].x) == sum(window.passage_mask)
    cls_labels = {a.text: (a.xanchor, a.yanchor) for a in fig.layout.annotations if a.text.startswith("[CLS]")}
    assert set(cls_labels) == {"[CLS] start", "[CLS] end"}  # at opposite ends: close levels never overlap them
    assert cls_labels["[CLS] start"][0] != cls_labels["[CLS] end"][0] and len(set(cls_labels.values())) == 2
    bars = task_figures.probability_bars(tasks.classify(tiny["sentence"], "good movie"))
    assert sum(bars.data[0].x) == pytest.approx(1.0, abs=1e-5)




