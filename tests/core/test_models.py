"""Model loading: name resolution, capability detection, clear errors."""

import numpy as np
import pytest
import torch

from core import config
from core.model import card as model_card
from core.model import loading as models
from core.model.capabilities import Head, MissingHeadError, require_head


def test_tiny_pretraining_checkpoint_has_mlm_and_nsp(tiny_model):
    caps = tiny_model.capabilities
    assert caps.mlm and caps.nsp and not caps.qa
    assert tiny_model.config._attn_implementation == "eager"


@pytest.mark.parametrize("kind,flag", [("qa", "qa"), ("sentence", "sequence_classification"),
                                       ("token", "token_classification")])
def test_fine_tuned_heads_are_detected(tiny_dirs, kind, flag):
    loaded = models.load_model(str(tiny_dirs[kind]), device=torch.device("cpu"))
    assert getattr(loaded.capabilities, flag)
    assert not loaded.capabilities.mlm


def test_encoder_only_checkpoint_never_offers_random_heads(tiny_dirs):
    loaded = models.load_model(str(tiny_dirs["encoder"]), device=torch.device("cpu"))
    assert loaded.capabilities.names == []
    assert type(loaded.model).__name__ == "BertModel"
    with pytest.raises(ValueError, match="no trained masked-word prediction"):
        require_head(loaded, Head.MLM)


def test_bundled_model_is_a_real_six_layer_bert(bundled_model):
    card = model_card.model_card(bundled_model)
    assert (card.num_layers, card.hidden_size, card.num_heads, card.vocab_size) == (6, 384, 12, 30522)
    # all-MiniLM-L6-v2 ships no MLM/NSP head; the bundled delta (issue 4) adds both
    assert card.capabilities.mlm and card.capabilities.nsp and not card.capabilities.qa


@pytest.mark.parametrize("name,message", [
    ("", "no model named"),
    ("/no/such/folder", "does not exist"),
    ("certainly-not-a-model-xyz", "cannot be reached"),
])
def test_bad_model_names_give_clear_messages(name, message):
    with pytest.raises(models.ModelLoadError, match=message):
        models.load_model(name)


def test_folder_without_config_or_weights(tmp_path, tiny_dirs):
    with pytest.raises(models.ModelLoadError, match="no config.json"):
        models.load_model(str(tmp_path))
    (tmp_path / "config.json").write_text((tiny_dirs["encoder"] / "config.json").read_text())
    for f in ("tokenizer.json", "tokenizer_config.json"):
        (tmp_path / f).write_bytes((tiny_dirs["encoder"] / f).read_bytes())
    with pytest.raises(models.ModelLoadError, match="no weights"):
        models.load_model(str(tmp_path))


def test_corrupted_weights_give_a_message(tmp_path, tiny_dirs):
    for f in tiny_dirs["encoder"].iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(models.ModelLoadError, match="could not load"):
        models.load_model(str(tmp_path))


def test_non_bert_model_is_refused(tmp_path):
    from transformers import GPT2Config

    GPT2Config(n_layer=1, n_embd=16, n_head=2).save_pretrained(tmp_path)
    with pytest.raises(models.ModelLoadError, match="not a BERT-family encoder"):
        models.load_model(str(tmp_path))


def test_default_falls_back_to_bundled_offline_without_waiting(monkeypatch):
    monkeypatch.setattr(config, "DEFAULT_MODEL_ID", "bert-base-uncased")
    monkeypatch.setattr(models, "in_hub_cache", lambda _id: False)
    name, why = models.choose_default_model()
    assert name == config.BUNDLED_ALIAS and "cannot be reached" in why


def test_trained_models_are_aliases(tmp_path, monkeypatch, tiny_dirs):
    monkeypatch.setattr(config, "MODELS_HOME", tmp_path)
    target = tmp_path / "my-tiny"
    target.mkdir()
    for f in tiny_dirs["qa"].iterdir():
        (target / f.name).write_bytes(f.read_bytes())
    assert models.trained_models() == []  # not listed until its save is marked complete
    (target / "bert_explorer.json").write_text("{}")
    assert models.trained_models() == ["my-tiny"]
    assert models.resolve("my-tiny").kind == "alias"
    assert models.load_model("my-tiny", device=torch.device("cpu")).capabilities.qa


