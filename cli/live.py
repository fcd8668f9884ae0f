"""The live view of a solve: current problem, node, round, tokens, elapsed, running accuracy.

On a terminal it is a panel redrawn in place; when stdout is not a terminal (`| tee`, nohup, a
log file) a panel never draws, so the same events become plain lines, one per problem and stage.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from typing import Any

from qed.agent.provenance import of_result
from qed.agent.summary import Tally
from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

_OUTCOME_STYLE = {"solved": "green", "refuted": "magenta", "abstained": "yellow", "error": "red"}


def outcome_text(result: dict[str, Any]) -> Text:
    style = _OUTCOME_STYLE.get(result["outcome"], "white")
    mark = {True: " ✓", False: " ✗", None: ""}[result.get("correct")]
    answer = result.get("answer") or ""
    line = Text(f"{result['problem_id']:<24} ", style="bold")
    line.append(f"{result['outcome']:<9}", style=style)
    line.append(f" {answer[:40]:<40}{mark}  ")
    line.append(f"{result.get('rounds', 0)} rnd · {sum((result.get('tokens') or {}).values()):>5} tok · "
                f"{result.get('seconds', 0):5.1f} s", style="dim")
    found = of_result(result)
    if found is not None:
        line.append(f"\n    {found.line()}", style="green" if found.verified else "yellow")
    if result.get("error"):
        line.append(f"\n    {result['error']}", style="red")
    elif result["outcome"] == "abstained" and result.get("reason"):
        line.append(f"\n    {result['reason'].splitlines()[0][:150]}", style="dim")
    return line


def make_console() -> Console:
    """The console a command prints to; off a terminal, lines are never wrapped or coloured."""
    if sys.stdout.isatty():
        return Console()
    return Console(soft_wrap=True, highlight=False, no_color=True)


def plain_outcome(result: dict[str, Any]) -> str:
    """One line for a finished problem, for logs and pipes."""
    mark = {True: " ✓", False: " ✗", None: ""}[result.get("correct")]
    found = of_result(result)
    parts = [f"{result['outcome']}{mark}"]
    if result.get("answer"):
        parts.append(f"answer {' '.join(str(result['answer']).split())[:80]}")
    if found is not None:
        parts.append(found.line())
    parts.append(f"{result.get('rounds', 0)} rnd, {sum((result.get('tokens') or {}).values())} tok, "
                 f"{result.get('seconds', 0):.1f} s")
    if result.get("error"):
        parts.append(f"error: {result['error']}")
    elif result["outcome"] == "abstained" and result.get("reason"):
        parts.append(result["reason"].splitlines()[0][:150])
    return " · ".join(parts)


class PlainView:
    """The live view's events as plain lines: a problem starting, each stage, each verdict, the end."""

    def __init__(self, title: str, max_rounds: int, console: Console | None = None):
        self.console = console or make_console()
        self.title = title
        self.tally = Tally()
        self.total = 0
        self.prefix = ""
        self.prefixes: dict[str, str] = {}  # with --jobs, events of several problems interleave

    def __enter__(self) -> PlainView:
        return self

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()

    def _say(self, text: str) -> None:
        self.console.out(f"{self.prefix}{text}", highlight=False)
        self.console.file.flush()

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        pid = event["result"].get("problem_id") if kind == "problem_end" else event.get("problem_id")
        if pid in self.prefixes:
            self.prefix = self.prefixes[pid]
        if kind == "run_start":
            self.total = event["total"]
            for r in event["done"]:
                self.tally.add(r)
            if event["done"]:
                self._say(f"resuming: {len(event['done'])} problem(s) already finished")
        elif kind == "problem_start":
            problem = event["problem"]
            self.prefix = self.prefixes[problem.get("id")] = f"[{event['index'] + 1}/{self.total}] {problem.get('id')} "
            self._say(f"start ({problem.get('kind')})")
        elif kind == "node":
            self._say(f"{event['node']} · round {event.get('round', 1)}")
        elif kind == "update":
            for check in event["update"].get("checks") or []:
                self._say(f"{check['stage']}: {check['verdict']} — {' '.join(check['summary'].split())[:160]}")
        elif kind == "error":
            self._say(f"error in {event.get('node')}: {event.get('text')}")
        elif kind == "problem_end":
            self.tally.add(event["result"])
            self._say(plain_outcome(event["result"]))
            self.prefixes.pop(pid, None)
            self.prefix = ""
            self._say(self.tally.line())


