"""Shared fixtures: tiny random BERT checkpoints built in memory and saved to a temp folder (no network)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never touch the network
# Models trained by tests (and by the servers they start) go to a throw-away folder, never the user's.
os.environ.setdefault("BERT_EXPLORER_HOME", tempfile.mkdtemp(prefix="bert-explorer-tests-"))
# The tiny models tests build live in pytest's temporary folders: a browser user may name folders there.
os.environ.setdefault("BERT_EXPLORER_DATA_ROOTS", tempfile.gettempdir())

import torch  # noqa: E402
from transformers import (  # noqa: E402
    AlbertConfig,
    AlbertForPreTraining,
    BertForPreTraining,
    BertForQuestionAnswering,
    BertForSequenceClassification,
    BertForTokenClassification,
    BertModel,
)

from core.model import loading as models  # noqa: E402
from tests.helpers import TINY, save_tiny, write_tokenizer  # noqa: E402


@pytest.fixture(scope="session")
def tiny_dirs(tmp_path_factory) -> dict[str, Path]:
    """Folders of tiny checkpoints: pre-training heads, bare encoder, QA, sentence and token classification."""
    root = tmp_path_factory.mktemp("tiny-models")
    return {
        "pretraining": save_tiny(root / "pretraining", BertForPreTraining),
        "encoder": save_tiny(root / "encoder", BertModel),
        "qa": save_tiny(root / "qa", BertForQuestionAnswering),
        "sentence": save_tiny(root / "sentence", BertForSequenceClassification, num_labels=2,
                              id2label={0: "negative", 1: "positive"}, label2id={"negative": 0, "positive": 1}),
        "token": save_tiny(root / "token", BertForTokenClassification, num_labels=3,
                           id2label={0: "O", 1: "B-LOC", 2: "I-LOC"}, label2id={"O": 0, "B-LOC": 1, "I-LOC": 2}),
    }


@pytest.fixture(scope="session")
def tiny_model(tiny_dirs) -> models.LoadedModel:
    """A tiny BERT with (random but saved, hence 'real') MLM and NSP heads."""
    return models.load_model(str(tiny_dirs["pretraining"]), device=torch.device("cpu"))


@pytest.fixture(scope="session")
def bundled_model() -> models.LoadedModel:
    """The bundled offline model (real pretrained weights)."""
    return models.load_model("bundled", device=torch.device("cpu"))


@pytest.fixture(scope="module")
def app_url():
    """A Streamlit server of the app on loopback, shared by one browser-test module (Chromium required)."""
    from tests.helpers import require_chromium, streamlit_server

    require_chromium()
    with streamlit_server() as url:
        yield url


@pytest.fixture
def models_home(tmp_path, monkeypatch):
    """Models the test trains are saved in its own folder."""
    from core import config

    monkeypatch.setattr(config, "MODELS_HOME", tmp_path / "models")
    return tmp_path / "models"


@pytest.fixture(scope="module")
def sop_model(tmp_path_factory) -> models.LoadedModel:
    """A tiny ALBERT with a saved (hence real) sentence-order head."""
    folder = tmp_path_factory.mktemp("tiny-albert")
    tokenizer = write_tokenizer(folder)
    torch.manual_seed(0)
    AlbertForPreTraining(AlbertConfig(vocab_size=len(tokenizer), embedding_size=16, **TINY)).save_pretrained(folder)
    return models.load_model(str(folder), device=torch.device("cpu"))


@pytest.fixture
def saved(tmp_path):
    """Save a dataset (or DatasetDict) to disk and return the folder, as a user's `save_to_disk` output."""
    def save(dataset, name: str):
        folder = tmp_path / name
        dataset.save_to_disk(str(folder))
        return str(folder)
    return save

