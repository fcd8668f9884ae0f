"""Every `qed` command by name, and the typer group that imports a command's module only to run it.

`qed --help` lists `COMMANDS` without importing any of them (the solver alone pulls in sympy,
scipy and LangGraph, seconds of start-up); `qed memory stats` imports the memory commands only.
A command added to `COMMANDS` appears in the help at once and is imported when it is used.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
from qed.cli.command_table import COMMANDS, ROOT_HELP, ROOT_OPTIONS
from typer.core import TyperCommand, TyperGroup


def load_command(name: str) -> Any:
    """The click command for `name`, built from its module (imported now, not at start-up)."""
    entry = COMMANDS[name]
    if name == "solve":  # its jobs' fork server imports the solver beside this process's own import
        from qed.agent.parallel_start import start_early

        start_early(sys.argv[1:])
    target = getattr(importlib.import_module(f"qed.cli.{entry.module}"), entry.attr)
    if isinstance(target, typer.Typer):
        command = typer.main.get_command(target)
        command.help = command.help or entry.help
    else:
        single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """Lists commands from `COMMANDS` without importing them; imports one when it is invoked."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # the help's command table needs a name and a line, not the command
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name].help, short_help=COMMANDS[cmd_name].help)
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> Any:
        self._listing = True
        try:
            return super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="qed",
    help=ROOT_HELP,
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback(invoke_without_command=True)
def _root(
    show_version: bool = typer.Option(False, "--version", help=dict(ROOT_OPTIONS)["--version"], is_eager=True),
) -> None:
    if show_version:
        from qed.cli.app import version_line

        typer.echo(version_line())
        raise typer.Exit(0)
