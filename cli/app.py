"""The `qed` entry point: one small module per command group, assembled here."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import typer
from qed.cli.errors import run_cli

app = typer.Typer(
    name="qed",
    help="QED: a workbench for mathematical research with AI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version() -> str:
    try:
        return version("qed-workbench")
    except PackageNotFoundError:
        return "unknown"


@app.callback(invoke_without_command=True)
def _root(
    show_version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    if show_version:
        typer.echo(f"qed {_version()}")
        raise typer.Exit(0)


def _register() -> None:
    from qed.cli import (
        check_cmd,
        doctor_cmd,
        eval_cmd,
        grade_cmd,
        judges_cmd,
        memory_cmd,
        models_cmd,
        prove_cmd,
        report_cmd,
        session_cmd,
        solve_cmd,
    )

    app.command()(solve_cmd.solve)
    app.command()(prove_cmd.prove)
    app.command("grade")(grade_cmd.grade_command)
    app.command()(doctor_cmd.doctor)
    app.command()(check_cmd.check)
    app.command()(report_cmd.report)
    app.command("eval")(eval_cmd.eval_command)
    app.command()(session_cmd.session)
    app.add_typer(models_cmd.app, name="models", help="Pull and list the embedded models.")
    app.add_typer(memory_cmd.app, name="memory", help="Search, inspect and curate the knowledge graph.")
    app.add_typer(judges_cmd.app, name="judges", help="Calibrate the proof judges on planted flaws.")


_register()


def main() -> None:
    run_cli(app)
