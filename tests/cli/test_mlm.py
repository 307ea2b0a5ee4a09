"""`python -m core fill-mask`, `mlm-score` and `mask-sim` as JSON."""

from __future__ import annotations

import json

import pytest

from core.cli import main as cli


def test_cli_batch_prints_one_object_per_line(tiny_dirs, tmp_path, capsys):
    batch = tmp_path / "texts.txt"
    batch.write_text('the [MASK] sat\n\n{"text": "a [MASK]", "text_b": "the [mask]"}\nno mask\n')
    with pytest.raises(SystemExit) as done:
        cli.main(["fill-mask", "--batch", str(batch), "--model", str(tiny_dirs["pretraining"]), "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert done.value.code == 0
    assert [len(line.get("masks", [])) for line in lines] == [1, 2, 0] and "error" in lines[2]


def _run_cli(capsys, *argv) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().out


def test_cli_fill_mask_prints_the_stable_shape(tiny_dirs, capsys):
    code, out = _run_cli(capsys, "fill-mask", "new [MASK] [mask] is a city", "--model", str(tiny_dirs["pretraining"]),
                         "--top-k", "3", "--json", "--joint", "--logit-lens")
    result = json.loads(out)
    assert code == 0 and result["model"] == str(tiny_dirs["pretraining"])
    assert [m["position"] for m in result["masks"]] == [2, 3]
    assert all(len(m["predictions"]) == 3 and {"token", "score"} <= set(m["predictions"][0]) for m in result["masks"])
    assert result["fills"]["joint"]["pll"] >= result["fills"]["independent"]["pll"] - 1e-6
    assert len(result["logit_lens"]) == 2


def test_cli_model_without_head_is_an_error(tiny_dirs, capsys):
    code, out = _run_cli(capsys, "fill-mask", "a [MASK]", "--model", str(tiny_dirs["encoder"]), "--json")
    assert code == 2 and "no trained masked-word prediction" in json.loads(out)["error"]
