"""`qed check CERT.json`: re-verify one certificate from its file alone, step by step.

Exit status: 0 valid, 1 invalid (the first failing step is named), 2 unreadable input. The status
is raised as SystemExit: the app runs click with standalone_mode=False, which turns typer.Exit
into a return value and so would lose it.
"""

from __future__ import annotations

from pathlib import Path

import typer

EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def check(
    path: Path = typer.Argument(..., help="A certificate file (JSON, format qed-certificate/1)."),
    seconds: float = typer.Option(120.0, "--seconds", min=1.0, help="Give up (invalid) after this many seconds."),
) -> None:
    """Re-verify an inequality certificate exactly (sympy only); print each step and the verdict."""
    from qed.verifiers.certificates.check import (
        FORMAT,
        UnreadableCertificate,
        check_certificate,
        load_certificate,
    )

    try:
        data = load_certificate(str(path))
    except UnreadableCertificate as e:
        typer.echo(f"error: {e}", err=True)
        raise SystemExit(EXIT_UNREADABLE) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        typer.echo(f"error: {path} is not a {FORMAT} certificate (no \"format\": \"{FORMAT}\")", err=True)
        raise SystemExit(EXIT_UNREADABLE)
    verdict = check_certificate(data, seconds=seconds)
    for step in verdict.steps:
        typer.echo(f"  ok  {step}")
    if verdict.valid:
        typer.echo(f"conclusion: {verdict.conclusion}")
    typer.echo(verdict.summary())
    raise SystemExit(0 if verdict.valid else EXIT_INVALID)
