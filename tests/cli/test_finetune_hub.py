"""`python -m core finetune --data hf:…` and dataset folders from the command line."""

import json

from core.cli.main import main as cli_main
from core.finetune.sources import DataSpec, load_data
from tests.helpers import SENTENCES, glue_pairs


def test_cli_trains_on_a_dataset_folder(saved, tiny_dirs, models_home, capsys):
    folder = saved(glue_pairs(), "mrpc")
    code = cli_main(["finetune", "--task", "pair", "--data", f"hf:{folder}", "--max-examples", "16",
                     "--model", str(tiny_dirs["encoder"]), "--out", "hub-pairs", "--epochs", "1",
                     "--max-length", "32", "--device", "cpu", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["alias"] == "hub-pairs"


def test_cli_separate_validation_file(tmp_path, tiny_dirs, models_home, capsys):
    rows = "text,label\n" + "".join(f"{s},{'pos' if 'good' in s else 'neg'}\n" for s in SENTENCES)
    (tmp_path / "train.csv").write_text(rows)
    (tmp_path / "dev.csv").write_text(rows.splitlines()[0] + "\n" + "\n".join(rows.splitlines()[1:6]) + "\n")
    data = load_data("sentence", DataSpec(str(tmp_path / "train.csv"), str(tmp_path / "dev.csv")))
    assert len(data.train) == len(SENTENCES) and len(data.validation) == 5
    code = cli_main(["finetune", "--task", "sentence", "--data", str(tmp_path / "train.csv"), "--validation",
                     str(tmp_path / "missing.csv"), "--json"])
    assert code == 2 and "missing.csv" in json.loads(capsys.readouterr().out)["error"]