def live_view(title: str, max_rounds: int, console: Console) -> LiveView | PlainView:
    """The panel on a terminal, plain lines anywhere else."""
    if console.is_terminal:
        return LiveView(title, max_rounds, console)
    return PlainView(title, max_rounds, console)


class LiveView:
    """Consumes the solver's events; redraws a small panel and prints each finished problem."""

    def __init__(self, title: str, max_rounds: int, console: Console | None = None):
        self.console = console or Console()
        self.title = title
        self.max_rounds = max_rounds
        self.tally = Tally()
        self.total = 0
        self.index = 0
        self.problem: dict[str, Any] = {}
        self.node = ""
        self.round = 1
        self.status = ""
        self.tokens = 0
        self.tail: deque[str] = deque([""], maxlen=6)
        self.run_start = time.monotonic()
        self.problem_start = time.monotonic()
        self.live = Live(self._render(), console=self.console, refresh_per_second=8, transient=True)

    def __enter__(self) -> LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(*exc)

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        pid = event["result"].get("problem_id") if kind == "problem_end" else event.get("problem_id")
        if pid in self.prefixes:
            self.prefix = self.prefixes[pid]
        if kind == "run_start":
            self.total = event["total"]
            for r in event["done"]:
                self.tally.add(r)
            if event["done"]:
                self.console.print(f"[dim]resuming: {len(event['done'])} problem(s) already finished[/dim]")
        elif kind == "problem_start":
            self.index, self.problem = event["index"], event["problem"]
            self.problem_start = time.monotonic()
            self.node, self.round, self.status = "", 1, ""
            self.tail = deque([""], maxlen=6)
        elif kind == "node":
            self.node, self.round, self.status = event["node"], event.get("round", 1), ""
            if self.tail[-1]:
                self.tail.append("")
        elif kind == "token":
            self._add_tokens(event["text"])
        elif kind == "status":
            self.status = event["text"]
        elif kind == "update":
            usage = event["update"].get("usage") or {}
            self.tokens += usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0)
            for check in event["update"].get("checks") or []:
                self.status = f"{check['stage']}: {check['verdict']} — {check['summary'][:100]}"
        elif kind == "problem_end":
            self.tally.add(event["result"])
            self.live.console.print(outcome_text(event["result"]))
        self.live.update(self._render())

    def _add_tokens(self, piece: str) -> None:
        lines = piece.split("\n")
        self.tail[-1] += lines[0]
        for more in lines[1:]:
            self.tail.append(more)

    def _render(self) -> Panel:
        now = time.monotonic()
        head = Text()
        if self.problem:
            head.append(f"problem {self.index + 1}/{self.total}  ", style="bold")
            head.append(f"{self.problem.get('id')} ({self.problem.get('kind')})  ")
            head.append(f"node: {self.node or '…'}  ", style="cyan")
            head.append(f"round {self.round}/{self.max_rounds}")
        else:
            head.append("starting…")
        stats = Text(
            f"tokens {self.tokens:,} · elapsed {_clock(now - self.run_start)} · "
            f"this problem {_clock(now - self.problem_start)}",
            style="dim",
        )
        score = Text(self.tally.line() if self.tally.done else "no results yet")
        status = Text(self.status[:160], style="yellow") if self.status else Text("")
        width = max(20, self.console.width - 6)
        tail = Text("\n".join(line[-width:] for line in self.tail), style="grey62")
        return Panel(Group(head, stats, score, status, tail), title=self.title, title_align="left")


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
