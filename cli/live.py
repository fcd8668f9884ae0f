"""The live view of a solve: each running problem with its node, time and spend; the running accuracy.

On a terminal it is a panel redrawn in place; when stdout is not a terminal (`| tee`, nohup, a
log file) a panel never draws, so the same events become plain lines, one per problem and stage.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qed.agent.provenance import of_result
from qed.agent.summary import Tally
from rich.console import Console, Group
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

FILE_ORDER = "as in the file"  # run_start's `order` when problems are handed out as the file lists them
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
            if event.get("order", FILE_ORDER) != FILE_ORDER:
                self._say(f"order: {event['order']}")
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


@dataclass
class _Running:
    """One problem on the panel while a job works on it."""

    index: int
    problem: dict[str, Any]
    started: float
    node: str = ""
    round: int = 1
    status: str = ""
    tokens: int = 0
    calls: int = 0


class LiveView:
    """Consumes the solver's events; redraws a small panel and prints each finished problem.

    The panel has one row per problem being solved (with --jobs N, up to N at once: the events of
    all jobs arrive here, each naming its problem), the finished count, and the budgets as they are
    spent. It is redrawn several times a second, so the clocks move between events too.
    """

    def __init__(self, title: str, max_rounds: int, console: Console | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.console = console or Console()
        self.title = title
        self.max_rounds = max_rounds
        self.clock = clock
        self.tally = Tally()
        self.total = 0
        self.jobs = 1
        self.budgets: dict[str, dict[str, float]] = {}
        self.running: dict[str, _Running] = {}  # by problem id, in the order they started
        self.last = ""  # the problem started last: a one-job run's events carry no problem id
        self.run_spend = (0, 0)  # tokens, calls of the whole run (as the last model call counted them)
        self.tail: deque[str] = deque([""], maxlen=6)
        self.run_start = clock()
        self.live = Live(console=self.console, refresh_per_second=8, transient=True, get_renderable=self.render)

    def __enter__(self) -> LiveView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(*exc)

    def _job(self, event: dict[str, Any]) -> _Running | None:
        pid = event["result"].get("problem_id") if event.get("event") == "problem_end" else event.get("problem_id")
        return self.running.get(pid if pid is not None else self.last)

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        job = self._job(event)
        if kind == "run_start":
            self.total = event["total"]
            self.jobs = int(event.get("jobs") or 1)
            self.budgets = event.get("budgets") or {}
            self.run_start = self.clock()
            for r in event["done"]:
                self.tally.add(r)
            if event["done"]:
                self.console.print(f"[dim]resuming: {len(event['done'])} problem(s) already finished[/dim]")
            if event.get("order", FILE_ORDER) != FILE_ORDER:
                self.console.print(f"order: {event['order']}", style="dim", markup=False)
        elif kind == "problem_start":
            pid = str(event["problem"].get("id"))
            self.running[pid] = _Running(event["index"], event["problem"], self.clock())
            self.last = pid
            self.tail = deque([""], maxlen=6)
        elif job is None:
            pass  # an event of a problem no longer on the panel
        elif kind == "node":
            job.node, job.round, job.status = event["node"], event.get("round", 1), ""
            if self.tail[-1]:
                self.tail.append("")
        elif kind == "token":
            self._add_tokens(event["text"])
        elif kind == "status":
            if not event["text"].startswith("budget "):  # the spend event shows it, in the row
                job.status = event["text"]
        elif kind == "spend":
            job.tokens, job.calls = event["tokens"], event["calls"]
            self.run_spend = max(self.run_spend, (event.get("run_tokens", 0), event.get("run_calls", 0)))
        elif kind == "update":
            for check in event["update"].get("checks") or []:
                job.status = f"{check['stage']}: {check['verdict']} — {check['summary'][:100]}"
        elif kind == "error":
            job.status = f"error in {event.get('node')}: {event.get('text')}"
        if kind == "problem_end":
            result = event["result"]
            self.running.pop(str(result.get("problem_id")), None)
            self.tally.add(result)
            self.live.console.print(outcome_text(result))
        # Live redraws 8 times a second from render(); at once only when a problem or a stage
        # begins, never per token
        if kind in ("run_start", "problem_start", "node") and self.live.is_started:
            self.live.refresh()

    def _add_tokens(self, piece: str) -> None:
        lines = piece.split("\n")
        self.tail[-1] += lines[0]
        for more in lines[1:]:
            self.tail.append(more)

    def render(self) -> Panel:
        """The panel as it is now (Live calls this at every redraw)."""
        now = self.clock()
        head = Text(f"finished {self.tally.done}/{self.total} · running {len(self.running)}", style="bold")
        if self.jobs > 1:
            head.append(f" on {self.jobs} jobs")
        head.append(f" · elapsed {_clock(now - self.run_start)}", style="dim")
        score = Text(self.tally.line() if self.tally.done else "no results yet")
        parts: list[Any] = [head, score]
        budget = self._budget_line(now)
        if budget:
            parts.append(Text(budget, style="dim"))
        width = max(20, self.console.width - 6)
        if not self.running:
            parts.append(Text("starting…" if not self.tally.done else "", style="dim"))
        for job in self.running.values():
            parts.append(self._row(job, now))
            if job.status:
                parts.append(Text(f"    {job.status}"[:width], style="yellow"))
        if len(self.running) == 1 and any(self.tail):  # one problem: its reply as it streams
            parts.append(Text("\n".join(line[-width:] for line in self.tail), style="grey62"))
        return Panel(Group(*parts), title=self.title, title_align="left")

    def _row(self, job: _Running, now: float) -> Text:
        problem = self.budgets.get("problem") or {}
        row = Text(f"[{job.index + 1}/{self.total}] {job.problem.get('id')}", style="bold")
        row.append(f" ({job.problem.get('kind')})  ")
        row.append(f"{job.node or '…'}", style="cyan")
        row.append(f" · round {job.round}/{self.max_rounds}  ")
        row.append(_clock(now - job.started) + (f"/{_num(problem['seconds'])} s" if problem.get("seconds") else ""))
        if job.calls or problem.get("tokens") or problem.get("calls"):  # the engine alone calls no model
            row.append(f"  {_of(job.tokens, problem.get('tokens'))} tok · {_of(job.calls, problem.get('calls'))} calls",
                       style="dim")
        return row

    def _budget_line(self, now: float) -> str:
        """The limits per problem, and the run's spending against its own."""
        problem, run = self.budgets.get("problem") or {}, self.budgets.get("run") or {}
        if not problem and not run:
            return ""
        parts = []
        if problem:
            parts.append("budget per problem: " + ", ".join(f"{_num(v)} {_UNITS[k]}" for k, v in problem.items()))
        if run:
            tokens, calls = self.run_spend
            text = f"run: {_of(tokens, run.get('tokens'))} tok, {_of(calls, run.get('calls'))} calls"
            if run.get("seconds"):
                text += f", {_clock(now - self.run_start)}/{_clock(run['seconds'])}"
            parts.append(text)
        return " · ".join(parts)


_UNITS = {"tokens": "tokens", "seconds": "s", "calls": "model calls"}


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() or x >= 100 else f"{x:,.1f}"


def _of(used: float, limit: float | None) -> str:
    return f"{_num(used)}/{_num(limit)}" if limit else _num(used)


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
