"""Documentation stays true: every command is documented, the README's commands are the real ones."""

import re

import pytest
from typer.testing import CliRunner

from analyzer.cli import COMMANDS, app
from analyzer.codebook import REASONS
from conftest import REPO

runner = CliRunner()
README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_readme_section(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    callback = next(c.callback for c in app.registered_commands if c.name == command)
    assert callback.__doc__ and len(callback.__doc__.strip()) > 20, f"{command} lacks a docstring"
    assert f"analyze {command}" in README or command == "run", f"README does not show `analyze {command}`"


def test_every_option_has_help_text():
    for command in app.registered_commands:
        for param in command.callback.__annotations__.values():
            info = getattr(param, "__metadata__", [None])[0]
            if info is not None and hasattr(info, "help"):
                assert info.help, f"an option of {command.name} has no help"


def test_readme_setup_commands_and_ci_agree():
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", README, flags=re.S)
    setup = [b.strip() for b in blocks[:2]]
    assert "analyze data/" in setup[0] and "pip install" in setup[0]
    assert "pytest" in setup[1] and ".[test]" in setup[1]
    ci = (REPO / ".ci" / "run").read_text()
    assert setup[1].splitlines()[-1].strip() in ci, ".ci/run must run the README's test command"


def test_reasons_command_lists_every_definition():
    result = runner.invoke(app, ["reasons"])
    for reason in REASONS:
        assert reason in result.output


def test_readme_documents_exit_codes_and_escaping():
    assert "Exit codes" in README and "apostrophe" in README


def test_run_help_lists_the_reason_ids():
    result = runner.invoke(app, ["run", "--help"], terminal_width=200)
    for reason in REASONS:
        assert reason in result.output
