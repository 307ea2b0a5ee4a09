"""`python -m core nsp` (one pair, --batch FILE) and `nsp-experiment` as JSON."""

from __future__ import annotations

import json

import pytest

from core.cli import main as cli
from core.nsp.experiment import KINDS
from tests.helpers import NSP_A, NSP_B, NSP_DOCS


def test_cli_nsp_prints_the_stable_shape(tiny_dirs, capsys):
    assert cli.main(["nsp", NSP_A, NSP_B, "--model", str(tiny_dirs["pretraining"]), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"model", "is_next", "not_next", "logits"} <= out.keys()
    assert isinstance(out["model"], str) and len(out["logits"]) == 2
    assert out["is_next"] + out["not_next"] == pytest.approx(1.0, abs=1e-6)


def test_cli_batch_prints_one_object_per_line(tiny_dirs, tmp_path, capsys):
    path = tmp_path / "pairs.tsv"
    path.write_text(f"{NSP_A}\t{NSP_B}\n{NSP_B}\t{NSP_A}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        cli.main(["nsp", "--batch", str(path), "--model", str(tiny_dirs["pretraining"]), "--json"])
    assert done.value.code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["a"], r["b"]) for r in lines] == [(NSP_A, NSP_B), (NSP_B, NSP_A)]
    assert all({"model", "is_next", "not_next", "logits"} <= r.keys() for r in lines)


def test_cli_errors_exit_2(tiny_dirs, capsys):
    assert cli.main(["nsp", NSP_A, "--model", str(tiny_dirs["pretraining"]), "--json"]) == 2
    assert "sentence B is empty" in json.loads(capsys.readouterr().out)["error"]
    assert cli.main(["nsp", NSP_A, NSP_B, "--model", str(tiny_dirs["encoder"]), "--json"]) == 2
    assert "no trained next-sentence" in json.loads(capsys.readouterr().out)["error"]


def test_cli_experiment_on_a_documents_file(tiny_dirs, tmp_path, capsys):
    path = tmp_path / "docs.txt"
    path.write_text(NSP_DOCS, encoding="utf-8")
    assert cli.main(["nsp-experiment", str(path), "--model", str(tiny_dirs["pretraining"]), "--per-kind", "3",
                     "--pairs", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (result,) = out["results"]
    assert [k["kind"] for k in result["kinds"]] == list(KINDS)
    assert len(result["pairs"]) == sum(k["count"] for k in result["kinds"])


def test_cli_experiment_in_bf16_reports_its_agreement_with_fp32(tiny_dirs, tmp_path, capsys):
    path = tmp_path / "docs.txt"
    path.write_text(NSP_DOCS, encoding="utf-8")
    assert cli.main(["nsp-experiment", str(path), "--model", str(tiny_dirs["pretraining"]), "--per-kind", "3",
                     "--precision", "bf16", "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["precision"] == "bf16" and result["agreement_with_fp32"]["precision"] == "bf16"
    assert 0 <= result["agreement_with_fp32"]["max_abs_diff"] < 0.1
