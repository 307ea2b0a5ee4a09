"""Fine-tune runner: every task learns on a tiny model, labels/answers map to the right pieces and characters,
checkpoints round-trip, a cancelled or crashed run keeps the previous model, the device choice, the CLI."""

import json
import random

import numpy as np
import pytest
import torch
from transformers import BertTokenizerFast

from core.finetune import runner as finetune
from core.finetune import runs as finetune_runs
from core.finetune.data import QAExample, TextExample, TokenExample, make_task_data
from core.finetune.features import IGNORE, align_labels, encode_qa, qa_metrics, qa_predictions
from core.finetune.sources import DataSpec
from core.model import checkpoints
from core.model import loading as models
from core.model.capabilities import TASK_MODEL_CLASSES
from core.training import jobs, loop
from tests.helpers import ROOT

pytestmark = pytest.mark.usefixtures("models_home")  # every test saves its models in its own folder


def learnable_data(task: str, n: int = 48):
    """Tiny tasks a 2-layer model learns in a few dozen steps, written with the tiny vocabulary."""
    rng = random.Random(0)
    nouns = "dog cat man bank river store milk city".split()
    examples = []
    for i in range(n):
        noun, good = rng.choice(nouns), i % 2 == 0
        if task == "sentence":
            examples.append(TextExample(f"the {noun} was {'good' if good else 'bad'}", None, "pos" if good else "neg"))
        elif task == "pair":
            examples.append(TextExample(f"the {noun} sat", f"it was {'good' if good else 'bad'}", "yes" if good else "no"))
        elif task == "token":
            words = ["the", noun, "went", "to", "paris" if good else "york", "city"]
            examples.append(TokenExample(tuple(words), tuple("LOC" if w in ("paris", "york") else "O" for w in words)))
        else:
            place = rng.choice(["paris", "york", "france"])
            context = f"the {noun} went to {place} . it was good ."
            examples.append(QAExample(f"where did the {noun} go ?", context, place, context.index(place)))
    return make_task_data(task, examples, None, "test")


def tiny_config(task, base, **overrides):
    values = dict(task=task, base_model=str(base), alias=f"tiny-{task}", epochs=6, batch_size=8, max_length=32,
                  doc_stride=8, learning_rate=5e-3, warmup_fraction=0.1, device="cpu", overwrite=True)
    return finetune.FineTuneConfig(**{**values, **overrides})


@pytest.mark.parametrize("task", ["sentence", "pair", "token", "qa"])
def test_each_task_trains_and_its_loss_falls(task, tiny_dirs):
    result = finetune.train(tiny_config(task, tiny_dirs["encoder"], epochs=12), learnable_data(task))
    losses = [h["loss"] for h in result.history]
    assert np.mean(losses[-5:]) < 0.7 * np.mean(losses[:5])
    assert any(k.startswith("val_") for k in result.history[-1])
    assert set(result.metrics) == ({"exact_match", "f1"} if task == "qa" else {"accuracy", "f1"})
    assert all(0.0 <= v <= 1.0 for v in result.metrics.values())


def test_checkpoint_round_trip_loads_by_alias_with_its_labels(tiny_dirs, models_home):
    data = learnable_data("token")
    finetune.train(tiny_config("token", tiny_dirs["encoder"], epochs=1), data)
    assert "tiny-token" in models.trained_models()
    loaded = models.load_model("tiny-token", device=torch.device("cpu"))
    assert loaded.capabilities.token_classification and loaded.capabilities.labels == data.labels
    meta = checkpoints.read_metadata(models_home / "tiny-token")
    assert meta["task"] == "token" and meta["kind"] == "finetune"
    metrics = json.loads((models_home / "tiny-token" / "metrics.json").read_text())
    assert metrics["final"] == meta["metrics"] and len(metrics["history"]) == 6


