"""Files given to the CLI are checked like uploads: a binary pairs file is named, not parsed."""

from tests.helpers import PNG


def test_cli_names_a_binary_pairs_file(tmp_path, capsys):
    from core.cli.main import main

    path = tmp_path / "pairs.tsv"
    path.write_bytes(PNG)
    assert main(["nsp", "--batch", str(path), "--json"]) == 2
    assert "looks like a PNG image" in capsys.readouterr().out
