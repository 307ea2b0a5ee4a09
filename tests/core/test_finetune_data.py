"""Fine-tune data: file parsing per task, clear messages for malformed files, validation split, demo sets."""

import json

import pytest

from core.finetune import demo
from core.finetune.data import (
    QAExample,
    TextExample,
    load_examples,
    make_task_data,
    split_validation,
)
from core.finetune.demo import BUILDERS, demo_data


def test_csv_tsv_and_jsonl_give_the_same_examples():
    csv = b"text,label\nthe movie was good,positive\n\"bad, bad movie\",negative\n"
    tsv = b"text\tlabel\nthe movie was good\tpositive\nbad, bad movie\tnegative\n"
    jsonl = b'{"text": "the movie was good", "label": "positive"}\n\n{"text": "bad, bad movie", "label": "negative"}\n'
    parsed = [load_examples("sentence", name, data) for name, data in
              (("a.csv", csv), ("a.tsv", tsv), ("a.jsonl", jsonl))]
    assert parsed[0] == parsed[1] == parsed[2] == [
        TextExample("the movie was good", None, "positive"), TextExample("bad, bad movie", None, "negative")]


def test_token_rows_accept_strings_or_lists():
    from_csv = load_examples("token", "t.csv", b"tokens,tags\nparis is big,B-LOC O O\n")
    from_jsonl = load_examples("token", "t.jsonl", json.dumps({"tokens": ["paris", "is", "big"],
                                                                "tags": ["B-LOC", "O", "O"]}).encode())
    assert from_csv == from_jsonl and from_csv[0].words == ("paris", "is", "big")


def test_qa_answer_start_is_found_or_checked():
    found = load_examples("qa", "q.csv", b"question,context,answer\nwhere?,he went to paris.,paris\n")[0]
    assert found.context[found.answer_start:].startswith("paris")
    no_answer = load_examples("qa", "q.csv", b"question,context,answer\nwho?,he went to paris.,\n")[0]
    assert no_answer.answer_start == -1


def test_squad_json_is_read():
    squad = {"data": [{"paragraphs": [{"context": "The cat sat on the mat.", "qas": [
        {"question": "Where did the cat sit?", "answers": [{"text": "on the mat", "answer_start": 12}]},
        {"question": "Who?", "is_impossible": True, "answers": []}]}]}]}
    examples = load_examples("qa", "train.json", json.dumps(squad).encode())
    assert examples[0] == QAExample("Where did the cat sit?", "The cat sat on the mat.", "on the mat", 12)
    assert examples[1].answer_start == -1


@pytest.mark.parametrize("task, name, content, words", [
    ("sentence", "a.csv", b"sentence,label\nhello,x\n", ["missing column 'text'", "sentence"]),
    ("pair", "a.csv", b"text_a,label\nhello,x\n", ["missing column 'text_b'"]),
    ("token", "a.csv", b"tokens,tags\nparis is big,B-LOC O\n", ["row 1", "3 tokens but 2 tags"]),
    ("sentence", "a.jsonl", b'{"text": "a", "label": "x"}\n{oops\n', ["line 2", "not valid JSON"]),
    ("sentence", "a.csv", b"text,label\nhello,\n", ["row 1", "empty"]),
    ("qa", "a.csv", b"question,context,answer,answer_start\nq,the cat,dog,0\n", ["row 1", "'dog'", "not in the context"]),
    ("qa", "a.json", b'{"version": 1}', ["SQuAD"]),
    ("sentence", "a.xlsx", b"", ["unsupported file type .xlsx"]),
    ("sentence", "a.json", b"{}", ["SQuAD", "CSV"]),
    ("sentence", "a.csv", b"text,label\n", ["no data rows"]),
    # An unquoted comma would shift the label silently; a short row would lose it.
    ("sentence", "a.csv", b"text,label\nI loved it, really,positive\n", ["a.csv: row 1 has 3 fields", "double quotes"]),
    ("sentence", "a.tsv", b"text\tlabel\nno label here\n", ["row 1 has 1 field but", "a tab"]),
    ("sentence", "a.csv", b'text,label\n"never closed,x\n' + b"y" * 140_000, ["a.csv: line", "unclosed quote"]),
    ("sentence", "a.csv", b"\x89PNG\r\n\x1a\n\x00\x00", ["a.csv looks like a PNG image"]),
    ("sentence", "a.csv", "text,label\ncafé,x\n".encode("latin-1"), ["a.csv is not UTF-8 text", "line 2"]),
    ("qa", "a.json", b"{oops", ["a.json: not valid JSON (line 1", "SQuAD"]),
    ("qa", "a.json", b'{"data": [1, 2]}', ["'paragraphs' must be a list of objects"]),
    ("qa", "a.json", b'{"data": [{"paragraphs": [{"context": "x", "qas": "what?"}]}]}', ["'qas' must be a list"]),
    ("qa", "a.json", b'{"data": [{"paragraphs": [{"context": "x", "qas": [{"question": "q", "answers": [{}]}]}]}]}',
     ["row 1", "'answer'"]),
    ("qa", "a.json", b"\x89PNG\r\n\x1a\n\x00", ["a.json looks like a PNG image"]),
    ("qa", "a.csv", b"question,context,answer,answer_start\nq,the cat,cat,four\n", ["answer_start 'four'", "whole number"]),
])
def test_malformed_files_say_what_is_wrong(task, name, content, words):
    with pytest.raises(ValueError) as err:
        load_examples(task, name, content)
    for word in words:
        assert word in str(err.value)