def test_training_never_touches_the_base_model(tiny_dirs):
    base = models.load_model(str(tiny_dirs["sentence"]), device=torch.device("cpu"))
    before = {n: p.clone() for n, p in base.model.named_parameters()}
    finetune.train(tiny_config("sentence", tiny_dirs["sentence"], epochs=1), learnable_data("sentence"))
    assert all(torch.equal(before[n], p) for n, p in base.model.named_parameters())


class Stop(Exception):
    pass


@pytest.mark.parametrize("failure", [jobs.Cancelled, Stop])
def test_cancel_or_crash_mid_run_keeps_the_previous_checkpoint(failure, tiny_dirs, models_home):
    data = learnable_data("sentence")
    finetune.train(tiny_config("sentence", tiny_dirs["encoder"], epochs=1), data)
    saved = checkpoints.read_metadata(models_home / "tiny-sentence")
    weights = (models_home / "tiny-sentence" / "model.safetensors").read_bytes()

    def stop_at_step_3(progress):
        if progress.step == 3:
            raise failure()

    with pytest.raises(failure):
        finetune.train(tiny_config("sentence", tiny_dirs["encoder"], epochs=2, seed=1), data, stop_at_step_3)
    assert checkpoints.read_metadata(models_home / "tiny-sentence") == saved
    assert (models_home / "tiny-sentence" / "model.safetensors").read_bytes() == weights
    assert models.load_model("tiny-sentence", device=torch.device("cpu")).capabilities.sequence_classification


def test_a_background_job_can_be_cancelled(tiny_dirs, models_home):
    cfg = tiny_config("sentence", tiny_dirs["encoder"], epochs=200)
    job = jobs.start_job("ft", lambda job: finetune.train(cfg, learnable_data("sentence"), job.report))
    while job.snapshot().step < 2:
        job.wait(0.05)
    job.cancel()
    snap = job.wait(60)
    assert snap.status == "cancelled" and snap.step < snap.total_steps
    # The step records carry the loss; under load an epoch's validation record may come last (no timing luck).
    assert any("loss" in record for record in snap.history)


def test_labels_sit_on_the_first_piece_of_each_word(tiny_dirs):
    tokenizer = BertTokenizerFast.from_pretrained(tiny_dirs["encoder"])
    words = ["unbelievable", "playing", "dog"]
    encoded = tokenizer(words, is_split_into_words=True)
    labels = align_labels(encoded.word_ids(), [1, 2, 3])
    tokens = encoded.tokens()
    assert len(tokens) > len(words) + 2  # some words really were split into pieces
    kept = [(t, label) for t, label in zip(tokens, labels) if label != IGNORE]
    assert kept == [("un", 1), ("play", 2), ("dog", 3)]
    assert all(label == IGNORE for t, label in zip(tokens, labels) if t.startswith("##") or t in ("[CLS]", "[SEP]"))


def test_qa_windows_map_answers_back_to_the_right_characters(tiny_dirs):
    tokenizer = BertTokenizerFast.from_pretrained(tiny_dirs["encoder"])
    filler = " ".join(["the dog sat on the mat ."] * 6)
    context = f"{filler} the man went to new york to buy milk . {filler}"
    example = QAExample("where did the man go ?", context, "new york", context.index("new york"))
    features = encode_qa(tokenizer, [example], max_length=32, stride=8)
    assert len(features.rows) > 2  # the passage really was split into overlapping windows
    holding = [i for i, row in enumerate(features.rows) if row["start_positions"] > 0]
    assert holding
    for i in holding:
        row, offsets = features.rows[i], features.offsets[i]
        span = context[offsets[row["start_positions"]][0] : offsets[row["end_positions"]][1]]
        assert span == "new york"
    # Logits that point at the gold positions decode to the gold text through the same offsets.
    starts, ends = [], []
    for row in features.rows:
        start, end = np.full(len(row["input_ids"]), -5.0), np.full(len(row["input_ids"]), -5.0)
        start[row["start_positions"]], end[row["end_positions"]] = 5.0, 5.0
        starts.append(start), ends.append(end)
    predictions = qa_predictions([example], features, starts, ends)
    assert predictions == ["new york"] and qa_metrics(predictions, [example]) == {"exact_match": 1.0, "f1": 1.0}


