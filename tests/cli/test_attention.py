"""`python -m core attention`: statistics, rollout, maps and flow as JSON."""

from __future__ import annotations

import json

from core.attention import maps as attention
from core.cli.main import main as cli_main
from tests.helpers import PAIR


def test_cli_attention_json(tiny_dirs, capsys):
    code = cli_main(["attention", "--model", str(tiny_dirs["pretraining"]), "--a", PAIR[0], "--b", PAIR[1],
                     "--layer", "1", "--words", "--flow-token", "1", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["layers"] == 2 and out["heads"] == 4
    assert set(attention.STATISTICS) <= set(out["statistics"])
    assert len(out["statistics"]["entropy"]) == 2 and len(out["statistics"]["entropy"][0]) == 4
    for row in out["rollout"]["top_sources"]:
        assert row["sources"][0]["weight"] >= row["sources"][-1]["weight"]
    assert "unbelievable" in out["map"]["rows"] and out["map"]["title"].startswith("Layer 1,")  # 1-based --layer
    assert abs(sum(s["share"] for s in out["flow"]["shares"]) - 1) < 1e-3
    assert cli_main(["attention", "--model", str(tiny_dirs["pretraining"]), "--a", "x", "--layer", "5", "--json"]) == 2
    assert "does not exist" in json.loads(capsys.readouterr().out)["error"]
    assert cli_main(["attention", "--model", str(tiny_dirs["pretraining"]), "--a", "x", "--layer", "0", "--json"]) == 2
    assert "layers 1–2" in json.loads(capsys.readouterr().out)["error"]
