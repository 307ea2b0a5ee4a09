"""`python -m core findings`: every card as JSON, the same numbers as text and in Chinese, and a model without an MLM
head."""

from __future__ import annotations

import json

import pytest

from core.cli.main import main as cli_main
from core.findings import gallery

ENTRY_KEYS = {"card", "title", "paper", "claim", "paper_figure", "measured", "verdict", "reproduced"}


def test_cli_findings_prints_every_card_as_json(tiny_dirs, capsys):
    code = cli_main(["findings", "--model", str(tiny_dirs["pretraining"]), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and [f["card"] for f in out["findings"]] == list(gallery.CARDS)
    by_card = {f["card"]: f for f in out["findings"]}
    for entry in out["findings"]:
        assert ENTRY_KEYS <= set(entry) and entry["verdict"].startswith(("reproduced: ", "differs: "))
        assert entry["reproduced"] == entry["verdict"].startswith("reproduced")
    assert [row["layer"] for row in by_card["clark"]["per_layer"]] == ["layer 1", "layer 2"]
    assert by_card["ethayarajh"]["per_layer"][0]["layer"] == "embeddings"
    assert [step["pruned"] for step in by_card["michel"]["curve"]] == [i / 10 for i in range(10)]
    assert by_card["lama"]["p_at_10"] >= by_card["lama"]["p_at_1"]
    assert {"entropy", "distance", "special", "previous"} <= set(by_card["head_stats"]["per_layer"][0])


def test_cli_findings_text_shows_the_same_numbers(tiny_dirs, capsys):
    assert cli_main(["findings", "--model", str(tiny_dirs["pretraining"]), "--card", "head_stats", "--json"]) == 0
    entry = json.loads(capsys.readouterr().out)["findings"][0]
    assert cli_main(["findings", "--model", str(tiny_dirs["pretraining"]), "--card", "head_stats"]) == 0
    text = capsys.readouterr().out
    assert f"verdict: {entry['verdict']}" in text and f"broadest_layer: {entry['broadest_layer']}" in text
    assert f"entropy: {entry['per_layer'][0]['entropy']}" in text


def test_cli_findings_in_chinese_has_the_same_fields_and_numbers(tiny_dirs, capsys):
    model = str(tiny_dirs["pretraining"])
    runs = {}
    for lang in ("en", "zh"):
        assert cli_main(["findings", "--model", model, "--card", "head_stats", "--lang", lang, "--json"]) == 0
        runs[lang] = json.loads(capsys.readouterr().out)
    en, zh = (runs[lang]["findings"][0] for lang in ("en", "zh"))
    assert runs["zh"]["language"] == "zh" and set(en) == set(zh)
    assert zh["title"] == gallery.CARDS["head_stats"].title.zh and zh["paper"] == en["paper"]
    assert zh["verdict"].startswith(("已复现：", "有差异：")) and zh["reproduced"] == en["reproduced"]
    assert f"第 {en['broadest_layer']} 层" in zh["measured"] and zh["per_layer"] == en["per_layer"]


def test_cli_findings_without_an_mlm_head_is_a_message_and_exit_2(tiny_dirs, capsys):
    code = cli_main(["findings", "--model", str(tiny_dirs["encoder"]), "--card", "lama", "--json"])
    assert code == 2 and "no trained masked-word prediction (MLM) head" in json.loads(capsys.readouterr().out)["error"]
    with pytest.raises(SystemExit) as done:
        cli_main(["findings", "--card", "nope"])
    assert done.value.code == 2
