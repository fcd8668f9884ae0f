"""Turn the errors users can act on into one line and exit status 2, never a traceback.

Typer up to 0.2x raised click's exceptions; later versions raise their own copies (typer._click).
Both families are caught here by what they are (usage errors, an abort, an exit), so the CLI
behaves the same whichever version the install resolves.
"""

from __future__ import annotations

import difflib
import gc
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import typer

T = TypeVar("T")

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _families() -> list[Any]:
    """The exception modules of the click the installed typer raises from.

    A typer that carries its own click never imports click itself, so click (installed for other
    packages) is not imported for it: that import cost 10-30 ms of every start-up (`qed --help`).
    """
    try:
        from typer._click import exceptions as vendored  # typer >= 0.2x carries its own click

        return [vendored]
    except ImportError:
        pass
    try:
        from click import exceptions as click_exceptions

        return [click_exceptions]
    except ImportError:
        return []


def _types(name: str, *extra: type[BaseException]) -> tuple[type[BaseException], ...]:
    return tuple(dict.fromkeys([getattr(m, name) for m in _families() if hasattr(m, name)] + list(extra)))


def user_error_types() -> tuple[type[BaseException], ...]:
    from qed.models.base import ModelError
    from qed.problems.errors import ProblemLoadError

    return (ModelError, ProblemLoadError, FileNotFoundError, ValueError, PermissionError, IsADirectoryError)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice a typo most likely meant, or None when nothing is close."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def unknown_choice(what: str, value: str, choices: Sequence[str]) -> str:
    """`--solver must be one of loop, symbolic, not 'symbolc'; did you mean 'symbolic'?`"""
    guess = closest(value, choices)
    return f"{what} must be one of {', '.join(choices)}, not {value!r}" + (f"; did you mean {guess!r}?" if guess else "")


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


def _command_path(ctx: Any) -> str:
    return getattr(ctx, "command_path", "") or "qed"


def _option_of_parent(ctx: Any, option: str) -> Any | None:
    """The group above `ctx` that takes `option` (`qed memory --memory F stats`), if one does."""
    parent = getattr(ctx, "parent", None)
    while parent is not None:
        for param in getattr(parent.command, "params", []):
            if option in getattr(param, "opts", []) + getattr(param, "secondary_opts", []):
                return parent
        parent = parent.parent
    return None


def _moved(argv: list[str], option: str, group_path: str, sub: str) -> str:
    """The command line with `option` (and its value) moved before the subcommand `sub`."""
    args = list(argv)
    i = args.index(option) if option in args else -1
    if i < 0:
        return f"{group_path} {option} … {sub}"
    taken = args[i:i + 2] if i + 1 < len(args) and not args[i + 1].startswith("-") else args[i:i + 1]
    del args[i:i + len(taken)]
    j = args.index(sub) if sub in args else len(args)
    return " ".join(["qed", *args[:j], *taken, *args[j:]])


def usage_line(e: Any, argv: list[str] | None = None) -> str:
    """One line for a usage error: what was wrong and the closest thing that would have worked."""
    argv = sys.argv[1:] if argv is None else argv
    ctx = getattr(e, "ctx", None)
    where = _command_path(ctx)
    option = getattr(e, "option_name", None)
    if option is not None and hasattr(e, "possibilities"):  # NoSuchOption
        guesses = list(e.possibilities or [])
        if guesses:
            return f"no such option {option} for `{where}`; did you mean {guesses[0]}?"
        owner = _option_of_parent(ctx, option) if ctx is not None else None
        if owner is not None:
            sub = ctx.info_name
            return (f"{option} belongs to `{_command_path(owner)}`, before `{sub}`: "
                    f"{_moved(argv, option, _command_path(owner), sub)}")
        return f"no such option {option} for `{where}` (see `{where} --help`)"
    message = e.format_message().strip()
    unknown = re.match(r"No such command '([^']*)'", message)
    if unknown and ctx is not None and hasattr(ctx.command, "list_commands"):
        name = unknown.group(1)
        guess = closest(name, ctx.command.list_commands(ctx))
        hint = f"; did you mean `{where} {guess}`?" if guess else f" (see `{where} --help`)"
        return f"no such command {name!r}{hint}"
    first = message.splitlines()[0] if message else type(e).__name__
    return f"{first} (see `{where} --help`)"


def run_cli(app: Callable[..., T]) -> None:
    """Run the typer app; known errors become `error: ...` on stderr with exit 2."""
    try:
        _run(app)
    finally:
        # The heap of a solve (sympy, LangGraph, the engine) took seconds to collect at exit, after
        # everything was written and closed: frozen objects are skipped by that last collection.
        gc.freeze()


def _run(app: Callable[..., T]) -> None:
    no_args = _types("NoArgsIsHelpError")
    usage = _types("UsageError")
    click_errors = _types("ClickException")
    aborts = _types("Abort", typer.Abort)
    exits = _types("Exit", typer.Exit)
    try:
        # Outside standalone mode click *returns* the status of an Exit (typer.Exit, fail()) instead
        # of exiting with it; dropping it made every `raise fail(...)` exit 0.
        status = app(prog_name="qed", standalone_mode=False)
        if isinstance(status, int) and not isinstance(status, bool) and status != 0:
            sys.exit(status)
    except no_args as e:  # `qed` or `qed memory` alone: the help (typer's rich help is already printed)
        text = e.format_message()
        if text.strip():
            typer.echo(text)
        sys.exit(EXIT_USAGE)
    except usage as e:
        typer.echo(f"error: {usage_line(e)}", err=True)
        sys.exit(EXIT_USAGE)
    except click_errors as e:
        typer.echo(f"error: {e.format_message()}", err=True)
        sys.exit(EXIT_USAGE)
    except aborts:
        typer.echo("aborted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except exits as e:
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except user_error_types() as e:
        msg = str(e)
        if isinstance(e, FileNotFoundError) and e.filename:
            msg = f"no such file: {e.filename}"
        typer.echo(f"error: {msg}", err=True)
        sys.exit(EXIT_USAGE)
