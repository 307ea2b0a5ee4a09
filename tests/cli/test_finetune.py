"""`python -m core finetune` and `finetune-runs`: runs, exported jobs and saved models from a terminal."""

import json

import pytest

from core.cli.main import main as cli_main
from core.finetune import runner as finetune
from core.finetune import runs as finetune_runs
from core.finetune.sources import DataSpec

pytestmark = pytest.mark.usefixtures("models_home")  # every test saves its models in its own folder


def test_cli_trains_lists_and_deletes(tiny_dirs, tmp_path, capsys):
    data = tmp_path / "train.csv"
    data.write_text("text,label\n" + "".join(f"the dog was {w},{w}\n" for w in ["good", "bad"] * 10))
    code = cli_main(["finetune", "--task", "sentence", "--data", str(data), "--model", str(tiny_dirs["encoder"]),
                     "--out", "cli-run", "--epochs", "1", "--max-length", "32", "--device", "cpu", "--json"])
    out = capsys.readouterr()
    assert code == 0 and json.loads(out.out)["alias"] == "cli-run" and "[" in out.err  # the progress bar
    assert cli_main(["finetune-runs", "--json"]) == 0
    assert [r["alias"] for r in json.loads(capsys.readouterr().out)["runs"]] == ["cli-run"]
    assert cli_main(["finetune-runs", "--delete", "cli-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["runs"] == []


def test_cli_reports_a_bad_file_as_an_error(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("sentence,label\nhi,x\n")
    assert cli_main(["finetune", "--task", "sentence", "--data", str(bad), "--json"]) == 2
    assert "missing column 'text'" in json.loads(capsys.readouterr().out)["error"]


def test_exported_job_runs_the_same_config(tmp_path):
    from core.cli.finetune import config_from_args
    from core.cli.main import build_parser

    cfg = finetune.FineTuneConfig(task="qa", alias="exported", epochs=4, doc_stride=16)
    files = finetune_runs.export_job(cfg, DataSpec())
    (tmp_path / "job.json").write_text(files["job.json"])
    assert "torchrun" in files["launch.sh"] and "-m core finetune --config job.json --data demo" in files["launch.sh"]
    hub = DataSpec("hf:nyu-mll/glue", hf_config="sst2", columns="text=sentence, label=label")
    hub_script = finetune_runs.export_job(cfg, hub)["launch.sh"]
    assert "--data hf:nyu-mll/glue --hf-config sst2 --columns 'text=sentence, label=label'" in hub_script
    args = build_parser().parse_args(["finetune", "--config", str(tmp_path / "job.json"), "--epochs", "2"])
    assert config_from_args(args) == finetune.FineTuneConfig(task="qa", alias="exported", epochs=2, doc_stride=16)
