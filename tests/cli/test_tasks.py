"""`python -m core classify`, `tokens` and `qa` as JSON (the four ways to use BERT)."""

import contextlib
import io
import json

from core.cli import main as cli
from tests.helpers import PASSAGE


def run_cli(*argv) -> tuple[int, dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main([*argv, "--json"])
    return code, json.loads(out.getvalue())


def test_cli_qa_prints_answers_with_character_offsets(tiny_dirs):
    code, result = run_cli("qa", "what did the man buy?", PASSAGE, "--model", str(tiny_dirs["qa"]), "--top-k", "2")
    assert code == 0 and result["model"] == str(tiny_dirs["qa"])
    assert 1 <= len(result["answers"]) <= 2
    for a in result["answers"]:
        assert set(a) >= {"text", "start", "end", "score"} and PASSAGE[a["start"]:a["end"]] == a["text"]


def test_cli_classify_and_tokens(tiny_dirs):
    code, result = run_cli("classify", "--a", "good movie", "--model", str(tiny_dirs["sentence"]))
    assert code == 0 and set(result["probabilities"]) == {"negative", "positive"}
    code, result = run_cli("tokens", "--a", "new york", "--model", str(tiny_dirs["token"]), "--aggregation", "max")
    assert code == 0 and result["aggregation"] == "max" and result["tokens"][0]["token"] == "[CLS]"
    code, result = run_cli("qa", "where?", PASSAGE, "--model", str(tiny_dirs["encoder"]))
    assert code == 2 and "fine-tune" in result["error"]