def test_validation_answers_are_the_four_ways_pages_answers_over_the_same_windows(tiny_dirs):
    """One QA decoder: the validation metric decodes a run's windows as the Four ways page decodes its own (the
    best span over every window, or no answer), given windows of the same length and overlap."""
    from core.tasks import qa
    from tests.helpers import LONG_PASSAGE

    loaded = models.load_model(str(tiny_dirs["qa"]), torch.device("cpu"))
    examples = [QAExample(question, LONG_PASSAGE, "paris", LONG_PASSAGE.index("paris"))
                for question in ("what is the capital of france?", "where did the dog sit?", "who sat on the mat?")]
    features = encode_qa(loaded.tokenizer, examples, max_length=48, stride=8)
    assert len(features.rows) > 2 * len(examples)  # every passage really was cut into several windows
    collate = finetune.collator_for("qa", loaded.tokenizer)
    starts, ends = [], []
    with torch.no_grad():
        for batch in finetune.batches(features, 4, collate):
            out = loaded.model(**{k: v for k, v in batch.items() if not k.endswith("_positions")})
            starts += list(out.start_logits.numpy())
            ends += list(out.end_logits.numpy())
    options = qa.QAOptions(window_len=48, stride=8)
    page = [qa.answer_question(loaded, e.question, e.context, options).text for e in examples]
    assert qa_predictions(examples, features, starts, ends) == page


def test_validation_says_no_answer_where_the_page_does(tiny_dirs):
    """Logits that point at [CLS] and nowhere in the passage decode to no answer, as on the page."""
    example = QAExample("who?", "the dog sat .", "", -1)
    features = encode_qa(BertTokenizerFast.from_pretrained(tiny_dirs["encoder"]), [example], max_length=32, stride=8)
    start = np.full(len(features.rows[0]["input_ids"]), -5.0)
    start[0] = 8.0
    assert qa_predictions([example], features, [start], [start.copy()]) == [""]
    assert qa_metrics([""], [example]) == {"exact_match": 1.0, "f1": 1.0}


def test_device_is_cuda_when_present_else_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert models.pick_device().type == "cuda" and models.pick_device("cpu").type == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert models.pick_device().type == "cpu"
    with pytest.raises(ValueError, match="no GPU"):
        models.pick_device("cuda")


def test_mixed_precision_only_on_a_cuda_gpu_with_bf16(monkeypatch):
    assert loop.mixed_precision_dtype(torch.device("cpu")) is None
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert loop.mixed_precision_dtype(torch.device("cuda")) == torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)  # a T4 or V100: fp16 + loss scaling
    assert loop.mixed_precision_dtype(torch.device("cuda")) == torch.float16


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_mixed_precision_steps_learn_and_save_fp32_weights(tiny_dirs, monkeypatch, dtype):
    """The GPU branch's autocast and loss scaler, run for real on the CPU (which supports both dtypes)."""
    monkeypatch.setattr(loop, "mixed_precision_dtype", lambda device: dtype)
    scaler = loop.loss_scaler(torch.device("cpu"))
    assert scaler.is_enabled() == (dtype == torch.float16)
    result = finetune.train(tiny_config("sentence", tiny_dirs["encoder"], epochs=8), learnable_data("sentence"))
    losses = [h["loss"] for h in result.history]
    assert np.isfinite(losses).all() and np.mean(losses[-5:]) < np.mean(losses[:5])
    saved = models.load_model("tiny-sentence", torch.device("cpu")).model
    assert {p.dtype for p in saved.parameters()} == {torch.float32}


