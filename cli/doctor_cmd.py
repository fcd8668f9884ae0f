"""`qed doctor`: what is installed and reachable."""

from __future__ import annotations

from pathlib import Path

import typer


def doctor(config: Path = typer.Option(None, "--config", help="A qed.toml to read.")) -> None:
    """Report the model cache, llama.cpp, z3/cvc5, Lean, API keys and each role's model."""
    from qed.agent.config import load_config
    from qed.agent.doctor import diagnose
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    findings = diagnose(load_config(config))
    table = Table("area", "check", "", "detail")
    for f in findings:
        mark = {True: "[green]ok[/green]", False: "[red]missing[/red]", None: "[dim]–[/dim]"}[f.ok]
        table.add_row(f.area, f.name, mark, escape(f.detail))
    Console().print(table)
    if any(f.ok is False for f in findings if f.area in ("runtime", "solvers")):
        raise typer.Exit(1)