def test_a_model_saved_again_is_reloaded_by_the_app_cache(tmp_path, tiny_dirs):
    import os
    import shutil

    from ui import loaders

    folder = tmp_path / "resaved"
    shutil.copytree(tiny_dirs["qa"], folder)
    first = loaders.load_model(str(folder))
    assert loaders.load_model(str(folder)) is first  # one shared copy while the files are unchanged
    stamp = models.saved_version(str(folder))
    os.utime(folder / "config.json", ns=(1, 1))  # what a new atomic save looks like: a new config.json
    assert models.saved_version(str(folder)) != stamp
    assert loaders.load_model(str(folder)) is not first
    assert models.saved_version("no/such/model/anywhere") == "" and models.saved_version("bert-base-uncased") == ""


def test_an_electra_generator_offers_masked_word_prediction(tmp_path):
    from transformers import ElectraConfig, ElectraForMaskedLM

    from core.mlm import fill_mask as mlm
    from tests.helpers import TINY, write_tokenizer

    tokenizer = write_tokenizer(tmp_path / "electra-generator")
    config = ElectraConfig(vocab_size=len(tokenizer), embedding_size=16, **TINY)
    ElectraForMaskedLM(config).save_pretrained(tmp_path / "electra-generator")
    loaded = models.load_model(str(tmp_path / "electra-generator"), device=torch.device("cpu"))
    assert loaded.capabilities.mlm and not loaded.capabilities.nsp
    assert mlm.fill_mask(loaded, "the dog [MASK] on the mat").masks  # predictions from the generator's head
    from core.model import forward

    analysis = forward.analyze(loaded, "the dog sat on the mat")
    with torch.no_grad():
        full = loaded.model(**forward.model_inputs(loaded, analysis.inputs)).logits[0].numpy()
    rows = forward.mlm_logits_at(loaded, analysis, range(len(analysis.inputs)))  # the head alone, where shown
    np.testing.assert_allclose(rows, full, atol=1e-5)


def test_a_missing_head_the_fine_tune_page_can_train_is_a_typed_error(tiny_dirs):
    """The UI tells it apart by type (a link to the fine-tune page), not by the words of its message."""
    from core.tasks import classify, qa

    encoder = models.load_model(str(tiny_dirs["encoder"]), device=torch.device("cpu"))
    for call in (lambda: qa.answer_question(encoder, "what?", "the dog sat."), lambda: classify.classify(encoder, "a dog"),
                 lambda: classify.classify_tokens(encoder, "a dog"), lambda: classify.classify(encoder, "a", "b")):
        with pytest.raises(MissingHeadError, match="fine-tune page") as err:
            call()
        assert not err.value.head.pretraining
    assert issubclass(MissingHeadError, ValueError)  # every caller that catches ValueError still does


def test_a_missing_pretraining_head_points_to_the_pre_train_page_not_the_fine_tune_page(tiny_dirs):
    """The fine-tune page cannot train an MLM or NSP head (issue 20 item 5): the advice names the page that can."""
    from core.mlm import fill_mask as mlm
    from core.nsp import scoring as nsp

    encoder = models.load_model(str(tiny_dirs["encoder"]), device=torch.device("cpu"))
    for head in ("mlm", "nsp", "sop"):
        with pytest.raises(MissingHeadError, match="Pre-train page") as err:
            require_head(encoder, head)
        assert err.value.head.pretraining and err.value.head == head
        assert "fine-tune" not in str(err.value) and "bundled" in str(err.value)
    with pytest.raises(MissingHeadError) as err:
        mlm.fill_mask(encoder, "the dog [MASK]")
    assert err.value.head is Head.MLM
    with pytest.raises(MissingHeadError, match="Pre-train page") as err:
        nsp.sentence_head(encoder)
    assert err.value.head.pretraining and "once its" not in str(err.value)
