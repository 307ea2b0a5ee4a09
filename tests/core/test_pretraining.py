"""Pre-training: masking statistics, pair construction per negative strategy, training, checkpoints, the bundled delta."""

import hashlib
import json
import math
import random

import pytest
import torch
from transformers import AutoTokenizer, BertForPreTraining

from core import corpus
from core.model import bundled, checkpoints
from core.model import loading as models
from core.pretrain import data as D
from core.pretrain import runner as P
from core.pretrain import runs
from core.training import jobs

DOCS = [
    "The man went to the store. He bought milk. The dog sat on the mat. The cat sat on the mat. It was good.",
    "Paris is the capital of France. It is a city. New York is a city. The bank of the river. We went there.",
    "This movie was great. That movie was bad. Who is he? Where is the bank? She played the question.",
]


@pytest.fixture(scope="module")
def segments():
    return corpus.segment_documents(DOCS, max_words=4)


@pytest.fixture(scope="module")
def tokenizer(tiny_dirs):
    return AutoTokenizer.from_pretrained(tiny_dirs["pretraining"])


def fast_config(**changes) -> P.PretrainConfig:
    base = dict(steps=20, batch_size=8, max_seq_len=32, encoder_lr=3e-3, head_lr=3e-3, warmup_steps=2,
                checkpoint_every=5)
    return P.PretrainConfig(**{**base, **changes})


def within(observed: int, total: int, share: float, sigmas: float = 4.0) -> bool:
    """Observed count agrees with a binomial(total, share) within `sigmas` standard deviations."""
    return abs(observed - total * share) <= sigmas * math.sqrt(total * share * (1 - share))


def test_masking_statistics_15_percent_and_80_10_10(segments, tokenizer):
    pairs = D.draw_pairs(segments, "random_document", 2000, seed=1)
    batch = D.make_batch(pairs, tokenizer, 64, random.Random(2))
    hidden = batch.labels != D.IGNORE_INDEX
    candidates = batch.attention_mask.sum(1) - 3  # minus [CLS] and two [SEP]
    assert (hidden.sum(1) == torch.clamp(torch.round(0.15 * candidates.float()), min=1).long()).all()
    kinds = batch.mask_kind[hidden]
    n = len(kinds)
    assert n > 3000
    assert within((kinds == 1).sum().item(), n, 0.8)
    assert within((kinds == 2).sum().item(), n, 0.1)
    assert within((kinds == 3).sum().item(), n, 0.1)
    ids = batch.input_ids[hidden]
    assert (ids[kinds == 1] == tokenizer.mask_token_id).all()
    assert (ids[kinds == 3] == batch.labels[hidden][kinds == 3]).all()
    assert not torch.isin(ids[kinds == 2], torch.tensor(tokenizer.all_special_ids)).any()


def test_special_tokens_and_padding_are_never_masked(segments, tokenizer):
    pairs = D.draw_pairs(segments, "swapped", 200, seed=3)
    batch = D.make_batch(pairs, tokenizer, 64, random.Random(4))
    enc = tokenizer([p.text_a for p in pairs], [p.text_b for p in pairs], truncation=True, max_length=64,
                    padding=True)
    for row in range(len(pairs)):
        for position, word in enumerate(enc.word_ids(row)):
            if word is None:
                assert batch.labels[row, position] == D.IGNORE_INDEX


def test_whole_word_masking_hides_all_pieces_of_a_word(tokenizer):
    docs = corpus.segment_documents(["Zebra quokka wombat axolotl. Narwhal okapi tapir. Gecko jaguar kiwi lynx."] * 2,
                               max_words=3)
    pairs = D.draw_pairs(docs, "random_document", 200, seed=5)
    batch = D.make_batch(pairs, tokenizer, 64, random.Random(6), whole_word=True)
    enc = tokenizer([p.text_a for p in pairs], [p.text_b for p in pairs], truncation=True, max_length=64,
                    padding=True)
    split_words = 0
    for row in range(len(pairs)):
        words: dict = {}
        for position, (word, seq) in enumerate(zip(enc.word_ids(row), enc.sequence_ids(row))):
            if word is not None:
                words.setdefault((seq, word), []).append(bool(batch.labels[row, position] != D.IGNORE_INDEX))
        for flags in words.values():
            assert all(flags) or not any(flags)
            split_words += len(flags) > 1 and all(flags)
    assert split_words > 0  # the test really exercised multi-piece words


