"""`python -m core pretrain` and `pretrain-compare` from a terminal."""

import json
from pathlib import Path

from core.cli import main as cli
from core.pretrain import data as D
from core.pretrain import runs


def test_cli_pretrain_from_scratch_and_compare(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runs.checkpoints.config, "MODELS_HOME", tmp_path)
    docs = tmp_path / "docs.txt"
    docs.write_text("\n---\n".join(runs.example_documents(6)))
    args = ["pretrain", str(docs), "--from-scratch", "--out", "cli-run", "--steps", "3", "--batch-size", "2",
            "--max-seq-len", "32", "--negatives", "same_document", "--json"]
    assert cli.main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["steps"] == 3 and Path(result["saved_to"]).name == "cli-run"
    assert cli.main(["pretrain-compare", "cli-run", "--docs", str(docs), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)["runs"]
    assert set(scores[0]["nsp_accuracy"]) == set(D.NEGATIVE_STRATEGIES)
    assert cli.main(["pretrain", str(tmp_path / "missing.txt"), "--out", "x", "--json"]) == 2


def test_cli_pretrain_lesson_prints_the_table_as_json(tmp_path, monkeypatch, capsys):
    from dataclasses import replace

    from core.pretrain import lesson

    monkeypatch.setattr(lesson, "LESSON_CONFIG", replace(lesson.LESSON_CONFIG, batch_size=2, max_seq_len=32))
    monkeypatch.setattr(lesson, "EVAL_PAIRS", 16)
    docs = tmp_path / "docs.txt"
    docs.write_text("\n---\n".join(runs.example_documents(8)))
    assert cli.main(["pretrain-lesson", str(docs), "--steps", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [r["negatives"] for r in result["runs"]] == list(D.NEGATIVE_STRATEGIES)
    assert set(result["runs"][0]["auc"]) == set(D.NEGATIVE_STRATEGIES) and result["findings"]
    assert result["pairs_per_kind"] == 16 and result["steps_per_run"] == 1
