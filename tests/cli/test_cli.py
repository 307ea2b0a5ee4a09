"""`python -m core`: JSON output and clear errors, through the same core functions."""

import json

from core.cli.args import merge_sentences
from core.cli.main import build_parser, main


def run(capsys, *argv):
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_tokenize_json(capsys, tiny_dirs):
    code, out = run(capsys, "tokenize", "--model", str(tiny_dirs["pretraining"]), "--a", "the dog", "--b", "a cat", "--json")
    assert code == 0
    assert [t["token"] for t in out["tokens"]] == ["[CLS]", "the", "dog", "[SEP]", "a", "cat", "[SEP]"]
    assert [t["segment"] for t in out["tokens"]] == [0, 0, 0, 0, 1, 1, 1]


def test_analyze_json_reports_shapes_and_nsp(capsys, tiny_dirs):
    code, out = run(capsys, "analyze", "--model", str(tiny_dirs["pretraining"]), "--a", "the dog", "--json")
    assert code == 0
    assert out["shapes"]["attentions"] == [2, 4, 4, 4]
    assert 0.0 <= out["p_is_next"] <= 1.0


def test_models_lists_the_bundled_model(capsys):
    code, out = run(capsys, "models", "--json")
    assert code == 0
    assert any(m["name"] == "bundled" and m["layers"] == 6 for m in out["models"])


def test_models_lists_the_ready_made_task_models_with_their_real_heads(capsys):
    code, out = run(capsys, "models", "--json")
    heads = {m["name"]: m.get("heads") for m in out["models"]}
    assert code == 0
    assert "sentence classification" in heads["bundled-sentiment"]
    assert "token classification" in heads["bundled-ner"]
    assert "question answering (start/end)" in heads["bundled-qa"]
    assert "next-sentence prediction (NSP)" in heads["bundled"]  # the pair task's head


def test_errors_are_json_with_exit_code_2(capsys):
    code, out = run(capsys, "analyze", "--model", "no-such-model-xyz", "--a", "hi", "--json")
    assert code == 2 and "cannot be reached" in out["error"]
    code, out = run(capsys, "analyze", "--model", "bundled", "--a", "   ", "--json")
    assert code == 2 and "empty" in out["error"]


def test_an_unexpected_runtime_failure_is_reported_without_a_traceback(capsys, monkeypatch):
    from core.cli import basic as cli_basic

    def out_of_memory(_name):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2 GiB\n(long details)")

    monkeypatch.setattr(cli_basic, "load_for_cli", out_of_memory)
    code, out = run(capsys, "analyze", "--a", "hi", "--json")
    assert code == 1 and out["error"] == "the command failed: RuntimeError: CUDA out of memory. Tried to allocate 2 GiB"


TEXT_COMMANDS = ("tokenize", "analyze", "embeddings", "attention", "fill-mask", "mlm-score", "mask-sim",
                 "classify", "tokens", "qa", "nsp")


def test_every_text_command_reads_sentences_positionally_or_as_flags(capsys, tiny_dirs):
    for command in TEXT_COMMANDS:
        for argv in ([command, "--a", "the dog", "--json"], [command, "the dog", "--json"]):
            args = build_parser().parse_args(argv)
            merge_sentences(args)
            assert args.a == "the dog", command
    code, by_flags = run(capsys, "tokenize", "--model", str(tiny_dirs["pretraining"]), "--a", "the dog", "--b", "a cat",
                         "--json")
    code, by_position = run(capsys, "tokenize", "--model", str(tiny_dirs["pretraining"]), "the dog", "a cat", "--json")
    assert code == 0 and by_flags == by_position


def test_a_missing_or_doubled_sentence_is_a_clear_error(capsys):
    code, out = run(capsys, "analyze", "--json")
    assert code == 2 and out["error"].startswith('give sentence A: python -m core analyze "A"')
    code, out = run(capsys, "classify", "one", "--a", "two", "--json")
    assert code == 2 and "sentence A given twice" in out["error"]
    code, out = run(capsys, "fill-mask", "--json")
    assert code == 2 and "or --batch FILE" in out["error"]
