"""core/model/inputs.py word_positions: the one word grouping gives what each of the four copies gave."""

import pytest
from transformers import BertTokenizerFast

from core.attention import maps as attention
from core.embeddings import contextual
from core.mlm import fill_mask as mlm
from core.model.inputs import encode, word_positions
from core.pretrain import data as pretrain_data

TEXTS = [("unbelievable playing dogs", "the cat sat"), ("the dogs", None), ("playing " * 40, "unbelievable " * 30),
         ("paris, new york! what?", "un-believ-able")]


def _old_attention(encoded):  # core/attention.py word_groups before: consecutive pieces of one word
    groups, previous_key = [], None
    for i, (sentence, word) in enumerate(zip(encoded.sentence_ids, encoded.word_ids)):
        key = None if sentence is None or word is None else (sentence, word)
        if key is not None and key == previous_key:
            groups[-1].append(i)
        else:
            groups.append([i])
        previous_key = key
    return groups


def _old_mlm_pieces(encoded, position):  # core/mlm.py word_pieces before
    if encoded.special_mask[position] or encoded.word_ids[position] is None:
        return [position]
    key = (encoded.sentence_ids[position], encoded.word_ids[position])
    return [i for i in range(len(encoded)) if (encoded.sentence_ids[i], encoded.word_ids[i]) == key]


def _old_pretraining(word_ids, sequence_ids, whole_word):  # core/pretraining_data.py _word_groups before
    groups = {}
    for position, (word, sequence) in enumerate(zip(word_ids, sequence_ids)):
        if word is None:
            continue
        groups.setdefault((sequence, word) if whole_word else (position,), []).append(position)
    return list(groups.values())


@pytest.fixture(scope="module")
def tokenizer(tiny_dirs):
    return BertTokenizerFast.from_pretrained(tiny_dirs["encoder"])


@pytest.mark.parametrize("text_a, text_b", TEXTS)
def test_every_view_groups_words_as_before(tokenizer, text_a, text_b):
    encoded = encode(tokenizer, text_a, text_b, max_length=48)
    groups = word_positions(encoded.sentence_ids, encoded.word_ids)
    assert any(len(g) > 1 for g in groups)  # some words really are several pieces
    assert attention.word_groups(encoded)[0] == _old_attention(encoded) == groups
    assert contextual.group_tokens(encoded, merge_words=True) == groups
    assert all(mlm.word_pieces(encoded, i) == _old_mlm_pieces(encoded, i) for i in range(len(encoded)))
    for whole_word in (True, False):
        assert (pretrain_data._word_groups(encoded.word_ids, encoded.sentence_ids, whole_word)
                == _old_pretraining(encoded.word_ids, encoded.sentence_ids, whole_word))


def _old_word_text(encoded, group):  # core/attention/maps.py _group_text, contextual.word_label, mlm.word_text before
    first, last = group[0], group[-1]
    sentence = encoded.sentence_ids[first]
    if sentence is None or encoded.offsets[first] == encoded.offsets[last] == (0, 0):
        return encoded.tokens[first]
    text = encoded.text_a if sentence == 0 else encoded.text_b
    return text[encoded.offsets[first][0]:encoded.offsets[last][1]]


@pytest.mark.parametrize("text_a, text_b", TEXTS)
def test_the_typed_word_carries_what_the_three_text_copies_gave(tokenizer, text_a, text_b):
    encoded = encode(tokenizer, text_a, text_b, max_length=48)
    groups = word_positions(encoded.sentence_ids, encoded.word_ids)
    assert [list(w.positions) for w in encoded.words] == groups
    assert [w.text for w in encoded.words] == [_old_word_text(encoded, g) for g in groups]
    for word in encoded.words:
        assert word.special == encoded.special_mask[word.positions[0]]
        assert all(encoded.word_at(i) is word for i in word.positions)
        if not word.special:
            assert word.index == encoded.word_ids[word.positions[0]] and word.sentence in (0, 1)
            assert (word.start, word.end) == (encoded.offsets[word.positions[0]][0], encoded.offsets[word.positions[-1]][1])
