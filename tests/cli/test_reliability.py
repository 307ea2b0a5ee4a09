"""Bad input through every CLI command: a JSON error with exit code 2, never a traceback."""

import json

import pytest

from core.cli.main import build_parser, main
from tests.helpers import BAD_TEXTS


def text_commands() -> list[tuple[str, list[str]]]:
    """Every CLI command that takes text, and the arguments before the text (an option or positionals)."""
    commands = []
    for name, sub in build_parser()._subparsers._group_actions[0].choices.items():
        by_dest = {a.dest: a for a in sub._actions}
        if "question" in by_dest:
            commands.append((name, ["what is it"]))  # the bad text is the passage
        elif "a" in by_dest and by_dest["a"].option_strings:
            commands.append((name, ["--a"]))
        elif "a" in by_dest or "text" in by_dest:
            commands.append((name, []))
    return commands


@pytest.mark.parametrize("command", text_commands(), ids=lambda c: c[0])
@pytest.mark.parametrize("kind", ["whitespace", "long", "script", "special_tokens", "chinese"])
def test_cli_bad_text_is_json_not_a_traceback(command, kind, tiny_dirs, capsys):
    name, before = command
    argv = [name, *before, BAD_TEXTS[kind], "--model", str(tiny_dirs["pretraining"]), "--json"]
    code = main(argv)
    out = capsys.readouterr().out.strip().splitlines()
    assert code in (0, 2)
    result = json.loads(out[-1])
    assert (code == 2) == ("error" in result)


@pytest.mark.parametrize("command", text_commands(), ids=lambda c: c[0])
def test_cli_unknown_model_is_a_clear_error(command, capsys):
    name, before = command
    argv = [name, *before, "The cat sat.", "--model", "no-such-org/no-such-model", "--json"]
    assert main(argv) == 2
    assert "cannot be reached" in json.loads(capsys.readouterr().out.strip().splitlines()[-1])["error"]
