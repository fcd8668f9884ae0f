"""Turn the errors users can act on into one line and exit status 2, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

import click
import typer

T = TypeVar("T")

EXIT_USAGE = 2


def user_error_types() -> tuple[type[BaseException], ...]:
    from qed.models.base import ModelError
    from qed.problems.errors import ProblemLoadError

    return (ModelError, ProblemLoadError, FileNotFoundError, ValueError, PermissionError, IsADirectoryError)


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def run_cli(app: Callable[..., T]) -> None:
    """Run the typer app; known errors become `error: ...` on stderr with exit 2."""
    try:
        # Outside standalone mode click *returns* the status of an Exit (typer.Exit, fail()) instead
        # of exiting with it; dropping it made every `raise fail(...)` exit 0.
        status = app(standalone_mode=False)
        if isinstance(status, int) and not isinstance(status, bool) and status != 0:
            sys.exit(status)
    except click.exceptions.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except click.exceptions.ClickException as e:
        typer.echo(f"error: {e.format_message()}", err=True)
        sys.exit(EXIT_USAGE)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except user_error_types() as e:
        msg = str(e)
        if isinstance(e, FileNotFoundError) and e.filename:
            msg = f"no such file: {e.filename}"
        typer.echo(f"error: {msg}", err=True)
        sys.exit(EXIT_USAGE)
