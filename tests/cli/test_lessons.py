"""`python -m core lessons`: a step's question, the model's answer and the explanation as JSON; bad steps exit 2."""

import json

from core.cli import main as cli


def test_one_step_on_bundled_in_chinese(capsys):
    assert cli.main(["lessons", "--step", "4.1", "--model", "bundled", "--lang", "zh", "--json"]) == 0
    [step] = json.loads(capsys.readouterr().out)["steps"]
    assert step["answer"] == step["expected"] == "went" and step["as_expected"]
    assert "BERT 的第一选择是 “went”" in step["explanation"]


def test_every_step_on_a_tiny_model_answers(tiny_dirs, capsys):
    assert cli.main(["lessons", "--step", "3.1", "--model", str(tiny_dirs["pretraining"]), "--json"]) == 0
    [step] = json.loads(capsys.readouterr().out)["steps"]
    assert step["answer"] == "2 × 4" and not step["as_expected"]


def test_an_unknown_step_is_an_error(capsys):
    assert cli.main(["lessons", "--step", "7.1", "--json"]) == 2
    assert "no step '7.1'" in json.loads(capsys.readouterr().out)["error"]
