"""`python -m core everyday-check`: the held-out everyday scores as JSON, and a clear error without heads."""

from __future__ import annotations

import json

from core.cli.main import main


def test_cli_everyday_check_prints_the_scores_as_json(capsys, tiny_dirs):
    assert main(["everyday-check", "--model", str(tiny_dirs["pretraining"]), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cloze_items"] >= 150 and 0 <= out["cloze_top5"] <= 1 and 0 <= out["nsp_auc"] <= 1
    assert len(out["cls_cosine_by_layer"]) == 3  # embeddings + 2 layers


def test_cli_everyday_check_needs_both_heads(capsys, tiny_dirs):
    assert main(["everyday-check", "--model", str(tiny_dirs["encoder"]), "--json"]) != 0
    assert "MLM" in json.loads(capsys.readouterr().out)["error"]
