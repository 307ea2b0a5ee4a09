"""`python -m core embeddings`: the parity check, segment/position tables and contextual views as JSON."""

import json

from core.cli import main as cli


def test_cli_embeddings(tiny_dirs, tmp_path, capsys):
    code = cli.main(["embeddings", "--model", str(tiny_dirs["pretraining"]), "--a", "the bank", "--b", "the river",
                     "--word", "bank", "--sentence", "the bank", "--sentence", "a bank", "--csv-dir", str(tmp_path),
                     "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["parity"]["matches"]
    assert result["segments"]["max_spread_within_segment"] == 0.0
    assert len(result["projection"]["coords"]) == len(result["tokens"])
    assert (tmp_path / "same_word.csv").is_file() and len(result["csv_files"]) == 7
    assert cli.main(["embeddings", "--model", str(tiny_dirs["pretraining"]), "--a", "x", "--layer", "9", "--json"]) == 2