@pytest.mark.parametrize("strategy", list(D.NEGATIVE_STRATEGIES))
def test_pairs_follow_their_strategy(segments, strategy):
    pairs = D.draw_pairs(segments, strategy, 400, seed=7)
    assert within(sum(p.is_next for p in pairs), 400, 0.5)
    for p in pairs:
        (da, a), (db, b) = p.source_a, p.source_b
        assert p.text_a == segments[da][a] and p.text_b == segments[db][b]
        if p.is_next:
            assert da == db and b == a + 1  # positives really adjacent, in order
        elif strategy == "random_document":
            assert da != db
        elif strategy == "same_document":
            assert da == db and b >= a + 2  # not adjacent, in document order (the NSP negatives page's rule)
        else:
            assert da == db and a == b + 1  # the adjacent pair, swapped


def _draws(pairs) -> str:
    return hashlib.sha256(json.dumps([(p.source_a, p.source_b, p.is_next) for p in pairs]).encode()).hexdigest()[:16]


def test_one_negative_rule_leaves_the_bundled_builds_draws_unchanged():
    """Training and the NSP negatives page draw negatives with one rule (core.corpus). Merging them kept
    random-document and swapped draws (every bundled build phase uses random-document negatives, some from A's
    own source) exactly as before; same-document negatives now keep document order, as the page's always did."""
    docs = [[f"document {d} segment {s}." for s in range(2 + (d * 7) % 6)] for d in range(30)]
    assert _draws(D.draw_pairs(docs, "random_document", 400, seed=11)) == "d1a7bfd69463eb18"
    assert _draws(D.draw_pairs(docs, "swapped", 400, seed=11)) == "49fd9f00b76287f7"
    peers = D.source_peers(["a" if i % 2 else "b" for i in range(len(docs))])
    rng = random.Random(4)
    assert _draws([D.sample_pair(docs, "random_document", rng, peers) for _ in range(300)]) == "566f02846255c730"


def test_pairs_are_reproducible_and_strategies_validated(segments):
    assert D.draw_pairs(segments, "same_document", 50, seed=9) == D.draw_pairs(segments, "same_document", 50, seed=9)
    with pytest.raises(ValueError, match="two documents"):
        D.draw_pairs(segments[:1], "random_document", 5)
    with pytest.raises(ValueError, match="unknown negative strategy"):
        D.draw_pairs(segments, "nonsense", 5)


def test_a_few_steps_reduce_the_loss(tiny_dirs, segments, tmp_path):
    cfg = fast_config(steps=40)
    model, tokenizer, _ = P.load_for_pretraining(str(tiny_dirs["pretraining"]))
    batch = P.batch_for_step(segments, tokenizer, cfg, 0)
    with torch.no_grad():
        before = P.forward_losses(model.eval(), batch)[1].loss
    P.pretrain(str(tiny_dirs["pretraining"]), segments, tmp_path / "run", cfg)
    trained, _, new = P.load_for_pretraining(str(tmp_path / "run"))
    with torch.no_grad():
        after = P.forward_losses(trained.eval(), batch)[1].loss
    assert not new and after < before


