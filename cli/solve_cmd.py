"""`qed solve PATH`: a problem set through the research loop (or the engine alone), with a live view."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from qed.cli.errors import fail, unknown_choice

if TYPE_CHECKING:
    from qed.agent.runs import RunDir
    from qed.memory import Memory
    from qed.models.roles import RoleSpecs

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
    trust_run_config: bool = typer.Option(
        False, "--trust-run-config",
        help="With --resume: use the run folder's models even where they differ from your configuration."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, max=256, help="Solve N problems at a time, in N processes."),
    ray: str = typer.Option(None, "--ray", metavar="ADDRESS",
                            help="Run problems as Ray tasks: 'local' starts a Ray here; 'auto' or ray://HOST:PORT "
                                 "joins a cluster (pip install 'qed-workbench[ray]')."),
    budget: str = typer.Option(None, "--budget", help="Per problem: tokens=N,seconds=S,calls=N (any of them)."),
    run_budget: str = typer.Option(None, "--run-budget", help="For the whole run: tokens=N,seconds=S,calls=N."),
    recipe: str = typer.Option(None, "--recipe", help="single, pessimistic[:N], best-of[:N] or heavy[:N] (parameters in qed.toml [recipes])."),
) -> None:
    """Solve a problem set; results land in runs/<timestamp>-solve-<name>/ as each problem ends."""
    from qed.agent.budget import LocalCounter, Meter, resolve_budgets, spent
    from qed.agent.checkpoints import verify_checkpoints
    from qed.agent.config import load_config
    from qed.agent.parallel import batch_runner
    from qed.agent.recipes import resolve_recipe
    from qed.agent.runs import RunDir, resume_plan
    from qed.agent.session import RunSession
    from qed.agent.solve import SolveOptions, Solver
    from qed.agent.summary import tally
    from qed.cli.interrupt import stop_on_interrupt
    from qed.cli.live import live_view, make_console
    from qed.cli.proof_view import with_proofs
    from qed.models.registry import preflight
    from qed.models.roles import parse_role_overrides
    from qed.problems.load import count_selected, iter_problems, select

    if solver not in SOLVERS:
        raise fail(unknown_choice("--solver", solver, SOLVERS))
    if trust_run_config and not resume:
        raise fail("--trust-run-config goes with --resume RUN_DIR")
    plan = None
    if resume:
        # A run folder may come from someone else: its config is checked, its checkpoints are read
        # strictly before anything runs, and its models need your consent (see _resume_roles).
        run = RunDir.open(resume)
        plan = resume_plan(run, SOLVERS)
        verify_checkpoints(run.file(RunDir.CHECKPOINTS))
        path = Path(plan.source)
        limit, ids, solver, rounds = plan.limit, plan.ids, plan.solver, plan.max_rounds
    elif path is None:
        raise fail("give a problem file or folder (or --resume RUN_DIR)")
    cfg = load_config(config, model=model, role_overrides=parse_role_overrides(role),
                      loop_overrides={"max_rounds": rounds} if rounds else None)
    if no_memory:
        cfg.loop.use_memory = False
    saved = run.read_config() if plan is not None else {}
    budgets = resolve_budgets(cfg.tables.get("budget"), budget, run_budget, saved.get("budget"))
    recipe_used = resolve_recipe(recipe, cfg.tables.get("recipes"), saved.get("recipe"))
    if plan is not None and solver == "loop":
        cfg.roles = _resume_roles(run, plan.models, cfg.roles, trust_run_config)
    wanted = [i.strip() for i in ids.split(",") if i.strip()] if ids else None
    total, missing = count_selected(path, wanted, limit)  # one streaming pass: a bad file fails here
    if missing:
        raise fail(f"no problem with id {', '.join(missing)} in {path}")
    problems = select(iter_problems(path), wanted, limit)  # read again as the run goes
    mem = open_memory_for(cfg.loop.use_memory and solver == "loop", memory)
    if solver == "loop":
        preflight(cfg.roles.specs.values())  # an unknown or unpulled model leaves no run folder
    if not resume:
        run = RunDir.create("solve", Path(path).stem)
        run.write_config({
            "command": "solve", "source": str(Path(path).resolve()), "limit": limit, "ids": ids,
            "solver": solver, "problems": total, "started": datetime.now(UTC).isoformat(),
            "jobs": jobs, "budget": budgets.to_dict(), "recipe": recipe_used.to_dict(),
            **cfg.to_dict(),
        })
    console = make_console()
    console.print(f"[bold]QED[/bold] solving {total} problem(s) from {path} → [cyan]{run.path}[/cyan]")
    if solver == "loop":
        console.print("[dim]models: " + ", ".join(f"{r}={s}" for r, s in cfg.roles.specs.items()) + "[/dim]")
    if not budgets.empty or recipe_used.name != "single":
        console.print(f"[dim]recipe: {recipe_used.label} · budget per problem: {budgets.problem.text()} · "
                      f"for the run: {budgets.run.text()}[/dim]")
    run_deadline = time.time() + budgets.run.seconds if budgets.run.seconds else None
    with RunSession(run, cfg.roles, deadline_s=cfg.loop.call_deadline_s) as session, stop_on_interrupt(run, total):
        if mem is not None:
            session.adopt(mem)
        meter = Meter(budgets, LocalCounter(*spent(run.results())), run_deadline)
        solver_obj = Solver(cfg, session, SolveOptions(solver=solver, memory=mem, budgets=budgets,
                                                       recipe=recipe_used, meter=meter))
        if solver == "loop":
            session.models()  # fail fast (missing model, bad key) before the live view starts
        runner = batch_runner(solver_obj, jobs=jobs, ray=ray, memory_path=memory, run_deadline=run_deadline)
        with live_view(f"QED solve · {Path(path).name}", cfg.loop.max_rounds, console) as view:
            runner.on_event = with_proofs(view, console, run.path)
            results = runner.solve_all(problems, total)
    t = tally(results)
    console.print(f"\n[bold]{t.line()}[/bold]")
    if runner.stopped:
        more = " --run-budget ..." if "for the run" in runner.stopped else ""
        console.print(f"[yellow]stopped early: {runner.stopped}[/yellow]\n"
                      f"[yellow]the problems not finished are not recorded; continue with "
                      f"qed solve --resume {run.path}{more}[/yellow]")
    console.print(f"results: {run.file(RunDir.RESULTS)}\nsummary: {run.file(RunDir.SUMMARY)}")


def _resume_roles(run: RunDir, saved: dict[str, str], current: RoleSpecs, trust: bool) -> RoleSpecs:
    """The roles a resume runs with: the run's models, if they match yours or you consent.

    Consent is --trust-run-config or a yes at the prompt (when stdin is a terminal). A role whose
    model came from the run folder gets no custom-host key (no QED_* key, no api_key_env): a run
    folder can choose a model, never where keys go; a provider's key still goes only to its host.
    """
    from qed.agent.runs import RunDir
    from qed.models.registry import parse_spec
    from qed.models.roles import ROLES, RoleSpecs

    unknown = set(saved) - set(ROLES)
    if unknown:
        raise fail(f"{run.file(RunDir.CONFIG)}: unknown role(s) {', '.join(sorted(unknown))}")
    for spec in saved.values():
        parse_spec(spec)
    differ = {r: s for r, s in saved.items() if current.specs.get(r) != s}
    if not differ:
        return current
    listing = "; ".join(f"{r}={s} (yours: {current.specs.get(r)})" for r, s in differ.items())
    if not trust:
        if not sys.stdin.isatty():
            raise fail(f"{run.file(RunDir.CONFIG)} names models that differ from your configuration: {listing}; "
                       "to resume, pass the same --model/--role, or --trust-run-config to use the run's models")
        typer.echo(f"{run.file(RunDir.CONFIG)} asks for models that differ from your configuration:", err=True)
        for r, s in differ.items():
            typer.echo(f"  {r}: {s}   (yours: {current.specs.get(r)})", err=True)
        typer.echo("  these hosts get no QED_* key and no api_key_env key; "
                   "a provider's key goes only to that provider's own host", err=True)
        if not typer.confirm("Resume with the run's models?", default=False, err=True):
            raise fail("resume refused; pass the same --model/--role to resume with your own models")
    return RoleSpecs({**current.specs, **saved},
                     key_env={r: v for r, v in current.key_env.items() if r not in differ},
                     from_run=frozenset(differ))


def open_memory_for(enabled: bool, path: Path | None) -> Memory | None:
    """The memory the loop recalls from and writes to, or None when memory is off.

    An unusable memory (empty, damaged, foreign, newer) stops the command here with one line and
    exit status 2, before any problem runs: otherwise every problem would end as `error`.
    """
    if not enabled:
        return None
    from qed.memory import MemoryStoreError, open_memory

    try:
        return open_memory(path)
    except MemoryStoreError as e:  # run_cli prints it as `error: ...` and exits 2
        raise MemoryStoreError(f"memory: {e} (or run with --no-memory)") from None
