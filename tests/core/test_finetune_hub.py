"""Fine-tune data from Hugging Face `datasets`: hub-style columns and class ids, local folders, offline errors."""

import time

import datasets
import pytest
from datasets import ClassLabel, Dataset, Features, List, Value

from core.finetune import hub as finetune_hub
from core.finetune.data import QAExample, TextExample, TokenExample
from core.finetune.hub import HubDataRequest, load_hub_data
from core.finetune.sources import DataSpec, load_data
from core.model import loading as models
from core.render import markdown_literal
from tests.helpers import SENTENCES, glue_pairs, run_page


def conll_tokens() -> Dataset:
    """A CoNLL-2003-shaped dataset: tokens and a list of ClassLabel ner_tags."""
    features = Features({"tokens": List(Value("string")), "ner_tags": List(ClassLabel(names=["O", "B-PER", "I-PER"]))})
    return Dataset.from_dict({"tokens": [["Ada", "Lovelace", "wrote", "notes"]] * 12, "ner_tags": [[1, 2, 0, 0]] * 12},
                             features=features)


def squad_v2() -> Dataset:
    """A SQuAD v2-shaped dataset: answers as {"text": [...], "answer_start": [...]}, empty for no answer."""
    context = "Ada moved to Lisbon in 1990. Bruno works as a pilot."
    answers = [{"text": ["Lisbon"], "answer_start": [13]}, {"text": [], "answer_start": []}] * 6
    questions = ["Where did Ada move to?", "What is Ada's dog called?"] * 6
    return Dataset.from_dict({"id": [str(i) for i in range(12)], "question": questions, "context": [context] * 12,
                              "answers": answers})


def test_glue_style_pairs_use_label_names_and_the_validation_split(saved):
    data = load_hub_data("pair", HubDataRequest(saved(glue_pairs(), "mrpc"), max_examples=20))
    assert data.labels == ("equivalent", "not_equivalent")
    assert len(data.train) == 20 and len(data.validation) == 4  # the dataset's own validation split, sampled
    assert all(isinstance(e, TextExample) and e.text_b for e in data.train)
    assert all(e.text_a in SENTENCES and e.label in data.labels for e in data.train + data.validation)


def test_token_tags_become_names_aligned_to_words(saved):
    data = load_hub_data("token", HubDataRequest(saved(conll_tokens(), "conll")))
    assert data.labels == ("B-PER", "I-PER", "O")
    first = data.train[0]
    assert isinstance(first, TokenExample) and first.tags == ("B-PER", "I-PER", "O", "O")
    assert len(data.validation) >= 1  # no validation split: 10% held out


def test_squad_answers_and_unanswerable_questions(saved):
    data = load_hub_data("qa", HubDataRequest(saved(squad_v2(), "squad")))
    examples = data.train + data.validation
    answered = [e for e in examples if e.answer_start >= 0]
    assert answered and all(e.context[e.answer_start:e.answer_start + len(e.answer_text)] == "Lisbon" for e in answered)
    assert any(isinstance(e, QAExample) and e.answer_start == -1 and e.answer_text == "" for e in examples)


def test_a_folder_of_csv_files_and_column_overrides(tmp_path):
    folder = tmp_path / "reviews"
    folder.mkdir()
    rows = "body,stars\n" + "".join(f"{s},{'5' if 'good' in s else '1'}\n" for s in SENTENCES)
    (folder / "train.csv").write_text(rows)
    with pytest.raises(ValueError, match=r"no column for 'text', 'label'.*has body, stars.*text=<column>"):
        load_hub_data("sentence", HubDataRequest(str(folder)))
    data = load_hub_data("sentence", HubDataRequest(str(folder), columns="text=body, label=stars"))
    assert data.labels == ("1", "5") and len(data.train) + len(data.validation) == len(SENTENCES)


@pytest.mark.parametrize("request_kwargs, message", [
    (dict(train_split="test"), r"\[test\]: row 1 has no label \(-1\).*pick another split"),
    (dict(train_split="dev"), r"no split 'dev': it has train, validation, test"),
    (dict(columns="text review"), r"write role=column"),
    (dict(columns="colour=label"), r"write role=column"),
    (dict(max_examples=2), r"at least 4 examples"),
])
def test_bad_requests_get_clear_messages(saved, request_kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_hub_data("pair", HubDataRequest(saved(glue_pairs(), "mrpc"), **request_kwargs))


def test_offline_mode_answers_at_once_from_the_cache_or_with_a_message():
    started = time.monotonic()
    with pytest.raises(ValueError, match="neither reachable on the Hugging Face hub nor in the local datasets cache"):
        load_hub_data("sentence", HubDataRequest("nyu-mll/glue", "sst2"))
    assert time.monotonic() - started < 10


def test_unreachable_hub_fails_fast_without_calling_datasets(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(models, "hub_reachable", lambda: False)
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: pytest.fail("must not try the network"))
    with pytest.raises(ValueError, match="hub is not reachable.*upload a file, use the demo set"):
        load_hub_data("sentence", HubDataRequest("stanfordnlp/imdb"))


def test_reachable_hub_loads_the_id_and_configuration(monkeypatch):
    calls = []
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(models, "hub_reachable", lambda: True)
    monkeypatch.setattr(datasets, "load_dataset", lambda *args: calls.append(args) or glue_pairs())
    data = load_data("pair", DataSpec("hf:nyu-mll/glue", hf_config="mrpc", max_examples=8))
    assert calls == [("nyu-mll/glue", "mrpc")]
    assert len(data.train) == 8 and data.source == "Hugging Face dataset nyu-mll/glue/mrpc (train)"
    assert finetune_hub.ROLE_COLUMNS["text_a"][1] == "sentence1"


def finetune_page():
    return run_page("pages/finetune.py", {"model": "bundled"})


def test_page_reads_a_dataset_folder_and_reports_a_bad_id(saved):
    at = finetune_page()
    at.selectbox(key="finetune_task").set_value("pair").run()
    at.radio(key="finetune_source").set_value("Hugging Face dataset").run()
    assert not at.exception and at.button(key="finetune_start").disabled  # nothing typed yet
    at.text_input(key="finetune_hub_id").set_value("nyu-mll/glue").run()
    assert not at.exception and "nor in the local datasets cache" in at.error[0].value
    at.text_input(key="finetune_hub_id").set_value(saved(glue_pairs(), "mrpc")).run()
    assert not at.exception and not at.error and not at.button(key="finetune_start").disabled
    labels = ", ".join(map(markdown_literal, ["equivalent", "not_equivalent"]))  # drawn as literal Markdown
    assert any(f"40 training / 10 validation examples · labels: {labels}" in c.value for c in at.caption)


def test_changing_the_task_renames_the_default_model_name_only():
    at = finetune_page()
    at.selectbox(key="finetune_task").set_value("pair").run()
    assert at.text_input(key="finetune_alias").value == "ft-pair"
    at.text_input(key="finetune_alias").set_value("my-model").run()
    at.selectbox(key="finetune_task").set_value("qa").run()
    assert at.text_input(key="finetune_alias").value == "my-model"
