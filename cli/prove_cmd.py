"""`qed prove`: one problem, with the loop's trajectory printed as it happens."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from qed.cli.errors import fail
from qed.problems.record import KINDS

if TYPE_CHECKING:
    from qed.problems.record import Problem
    from rich.console import Console

PROBLEM_FILE = "problem.jsonl"
_VERDICT_STYLE = {"pass": "green", "fail": "red", "unknown": "yellow", "skipped": "dim"}


class Trajectory:
    """Prints node headers, streamed model text, verdicts and the decision, in order."""

    def __init__(self, console: Console):
        self.console = console
        self.streaming = False

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "node":
            self._end_stream()
            self.console.rule(f"[bold cyan]{event['node']}[/bold cyan] · round {event.get('round', 1)}", align="left")
        elif kind == "token":
            self.streaming = True
            self.console.out(event["text"], end="", highlight=False)
        elif kind == "status":
            self._end_stream()
            self.console.print(f"[dim]{event['text']}[/dim]")
        elif kind == "update":
            self._end_stream()
            update = event["update"]
            for draft in update.get("drafts") or []:
                answer = draft["answer"]
                self.console.print(f"[bold]answer read:[/bold] {answer['text'] if answer else '(none)'}"
                                   + ("  [yellow](cut off by the token budget)[/yellow]" if draft["truncated"] else ""))
            for c in update.get("checks") or []:
                style = _VERDICT_STYLE.get(c["verdict"], "white")
                self.console.print(f"[{style}]{c['stage']}: {c['verdict']}[/{style}] — {c['summary']}")
            if update.get("decision"):
                said = update.get("reason") or update.get("feedback") or ""
                self.console.print(f"[bold]decision: {update['decision']}[/bold] {said}")
        elif kind == "error":
            self._end_stream()
            self.console.print(f"[red]error in {event['node']}: {event['text']}[/red]")
        elif kind == "problem_end":
            from qed.cli.live import outcome_text

            self._end_stream()
            self.console.rule("result", align="left")
            self.console.print(outcome_text(event["result"]))

    def _end_stream(self) -> None:
        if self.streaming:
            self.console.out("")
            self.streaming = False


def _problem_from(target: str, kind: str | None) -> Problem:
    from qed.problems.load import load_problems
    from qed.problems.loaders.text import problems_from_text

    path = Path(target)
    if len(target) < 4096 and "\n" not in target and path.exists():
        problems = load_problems(path)
        if len(problems) != 1:
            raise ValueError(f"{path} holds {len(problems)} problems; qed prove takes one (use qed solve)")
        problem = problems[0]
    else:
        problem = problems_from_text(target, stem="prompt", source="command line")[0]
    if kind:
        problem.kind = kind  # type: ignore[assignment]
        problem.__post_init__()
    return problem


def ask_person(console: Console):
    from rich.prompt import Prompt

    def ask(payload: dict[str, Any]) -> dict[str, str]:
        console.print(f"\n[bold]QED proposes: {payload['proposal']}[/bold]  {payload.get('reason') or ''}")
        decision = Prompt.ask("your decision", choices=["accept", "refine", "abstain"],
                              default=payload["proposal"], console=console)
        note = Prompt.ask("a note for the next attempt (optional)", default="", console=console) if decision == "refine" else ""
        return {"decision": decision, "feedback": note}

    return ask


def prove(
    target: str = typer.Argument(..., help="A statement in quotes, or a file holding one problem."),
    kind: str = typer.Option(None, "--kind", help=f"Override the guessed kind: {', '.join(KINDS)}."),
    model: str = typer.Option(None, "--model", "-m", help="Model spec for every role."),
    role: list[str] = typer.Option([], "--role", help="ROLE=SPEC for one role (repeatable)."),
    rounds: int = typer.Option(None, "--rounds", min=1, help="Refine rounds before abstaining."),
    interactive: bool = typer.Option(False, "--interactive", help="You confirm each decision."),
    session: bool = typer.Option(False, "-i", "--session", help="Open an interactive session on it (qed session)."),
    config: Path = typer.Option(None, "--config", help="A qed.toml to read."),
    memory: Path = typer.Option(None, "--memory", help="Memory database file."),
    no_memory: bool = typer.Option(False, "--no-memory", help="Neither recall from nor write to memory."),
) -> None:
    """Work on one problem and show every step: drafts, checks, computation, review, decision."""
    from qed.agent.config import load_config
    from qed.agent.runs import RunDir
    from qed.agent.session import RunSession
    from qed.agent.solve import SolveOptions, Solver
    from qed.cli.interrupt import stop_on_interrupt
    from qed.cli.proof_view import show_proof
    from qed.cli.solve_cmd import open_memory_for
    from qed.models.registry import preflight
    from qed.models.roles import parse_role_overrides
    from rich.console import Console

    if kind and kind not in KINDS:
        raise fail(f"--kind must be one of {', '.join(KINDS)}")
    problem = _problem_from(target, kind)
    cfg = load_config(config, model=model, role_overrides=parse_role_overrides(role),
                      loop_overrides={"max_rounds": rounds} if rounds else None)
    cfg.loop.interactive = interactive
    if session:  # qed session on this problem: the person steers step by step
        from qed.cli.session_cmd import open_session

        cfg.loop.interactive = False
        if no_memory:
            cfg.loop.use_memory = False
        return open_session(target, resume=None, cfg=cfg, memory=memory)
    if no_memory:
        cfg.loop.use_memory = False
    preflight(cfg.roles.specs.values())  # an unknown or unpulled model leaves no run folder
    run = RunDir.create("prove", problem.id if problem.source != "command line" else problem.statement)
    saved = run.file(PROBLEM_FILE)  # the problem as read, so `qed solve --resume` can carry it on
    saved.write_text(json.dumps(problem.to_dict(), ensure_ascii=False) + "\n", encoding="utf-8")
    run.write_config({"command": "prove", "source": str(saved.resolve()), "given": target[:4096],
                      "solver": "loop", "problems": 1, "started": datetime.now(UTC).isoformat(), **cfg.to_dict()})
    console = Console()
    console.print(f"[bold]QED[/bold] {problem.kind} problem {problem.id} → [cyan]{run.path}[/cyan]")
    console.print(problem.statement)
    mem = open_memory_for(cfg.loop.use_memory, memory)
    with RunSession(run, cfg.roles, deadline_s=cfg.loop.call_deadline_s) as session, stop_on_interrupt(run, 1):
        if mem is not None:
            session.adopt(mem)
        options = SolveOptions(memory=mem, ask=ask_person(console) if interactive else None)
        solver = Solver(cfg, session, options, on_event=Trajectory(console))
        session.models()  # fail fast (missing model, bad key) before the first node
        [result] = solver.solve_all([problem])
    show_proof(console, run.path, result)
    console.print(f"results: {run.file(RunDir.RESULTS)}")
    if result["outcome"] == "error":
        raise typer.Exit(1)
