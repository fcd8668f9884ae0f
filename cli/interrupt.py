"""One Ctrl-C ends a solve cleanly: the summary so far is written and the resume command printed.

The llama.cpp worker runs in its own session (models/local_backend.py), so the terminal's Ctrl-C
reaches QED alone: QED stops the worker itself instead of the worker dying and being restarted.
A second Ctrl-C while QED cleans up ends the process at once (results already written stay).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from qed.agent.runs import RunDir
from qed.agent.summary import render_summary
from qed.cli.errors import EXIT_INTERRUPTED


def shown_path(path: Path) -> str:
    """The run folder as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def resume_hint(run: RunDir) -> str:
    return f"resume with `qed solve --resume {shown_path(run.path)}`"


def write_partial_summary(run: RunDir, total: int) -> int:
    """summary.md for the problems that finished, marked interrupted; returns how many finished."""
    results = run.results()
    text = render_summary(run.read_config(), results, total)
    text += f"\n**Interrupted** after {len(results)} of {total} problem(s); {resume_hint(run)}.\n"
    run.write_summary(text)
    return len(results)


def _exit_now(signum: int, frame: object) -> None:
    os.write(2, b"\nstopped\n")
    os._exit(EXIT_INTERRUPTED)


def abort_calls() -> None:
    """End the model calls and bounded children in flight now. The loop runs a node in a worker
    thread and, on Ctrl-C, waits for it: a call left running (a 600-token draft on a CPU) would hold
    the exit for minutes, an engine run for seconds."""
    deadline = sys.modules.get("qed.models.deadline")
    if deadline is not None:
        deadline.cut_all()  # first: a call that sees its connection break must not retry
    local = sys.modules.get("qed.models.local_backend")
    if local is not None:
        local.LocalServer.abort_all()
    bounded = sys.modules.get("qed.verifiers.children")
    if bounded is not None:
        bounded.stop_all()  # the engine or a certificate search the node is waiting on


def _first_press(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, _exit_now)  # a second press while QED cleans up ends it at once
    abort_calls()
    raise KeyboardInterrupt


@contextmanager
def stop_on_interrupt(run: RunDir, total: int) -> Iterator[None]:
    """Turn Ctrl-C inside the block into: calls stopped, partial summary, resume hint, exit 130."""
    previous = signal.signal(signal.SIGINT, _first_press)
    try:
        yield
    except KeyboardInterrupt:
        done = write_partial_summary(run, total)
        sys.stdout.flush()
        typer.echo(f"\ninterrupted after {done} of {total} problem(s); summary: {run.file(RunDir.SUMMARY)}", err=True)
        typer.echo(resume_hint(run), err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        if signal.getsignal(signal.SIGINT) is _first_press:
            signal.signal(signal.SIGINT, previous)