def test_validation_split_is_reproducible_and_disjoint():
    examples = [TextExample(f"text {i}", None, "ab"[i % 2]) for i in range(50)]
    train, valid = split_validation(examples, seed=3)
    assert (train, valid) == split_validation(examples, seed=3)
    assert len(valid) == 5 and not set(train) & set(valid) and len(train) + len(valid) == 50


def test_too_few_examples_or_one_label_are_refused():
    with pytest.raises(ValueError, match="at least"):
        split_validation([TextExample("a", None, "x")] * 2)
    with pytest.raises(ValueError, match="two or more"):
        make_task_data("sentence", [TextExample(f"t{i}", None, "x") for i in range(10)], None, "test")


@pytest.mark.parametrize("task", list(BUILDERS))
def test_demo_sets_are_real_and_consistent(task):
    data = demo_data(task)
    assert len(data.train) > 100 and data.validation and data.source.startswith("demo:")
    if task == "qa":
        assert all(e.context[e.answer_start:e.answer_start + len(e.answer_text)] == e.answer_text
                   for e in data.train + data.validation)
    else:
        assert len(data.labels) >= 2


def test_demo_sets_are_the_everyday_tasks_a_learner_recognises():
    """Issue 17: sentiment, CoNLL named entities, next-sentence story pairs and QA with no-answer questions."""
    assert demo_data("sentence").labels == ("negative", "positive")
    assert set(demo_data("token").labels) == {"O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"}
    assert demo_data("pair").labels == ("next", "not next")
    qa = demo_data("qa").train
    assert any(e.answer_start == -1 and e.answer_text == "" for e in qa) and any(e.answer_start >= 0 for e in qa)


def test_entity_tags_follow_conll():
    """A slot's words are B-/I- of its kind; CoNLL leaves the article out ("the United Nations" → O B-ORG I-ORG)."""
    tokens, tags = demo.tagged_words("{PER} visited {ORG} in {LOC} .",
                                     {"PER": "Ada Okafor", "ORG": "the United Nations", "LOC": "New York"},
                                     {"PER": "PER", "ORG": "ORG", "LOC": "LOC"})
    assert tokens == ["Ada", "Okafor", "visited", "the", "United", "Nations", "in", "New", "York", "."]
    assert tags == ["B-PER", "I-PER", "O", "O", "B-ORG", "I-ORG", "O", "B-LOC", "I-LOC", "O"]
    for example in demo.token_demo(seed=1, size=300):  # every generated sentence is valid BIO
        assert len(example.words) == len(example.tags)
        for before, tag in zip(("O", *example.tags), example.tags):
            assert not tag.startswith("I-") or before[2:] == tag[2:]


def test_qa_answers_are_the_spans_they_claim():
    for example in demo.qa_demo(seed=2, size=500):
        if example.answer_start >= 0:
            assert example.context[example.answer_start:example.answer_start + len(example.answer_text)] == example.answer_text
        else:
            assert example.answer_text == ""


def test_a_template_slot_is_filled_and_its_span_known():
    text, spans = demo.fill("{p} moved to {city}.", {"p": "Ada", "city": "Lima"})
    assert text == "Ada moved to Lima." and text[slice(*spans["city"])] == "Lima" and spans["p"] == (0, 3)
