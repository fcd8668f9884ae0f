"""`qed solve PATH`: a problem set through the research loop (or the engine alone), with a live view."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from qed.agent.config import load_config
from qed.agent.runs import RunDir
from qed.agent.solve import SolveOptions, Solver
from qed.agent.summary import tally
from qed.cli.errors import fail
from qed.cli.live import LiveView
from qed.memory import Memory, open_memory
from qed.models.roles import parse_role_overrides
from qed.problems.load import count_selected, iter_problems, select
from rich.console import Console

SOLVERS = ("loop", "symbolic")


def solve(
    path: Path = typer.Argument(None, help="Problem file or folder (IneqMath JSON, CSV, .tex, .md/.txt, JSONL)."),
    limit: int = typer.Option(None, "--limit", "-n", min=1, help="Solve only the first N problems."),
    ids: str = typer.Option(None, "--ids", help="Comma-separated problem ids to solve."),
    model: str = typer.Option(None, "--model", "-m", help="Model spec for every role, e.g. openai:gpt-4o."),
    role: list[str] = typer.Option([], "--role", help="ROLE=SPEC for one role (repeatable)."),
    solver: str = typer.Option("loop", "--solver", help="loop (models + computation) or symbolic (engine only)."),
    rounds: int = typer.Option(None, "--rounds", min=1, help="Refine rounds before abstaining."),
    config: Path = typer.Option(None, "--config", help="A qed.toml to read (default: ./qed.toml)."),
    resume: Path = typer.Option(None, "--resume", help="Continue an interrupted run folder."),
    memory: Path = typer.Option(None, "--memory", help="Memory database file (default: the user's data dir)."),
    no_memory: bool = typer.Option(False, "--no-memory", help="Neither recall from nor write to memory."),
) -> None:
    """Solve a problem set; results land in runs/<timestamp>-solve-<name>/ as each problem ends."""
    if solver not in SOLVERS:
        raise fail(f"--solver must be one of {', '.join(SOLVERS)}, not {solver!r}")
    if resume:
        run = RunDir.open(resume)
        saved = run.read_config()
        path = Path(saved["source"])
        limit, ids, solver = saved.get("limit"), saved.get("ids"), saved.get("solver", "loop")
        model, role = None, [f"{r}={s}" for r, s in saved["models"].items()]
        rounds = saved["loop"]["max_rounds"]
    elif path is None:
        raise fail("give a problem file or folder (or --resume RUN_DIR)")
    wanted = [i.strip() for i in ids.split(",") if i.strip()] if ids else None
    total, missing = count_selected(path, wanted, limit)  # one streaming pass: a bad file fails here
    if missing:
        raise fail(f"no problem with id {', '.join(missing)} in {path}")
    problems = select(iter_problems(path), wanted, limit)  # read again as the run goes
    cfg = load_config(config, model=model, role_overrides=parse_role_overrides(role),
                      loop_overrides={"max_rounds": rounds} if rounds else None)
    if no_memory:
        cfg.loop.use_memory = False
    if not resume:
        run = RunDir.create("solve", Path(path).stem)
        run.write_config({
            "command": "solve", "source": str(Path(path).resolve()), "limit": limit, "ids": ids,
            "solver": solver, "problems": total, "started": datetime.now(UTC).isoformat(),
            **cfg.to_dict(),
        })
    mem = open_memory_for(cfg.loop.use_memory and solver == "loop", memory)
    console = Console()
    console.print(f"[bold]QED[/bold] solving {total} problem(s) from {path} → [cyan]{run.path}[/cyan]")
    if solver == "loop":
        console.print("[dim]models: " + ", ".join(f"{r}={s}" for r, s in cfg.roles.specs.items()) + "[/dim]")
    solver_obj = Solver(cfg, run, SolveOptions(solver=solver, memory=mem))
    try:
        if solver == "loop":
            solver_obj.models()  # fail fast (missing model, bad key) before the live view starts
        with LiveView(f"QED solve · {Path(path).name}", cfg.loop.max_rounds, console) as view:
            solver_obj.on_event = view
            results = solver_obj.solve_all(problems, total)
    finally:
        solver_obj.close()
    t = tally(results)
    console.print(f"\n[bold]{t.line()}[/bold]")
    console.print(f"results: {run.file(RunDir.RESULTS)}\nsummary: {run.file(RunDir.SUMMARY)}")


def open_memory_for(enabled: bool, path: Path | None) -> Memory | None:
    """The memory the loop recalls from and writes to, or None when memory is off."""
    return open_memory(path) if enabled else None