@pytest.mark.gpu
def test_training_on_a_real_cuda_gpu(tiny_dirs):
    """Proves the GPU path where there is one (skipped, never passed vacuously, on a CPU-only machine)."""
    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU on this machine")
    result = finetune.train(tiny_config("sentence", tiny_dirs["encoder"], epochs=8, device="cuda"),
                            learnable_data("sentence"))
    assert result.device.startswith("cuda") and loop.mixed_precision_dtype(torch.device("cuda")) is not None
    losses = [h["loss"] for h in result.history]
    assert np.mean(losses[-5:]) < np.mean(losses[:5])


def test_bad_settings_are_refused():
    for bad in (dict(alias="bundled"), dict(alias="a/b"), dict(epochs=0), dict(max_length=4), dict(task="nsp")):
        with pytest.raises(ValueError):
            finetune.FineTuneConfig(**bad).validate()


def test_size_warning_for_an_obviously_large_job(tiny_dirs):
    data = learnable_data("sentence")
    small = finetune.FineTuneConfig(epochs=1, max_length=32)
    huge = finetune.FineTuneConfig(epochs=50, max_length=512)
    assert finetune_runs.size_warning(small, data, 22_000_000, torch.device("cpu")) is None
    assert "minutes" in finetune_runs.size_warning(huge, data, 340_000_000, torch.device("cpu"))


def test_before_after_predictions(tiny_dirs):
    finetune.train(tiny_config("sentence", tiny_dirs["encoder"], epochs=1), learnable_data("sentence"))
    base = finetune_runs.predict(models.load_model(str(tiny_dirs["encoder"]), torch.device("cpu")), "sentence", "a dog", None)
    tuned = finetune_runs.predict(models.load_model("tiny-sentence", torch.device("cpu")), "sentence", "a dog", None)
    assert not base.available and tuned.available
    assert set(tuned.probabilities) == {"neg", "pos"} and abs(sum(tuned.probabilities.values()) - 1) < 1e-5
    nsp = finetune_runs.predict(models.load_model(str(tiny_dirs["pretraining"]), torch.device("cpu")), "pair", "a", "b")
    assert nsp.available and "NSP head" in nsp.summary


