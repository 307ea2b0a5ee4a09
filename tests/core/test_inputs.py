"""Tokenized input: [CLS] A [SEP] B [SEP], segment ids, truncation notices, empty input."""

import pytest

from core.model.inputs import encode


def test_pair_layout_and_segments(tiny_model):
    enc = encode(tiny_model.tokenizer, "the dog sat", "a cat sat on the mat")
    assert enc.tokens[0] == "[CLS]" and enc.tokens[-1] == "[SEP]"
    first_sep = enc.tokens.index("[SEP]")
    assert set(enc.token_type_ids[: first_sep + 1]) == {0}
    assert set(enc.token_type_ids[first_sep + 1:]) == {1}
    assert [s for s in enc.sentence_ids if s is not None] == [0] * 3 + [1] * 6
    assert enc.special_mask == [t in ("[CLS]", "[SEP]") for t in enc.tokens]


def test_wordpiece_pieces_share_a_word(tiny_model):
    enc = encode(tiny_model.tokenizer, "unbelievable")
    assert enc.tokens[1:-1] == ["un", "##believ", "##able"]
    assert enc.word_ids[1:-1] == [0, 0, 0]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_sentence_a_is_a_clear_error(tiny_model, text):
    with pytest.raises(ValueError, match="sentence A is empty"):
        encode(tiny_model.tokenizer, text)


def test_blank_sentence_b_means_single_sentence(tiny_model):
    assert not encode(tiny_model.tokenizer, "the dog", "   ").is_pair


def test_long_input_is_truncated_visibly(tiny_model):
    enc = encode(tiny_model.tokenizer, "the dog sat " * 100, "a cat", max_length=64)
    assert len(enc) == 64 and enc.truncated
    assert "300" in enc.truncation_notice() or "truncated" in enc.truncation_notice()
    assert enc.tokens.count("[SEP]") == 2