def test_checkpoint_round_trip_and_exact_resume(tiny_dirs, segments, tmp_path):
    straight = P.pretrain(str(tiny_dirs["pretraining"]), segments, tmp_path / "straight", fast_config(steps=10))
    P.pretrain(str(tiny_dirs["pretraining"]), segments, tmp_path / "resumed", fast_config(steps=10, time_budget_s=0))
    assert checkpoints.read_metadata(tmp_path / "resumed")["step"] == 1  # stopped after one step, saved
    resumed = P.pretrain(str(tiny_dirs["pretraining"]), segments, tmp_path / "resumed", fast_config(steps=10))
    assert resumed.step == straight.step == 10 and len(resumed.history) == 10
    a, _, _ = P.load_for_pretraining(str(tmp_path / "straight"))
    b, _, _ = P.load_for_pretraining(str(tmp_path / "resumed"))
    for (name, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert torch.allclose(pa, pb, atol=1e-5), name
    loaded = models.load_model(str(tmp_path / "straight"), device=torch.device("cpu"))
    assert loaded.capabilities.mlm and loaded.capabilities.nsp


def test_cancellation_keeps_the_previous_checkpoint(tiny_dirs, segments, tmp_path):
    def cancel_at_7(progress):
        if progress.step == 7:
            raise jobs.Cancelled()

    with pytest.raises(jobs.Cancelled):
        P.pretrain(str(tiny_dirs["pretraining"]), segments, tmp_path / "run", fast_config(), callback=cancel_at_7)
    assert checkpoints.is_complete(tmp_path / "run")
    assert checkpoints.read_metadata(tmp_path / "run")["step"] == 5
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert not P.load_for_pretraining(str(tmp_path / "run"))[2]


def test_evaluate_is_deterministic_and_bounded(tiny_dirs, segments):
    model, tokenizer, _ = P.load_for_pretraining(str(tiny_dirs["pretraining"]))
    pairs = D.draw_pairs(segments, "random_document", 40)
    first, second = P.evaluate(model, tokenizer, pairs, 32), P.evaluate(model, tokenizer, pairs, 32)
    assert first == second and 0 <= first.mlm_accuracy <= 1 and first.pairs == 40 and first.hidden_tokens > 0


def test_delta_export_apply_round_trip(tiny_dirs, tmp_path):
    base = BertForPreTraining.from_pretrained(tiny_dirs["encoder"])  # heads are new
    trained = BertForPreTraining.from_pretrained(tiny_dirs["encoder"])
    with torch.no_grad():
        trained.bert.encoder.layer[1].output.dense.weight.add_(0.01)
    info = bundled.export_delta(trained, base, tmp_path / "delta.safetensors")
    assert info["tensors"] == 1 + len([n for n, _ in trained.named_parameters() if n.startswith("cls.")])
    rebuilt = bundled.apply_delta(BertForPreTraining.from_pretrained(tiny_dirs["encoder"]), tmp_path / "delta.safetensors")
    for (name, pa), (_, pb) in zip(trained.named_parameters(), rebuilt.named_parameters()):
        assert torch.allclose(pa, pb, atol=1e-3), name


@pytest.mark.skipif(not bundled.DELTA_FILE.is_file(), reason="the bundled delta has not been built")
def test_bundled_model_has_real_mlm_and_nsp_heads():
    loaded = models.load_model("bundled", device=torch.device("cpu"))
    assert loaded.capabilities.mlm and loaded.capabilities.nsp
    assert checkpoints.is_complete(models.bundled_model_path())


def test_stop_after_saves_and_a_later_session_finishes_the_schedule(tiny_dirs, segments, tmp_path):
    first = P.pretrain(str(tiny_dirs["pretraining"]), segments, tmp_path / "run", fast_config(steps=8, stop_after=3))
    assert first.step == 3 and first.stopped_early
    assert checkpoints.read_metadata(tmp_path / "run")["step"] == 3
    second = P.pretrain(str(tiny_dirs["pretraining"]), segments, tmp_path / "run", fast_config(steps=8))
    assert second.step == 8 and not second.stopped_early


def test_pooler_and_nsp_head_get_their_own_learning_rate(tiny_dirs):
    model, _, _ = P.load_for_pretraining(str(tiny_dirs["pretraining"]))
    optimizer = P.make_optimizer(model, fast_config(nsp_lr=0.5))
    pooler = model.bert.pooler.dense.weight
    assert [g["lr"] for g in optimizer.param_groups if any(p is pooler for p in g["params"])] == [0.5]


def test_the_pretraining_sentence_rule_is_unchanged():
    """The bundled build reads its corpus through this rule: a capital, a digit or an opening quote/bracket after
    . ! ? starts a sentence; lowercase does not (e.g. 'e.g. this')."""
    text = 'One. Two! "Three?" (Four.) [Five.] 6 sheep. e.g. this stays. \'Quoted\' too.\n\nNew   paragraph here.'
    # A closing quote or bracket after the mark keeps the sentence going: only . ! ? right before the space count.
    assert corpus.split_sentences(text) == ["One.", "Two!", '"Three?" (Four.) [Five.] 6 sheep. e.g. this stays.',
                                            "'Quoted' too.", "New paragraph here."]


def test_compare_runs_includes_the_bundled_model_with_what_it_was_trained_on():
    documents = runs.example_documents(8)
    score = runs.compare_runs(["bundled"], documents)[0]
    assert score.run == "bundled" and score.negatives == "random_document" and score.steps is None
    assert set(score.nsp_accuracy) <= set(D.NEGATIVE_STRATEGIES)


def test_same_document_negatives_of_three_segment_documents_never_crash():
    """A = the middle of three segments has no non-adjacent B; the sampler moves A to the first segment."""
    documents = [["one a.", "one b.", "one c."], ["two a.", "two b.", "two c."]]
    pairs = D.draw_pairs(documents, "same_document", 200, seed=3)
    negatives = [p for p in pairs if not p.is_next]
    assert negatives and all(abs(p.source_a[1] - p.source_b[1]) >= 2 and p.source_a[0] == p.source_b[0]
                             for p in negatives)


def test_source_matched_negatives_draw_b_from_the_source_of_a():
    """With sources, a random-document negative never mixes registers; without them, the draws are unchanged."""
    documents = [[f"{name} {i} a.", f"{name} {i} b."] for name in ("novel", "gloss") for i in range(4)]
    sources = ["novel"] * 4 + ["gloss"] * 4
    peers = D.source_peers(sources)
    rng = random.Random(5)
    negatives = [p for p in (D.sample_pair(documents, "random_document", rng, peers) for _ in range(300))
                 if not p.is_next]
    assert negatives and all(sources[p.source_a[0]] == sources[p.source_b[0]] != "" for p in negatives)
    assert all(p.source_a[0] != p.source_b[0] for p in negatives)
    mixed = [p for p in D.draw_pairs(documents, "random_document", 300, seed=5) if not p.is_next]
    assert any(sources[p.source_a[0]] != sources[p.source_b[0]] for p in mixed)
    with pytest.raises(ValueError, match="single document"):
        D.source_peers(["novel", "novel", "gloss"])


def test_lesson_trains_a_run_per_kind_and_scores_each_on_every_kind(tmp_path, monkeypatch):
    """The preset: three runs from bundled with fresh NSP heads, a 3 × 3 table, findings read off it, no model saved."""
    from dataclasses import replace

    from core.pretrain import lesson

    monkeypatch.setattr(checkpoints.config, "MODELS_HOME", tmp_path)
    seen = []
    cfg = replace(lesson.LESSON_CONFIG, steps=2, batch_size=4, max_seq_len=48)
    result = lesson.run_lesson(runs.example_documents(8), cfg=cfg, report=seen.append, eval_pairs=24)
    assert [r.negatives for r in result.runs] == list(D.NEGATIVE_STRATEGIES)
    assert all(set(r.auc) == set(D.NEGATIVE_STRATEGIES) and 0 <= min(r.auc.values()) <= max(r.auc.values()) <= 1
               for r in result.runs)
    assert [p.step for p in seen] == list(range(1, 7)) and seen[-1].total_steps == 6  # one bar over the three runs
    table = result.auc_table()
    assert [row["trained with"] for row in table] == ["random document", "same document", "swapped"]
    random_run = result.runs[0]
    findings = result.findings()
    assert f"{random_run.final_batch_accuracy():.0%} of random-document pairs" in findings[0]
    assert f"{random_run.auc['swapped']:.2f} on swapped ones" in findings[1] and len(findings) == 3
    assert lesson.auc_figure(result).data[0].z[2][2] == result.runs[2].auc["swapped"]
    assert not list(tmp_path.iterdir())  # nothing saved as a model
