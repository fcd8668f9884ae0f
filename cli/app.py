"""The `qed` entry point. `qed --version` and `qed --help` answer before typer (and pydantic) is imported;
every other command goes through the group in cli/commands.py, which imports only what it runs."""

from __future__ import annotations

import sys
from typing import Any


def version_line() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"qed {version('qed-workbench')}"
    except PackageNotFoundError:
        return "qed unknown"


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(version_line())
        return
    if sys.argv[1:] == ["--help"]:  # drawn from the command table alone, before typer is imported
        from qed.cli.command_table import root_help

        print(root_help())
        return
    _listen_to_ctrl_c()
    from qed.cli.commands import app
    from qed.cli.errors import run_cli

    run_cli(app)


def _listen_to_ctrl_c() -> None:
    """A SIGINT ignored by whoever started QED (a non-interactive shell's `&`, a test runner) is
    inherited across exec, and one Ctrl-C at QED's terminal would then do nothing. At a terminal,
    Ctrl-C is the user's: restore Python's handler. Without one, the inherited choice stands."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN and sys.stdin.isatty():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def __getattr__(name: str) -> Any:  # `qed.cli.app.app`, the typer app, built on first use
    if name == "app":
        from qed.cli.commands import app

        return app
    raise AttributeError(name)
