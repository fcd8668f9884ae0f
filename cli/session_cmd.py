"""`qed session [PROBLEM]`: work on one problem together with QED, step by step (agent/interactive/)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from qed.cli.errors import fail

if TYPE_CHECKING:
    from qed.agent.config import QedConfig
    from qed.agent.runs import RunDir


def _run_folder(ref: str) -> RunDir:
    from qed.agent.runs import RunDir, runs_root

    path = Path(ref).expanduser()
    if not path.is_dir():
        path = runs_root() / ref
    if not (path / "session.json").is_file():
        raise fail(f"{ref}: no session there (give a run folder or its name under {runs_root()})")
    return RunDir.open(path)


def open_session(problem_target: str | None, *, resume: str | None, cfg: QedConfig, memory: Path | None,
                 source: str | None = None, trust_run_config: bool = False) -> None:
    """Start (or resume) a session and hand the terminal to the REPL; shared with `qed prove -i`."""
    from qed.agent.checkpoints import verify_checkpoints
    from qed.agent.interactive.repl import Repl
    from qed.agent.interactive.workbench import SessionError, Workbench
    from qed.agent.runs import RunDir
    from qed.agent.session import RunSession
    from qed.cli.prove_cmd import _problem_from
    from qed.cli.solve_cmd import open_memory_for
    from rich.console import Console

    console = Console(highlight=False)
    if resume:
        run = _run_folder(resume)
        verify_checkpoints(run.file(RunDir.CHECKPOINTS))  # a run folder is data: refuse a patched file first
        from qed.agent.interactive.workbench import saved_roles
        from qed.agent.runs import resume_plan
        from qed.cli.solve_cmd import _resume_roles

        # the run's models and its /model choices, as `qed solve --resume` takes them: yours, or your consent
        saved = {**resume_plan(run, ("loop",)).models, **saved_roles(run)}
        cfg.roles = _resume_roles(run, saved, cfg.roles, trust_run_config)
        problem = None
    else:
        if not problem_target:
            raise fail("give a problem (a statement in quotes or a file), or --resume RUN")
        problem = _problem_from(problem_target, None)
        run = RunDir.create("session", problem.id if problem.source != "command line" else problem.statement)
        run.write_config({"command": "session", "source": source or (problem_target if problem.source != "command line"
                                                                    else "command line"),
                          "started": datetime.now(UTC).isoformat(), **cfg.to_dict()})
    mem = open_memory_for(cfg.loop.use_memory, memory)
    with RunSession(run, cfg.roles, deadline_s=cfg.loop.call_deadline_s) as session:
        if mem is not None:
            session.adopt(mem)
        session.models()  # fail fast (missing model, bad key) before the prompt
        bench = Workbench(session, cfg, mem)
        try:
            if problem is None:
                bench.resume()
            else:
                bench.start(problem)
        except SessionError as e:
            raise fail(str(e)) from None
        Repl(bench, console, run.file("prompt_history")).run()


def session(
    target: str = typer.Argument(None, help="A statement in quotes, or a file holding one problem."),
    resume: str = typer.Option(None, "--resume", help="Continue a session: its run folder or the folder's name."),
    model: str = typer.Option(None, "--model", "-m", help="Model spec for every role."),
    role: list[str] = typer.Option([], "--role", help="ROLE=SPEC for one role (repeatable)."),
    config: Path = typer.Option(None, "--config", help="A qed.toml to read."),
    memory: Path = typer.Option(None, "--memory", help="Memory database file."),
    no_memory: bool = typer.Option(False, "--no-memory", help="Neither recall from nor write to memory."),
    trust_run_config: bool = typer.Option(
        False, "--trust-run-config",
        help="With --resume: use the run folder's models even where they differ from your configuration."),
) -> None:
    """An interactive proof session: claims checked now, computations, the loop step by step, export."""
    if trust_run_config and not resume:
        raise fail("--trust-run-config goes with --resume RUN")
    from qed.agent.config import load_config
    from qed.models.roles import parse_role_overrides

    cfg = load_config(config, model=model, role_overrides=parse_role_overrides(role))
    cfg.loop.interactive = False  # the person steers with commands; the loop never stops to ask
    if no_memory:
        cfg.loop.use_memory = False
    open_session(target, resume=resume, cfg=cfg, memory=memory, trust_run_config=trust_run_config)
