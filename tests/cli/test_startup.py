"""Start-up imports only what a command uses: checked in sys.modules of a real `qed` process, never by time."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from qed.cli.commands import COMMANDS, load_command

from tests.cli.cli_helpers import REPO, qed, qed_env, run_dirs

HEAVY = ("sympy", "scipy", "langgraph", "torch", "numpy", "z3", "pydantic")
NOT_FOR_HELP = ("sympy", "scipy", "langgraph", "numpy", "z3", "torch")  # what no command's --help may import
STARTER = REPO / "problems" / "sets" / "starter.jsonl"
_PROBE = """
import json, runpy, sys
sys.argv = ['qed', *sys.argv[1:]]
code = 0
try:
    runpy.run_module('qed.cli', run_name='__main__')
except SystemExit as e:
    code = e.code
sys.stderr.write('\\nMODULES ' + json.dumps({'code': code, 'modules': sorted(sys.modules)}) + '\\n')
"""


def modules_after(tmp_path, *args: str) -> tuple[int, set[str], str]:
    """The exit status, the top-level modules imported, and stdout of a fresh `qed ARGS`."""
    r = subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=tmp_path, env=qed_env(tmp_path),
                       capture_output=True, text=True, timeout=300)
    line = next(x for x in r.stderr.splitlines() if x.startswith("MODULES "))
    report = json.loads(line.removeprefix("MODULES "))
    return report["code"] or 0, {m.split(".")[0] for m in report["modules"]}, r.stdout


def test_version_imports_neither_typer_nor_the_solver(tmp_path):
    code, modules, out = modules_after(tmp_path, "--version")
    assert code == 0 and out.startswith("qed ")
    assert not modules & {*HEAVY, "typer", "rich", "click"}, modules & {*HEAVY, "typer", "rich", "click"}


def test_help_lists_every_command_without_importing_any(tmp_path):
    code, modules, out = modules_after(tmp_path, "--help")
    assert code == 0
    for name, entry in COMMANDS.items():
        assert f" {name} " in out and entry.help.split()[0] in out, name
    assert "--version" in out and "Usage: qed" in out
    assert not modules & {*HEAVY, "typer", "rich", "click"}, modules & {*HEAVY, "typer", "rich", "click"}


def test_help_does_not_import_click_when_typer_carries_its_own(tmp_path):
    pytest.importorskip("typer._click")  # an older typer raises click's own exceptions: then click is needed
    code, modules, _ = modules_after(tmp_path, "check", "--help")  # through typer (the root help is not)
    assert code == 0 and "typer" in modules and "click" not in modules


@pytest.mark.parametrize("args", [("memory", "--help"), ("models", "list"), ("doctor", "--help")])
def test_a_command_does_not_import_the_research_loop(tmp_path, args):
    code, modules, _ = modules_after(tmp_path, *args)
    assert code == 0
    assert not modules & {"langgraph", "scipy", "torch"}, modules & {"langgraph", "scipy", "torch"}


def _every_command() -> list[tuple[str, ...]]:
    """Each command in COMMANDS, and each subcommand of a group (`memory search`, `judges calibrate`)."""
    out: list[tuple[str, ...]] = []
    for name in COMMANDS:
        out.append((name,))
        out += [(name, sub) for sub in getattr(load_command(name), "commands", {})]
    return out


@pytest.mark.parametrize("command", _every_command(), ids=" ".join)
def test_every_commands_help_imports_no_heavy_library(tmp_path, command):
    code, modules, out = modules_after(tmp_path, *command, "--help")
    assert code == 0 and f"Usage: qed {' '.join(command)} " in out, out
    assert not modules & set(NOT_FOR_HELP), modules & set(NOT_FOR_HELP)


def test_solve_still_solves_with_its_imports_made_at_run_time(tmp_path):
    r = qed(tmp_path, "solve", str(STARTER), "--solver", "symbolic", "--limit", "1", timeout=300)
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    [result] = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert result["problem_id"] == "starter-b01" and result["outcome"] == "solved" and result["correct"] is True
    assert result["evidence"]["engine"]["certified"] is True


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_help_line_is_the_commands_own(name):
    command = load_command(name)
    assert command.name == name
    assert (command.help or "").strip().splitlines()[0] == COMMANDS[name].help


def test_the_group_names_the_help_shows_are_the_registrys_groups():
    from qed.verifiers.judges.group_names import GROUP_NAMES
    from qed.verifiers.judges.registry import groups

    assert tuple(groups()) == GROUP_NAMES  # a group added to the registry must be added where --help reads it
