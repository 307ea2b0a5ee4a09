"""The one forward pass: invariants, parity with a plain Hugging Face forward, caching."""

import numpy as np
import pytest
import torch

from core.model import forward
from core.model import loading as models


def test_shapes_match_the_config(tiny_model):
    a = forward.analyze(tiny_model, "the dog sat", "a cat")
    cfg, seq = tiny_model.config, len(a.inputs)
    assert a.hidden_states.shape == (cfg.num_hidden_layers + 1, seq, cfg.hidden_size)
    assert a.attentions.shape == (cfg.num_hidden_layers, cfg.num_attention_heads, seq, seq)
    assert forward.mlm_logits_at(tiny_model, a, range(seq)).shape == (seq, cfg.vocab_size)
    assert a.next_sentence_logits.shape == (2,)


def test_attention_rows_sum_to_one(tiny_model):
    a = forward.analyze(tiny_model, "the bank of the river", "i went to the bank")
    np.testing.assert_allclose(a.attentions.sum(-1), 1.0, atol=1e-5)


def test_three_embeddings_sum_then_layernorm_equal_embedding_output(bundled_model):
    a = forward.analyze(bundled_model, "The bank of the river.", "I deposited cash.")
    summed = torch.tensor(a.token_embeddings + a.segment_embeddings + a.position_embeddings)
    normed = bundled_model.encoder.embeddings.LayerNorm(summed).detach().numpy()
    np.testing.assert_allclose(normed, a.embedding_output, atol=1e-5)
    np.testing.assert_array_equal(a.embedding_output, a.hidden_states[0])


def test_parity_with_plain_hugging_face_forward(tiny_model):
    a = forward.analyze(tiny_model, "the dog sat", "a cat")
    inputs = tiny_model.tokenizer("the dog sat", "a cat", return_tensors="pt")
    with torch.no_grad():
        out = tiny_model.model(**inputs, output_attentions=True, output_hidden_states=True)
    np.testing.assert_allclose(a.hidden_states[-1], out.hidden_states[-1][0].numpy(), atol=1e-5)
    np.testing.assert_allclose(a.attentions[0], out.attentions[0][0].numpy(), atol=1e-6)
    np.testing.assert_allclose(a.next_sentence_logits, out.seq_relationship_logits[0].numpy(), atol=1e-5)


def test_the_mlm_head_runs_only_where_asked_and_gives_the_full_heads_numbers(bundled_model):
    """The analysis pass skips the vocabulary projection; at any position the on-demand rows are the logits of the
    plain Hugging Face forward with its full head (issue 19: no unseen work, identical results)."""
    a = forward.analyze(bundled_model, "The cat sat on the [MASK].", "It was very [MASK].")
    inputs = forward.model_inputs(bundled_model, a.inputs)
    with torch.no_grad():
        full = bundled_model.model(**inputs).prediction_logits[0].numpy()
    positions = list(range(len(a.inputs)))
    rows = forward.mlm_logits_at(bundled_model, a, positions)
    np.testing.assert_allclose(rows, full, atol=1e-4, rtol=1e-5)
    assert (rows.argmax(-1) == full.argmax(-1)).all()
    np.testing.assert_allclose(forward.mlm_logits_at(bundled_model, a, [7, 2]), full[[7, 2]], atol=1e-4, rtol=1e-5)
    np.testing.assert_array_equal(a.next_sentence_logits, bundled_model.model(**inputs).seq_relationship_logits[0]
                                  .detach().numpy())


def test_heads_absent_from_the_checkpoint_yield_nothing(tiny_dirs):
    encoder_only = models.load_model(str(tiny_dirs["encoder"]), device=torch.device("cpu"))
    a = forward.analyze(encoder_only, "Hello world")
    assert a.next_sentence_logits is None and a.start_logits is None
    with pytest.raises(ValueError, match="no MLM head"):
        forward.mlm_logits_at(encoder_only, a, [1])


def test_second_request_runs_no_forward_pass(tiny_model):
    forward.analyze(tiny_model, "the cat sat on the mat")
    before = forward.forward_pass_count()
    again = forward.analyze(tiny_model, "  the cat sat on the mat  ")
    assert forward.forward_pass_count() == before
    assert again.inputs.text_a == "the cat sat on the mat"


def test_qa_and_classification_logits_come_from_real_heads(tiny_dirs):
    from core.model import loading as models

    qa = models.load_model(str(tiny_dirs["qa"]), device=torch.device("cpu"))
    a = forward.analyze(qa, "who sat", "the cat sat")
    assert a.start_logits.shape == a.end_logits.shape == (len(a.inputs),)
    tok = models.load_model(str(tiny_dirs["token"]), device=torch.device("cpu"))
    assert forward.analyze(tok, "the dog").token_logits.shape[1] == 3


def test_encode_for_is_the_input_analyze_runs_without_a_forward_pass(tiny_model):
    long_a = " ".join(["the dog sat on the mat"] * 20)  # past the tiny model's 64 positions
    for a, b, max_length in (("the dog", "the cat", None), (long_a, "the cat", None), ("the dog sat", None, 4)):
        before = forward.forward_pass_count()
        encoded = forward.encode_for(tiny_model, a, b, max_length)
        assert forward.forward_pass_count() == before
        assert encoded == forward.analyze(tiny_model, a, b, max_length).inputs
    assert forward.max_input_length(tiny_model) == 64 and encoded.max_length == 4