@pytest.mark.slow
def test_exported_job_runs_under_torchrun_with_two_processes(tiny_dirs, tmp_path):
    """The export's launch command on CPU (gloo): two processes share every batch, rank 0 saves once."""
    import os
    import subprocess
    import sys

    cfg = finetune.FineTuneConfig(task="sentence", base_model=str(tiny_dirs["encoder"]), alias="ddp-run", epochs=1,
                                  max_length=32, device="cpu")
    (tmp_path / "job.json").write_text(finetune_runs.export_job(cfg, DataSpec())["job.json"])
    env = {**os.environ, "BERT_EXPLORER_HOME": str(tmp_path / "home"), "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "-m", "core",
                           "finetune", "--config", str(tmp_path / "job.json"), "--data", "demo", "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert sorted(r.get("alias", "helper") for r in results) == ["ddp-run", "helper"]
    assert checkpoints.is_complete(tmp_path / "home" / "models" / "ddp-run")


def test_suggested_sizes_cover_the_inputs(tiny_dirs, monkeypatch):
    tokenizer = BertTokenizerFast.from_pretrained(tiny_dirs["encoder"])
    data = learnable_data("qa")
    batch, length = finetune.suggested_sizes(tokenizer, data, torch.device("cpu"))
    longest = max(len(tokenizer(e.question, e.context)["input_ids"]) for e in data.train)
    assert batch == 16 and length >= 32 and length & (length - 1) == 0 and (length >= longest or length == 512)
    assert finetune.suggested_sizes(tokenizer, data, torch.device("cuda"))[0] == 32


def test_suggested_learning_rate_follows_the_paper_for_base_sized_models():
    assert finetune.suggested_learning_rate(768) == 5e-5 and finetune.suggested_learning_rate(1024) == 5e-5
    assert finetune.suggested_learning_rate(384) > 5e-5


def test_the_fine_tune_page_answers_a_long_passage_as_the_four_ways_page(tiny_dirs):
    """One QA decoder: the fine-tune page's prediction is the Four ways page's best answer, over every window."""
    from core.tasks import qa
    from tests.helpers import LONG_PASSAGE

    loaded = models.load_model(str(tiny_dirs["qa"]), torch.device("cpu"))
    question = "what is the capital of france?"
    expected = qa.answer_question(loaded, question, LONG_PASSAGE)
    assert len(expected.windows) > 1  # longer than the tiny model's 64 positions
    answer = finetune_runs.predict(loaded, "qa", question, LONG_PASSAGE).summary
    assert answer == expected.text if not expected.prefers_no_answer else answer.startswith("no answer")
    assert "empty" in finetune_runs.predict(loaded, "qa", question, "  ").summary


def test_curves_figure_has_round_ticks_in_separate_panels():
    """Issue 20: a second y axis on the loss chart got ticks such as 0.268 / 0.564 / 0.859."""
    from core.finetune import figures as finetune_figures

    history = [{"step": s, "loss": 2.0 / (s + 1)} for s in range(1, 30)] + [{"step": 29, "val_accuracy": 0.8}]
    fig = finetune_figures.curves_figure(history)
    assert all(getattr(fig.layout[name], "overlaying", None) is None for name in ("yaxis", "yaxis2"))
    assert fig.layout.yaxis2.domain[1] < fig.layout.yaxis.domain[0]  # validation below the loss
    assert fig.layout.yaxis2.dtick == 0.2 and tuple(fig.layout.yaxis2.range) == (0, 1.05)


@pytest.mark.parametrize("task", ["sentence", "token", "qa"])
def test_a_lora_run_learns_saves_a_plain_model_and_its_adapter(task, tiny_dirs, models_home):
    """lora_rank > 0: only the adapter and the head train; the saved folder is an ordinary checkpoint (the adapter
    merged) plus the adapter's files, and merging those into a fresh base gives the saved weights back."""
    from core.model import adapter

    cfg = tiny_config(task, tiny_dirs["encoder"], epochs=12, lora_rank=4, learning_rate=1e-2)
    result = finetune.train(cfg, learnable_data(task))
    losses = [h["loss"] for h in result.history]
    assert np.mean(losses[-5:]) < 0.8 * np.mean(losses[:5])
    folder = models_home / cfg.alias
    assert {adapter.ADAPTER_WEIGHTS, adapter.ADAPTER_CONFIG} <= {p.name for p in folder.iterdir()}
    loaded = models.load_model(cfg.alias, device=torch.device("cpu"))
    labels = loaded.capabilities.labels
    kwargs = dict(num_labels=len(labels)) if labels else {}
    fresh = TASK_MODEL_CLASSES[task].from_pretrained(tiny_dirs["encoder"], **kwargs)
    merged = adapter.apply(fresh, (folder / adapter.ADAPTER_WEIGHTS).read_bytes(), 4)
    saved = dict(loaded.model.named_parameters())
    for name, value in merged.named_parameters():
        assert torch.allclose(value, saved[name], atol=1e-6), name
    base = dict(TASK_MODEL_CLASSES[task].from_pretrained(tiny_dirs["encoder"], **kwargs).named_parameters())
    embeddings = [n for n in saved if "embeddings" in n]
    assert all(torch.equal(saved[n], base[n]) for n in embeddings)  # LoRA never touches the embeddings


def test_lora_settings_are_checked():
    with pytest.raises(ValueError, match="LoRA rank"):
        finetune.FineTuneConfig(lora_rank=-1).validate()
    with pytest.raises(ValueError, match="choose one"):
        finetune.FineTuneConfig(lora_rank=8, freeze_encoder=True).validate()
