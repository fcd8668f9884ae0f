"""`qed eval RUN`: re-score a finished run from its folder (answers, proofs, judges) and print a table."""

from __future__ import annotations

from pathlib import Path

import typer
from qed.verifiers.judges.group_names import GROUP_NAMES


def eval_command(
    run: Path = typer.Argument(..., help="A finished run folder (runs/<timestamp>-solve-<name>/)."),
    judges: str = typer.Option("numeric", "--judges", "-j",
                               help=f"Judges for the run's proofs: names or a group ({', '.join(GROUP_NAMES)}); "
                                    "'none' for answers only."),
    model: str = typer.Option(None, "--model", "-m", help="Model spec for the model judges' roles."),
    role: list[str] = typer.Option([], "--role", help="ROLE=SPEC for one role (judge, verifier); repeatable."),
    config: Path = typer.Option(None, "--config", help="A qed.toml to read (default: ./qed.toml)."),
) -> None:
    """Score a run again without re-running it; writes eval.json and eval.md into the run folder."""
    from qed.agent.config import load_config
    from qed.agent.report.rescore import evaluate, write_evaluation
    from qed.agent.report.rundata import load_run
    from qed.agent.session import roles_for
    from qed.models.calllog import CallLog
    from qed.models.roles import parse_role_overrides
    from qed.verifiers.judges.registry import JudgeSettings, parse_judges, roles_needed
    from rich.console import Console
    from rich.table import Table

    chosen = [] if judges.strip() == "none" else parse_judges(judges)
    data = load_run(run, with_calls=False)
    needed = roles_needed(chosen)
    models: dict = {}
    log = None
    try:
        if needed:
            cfg = load_config(config, model=model, role_overrides=parse_role_overrides(role))
            log = CallLog(data.path / "eval-calls.sqlite")
            models = roles_for(cfg.roles, needed).build(  # each role keeps its [api_key_env]
                log, server_log=data.path / "eval-llama-server.log")
        ev = evaluate(data, chosen, models, JudgeSettings())
    finally:
        for m in {id(m): m for m in models.values()}.values():
            m.close()
        if log is not None:
            log.close()
    js, md = write_evaluation(ev, data)
    console = Console()
    table = Table("kind", "problems", "solved", "correct", "accuracy", "proved", "judged", "pass", "fail",
                  "no verdict", title=f"QED eval · {data.name}")
    for kind, t in [*ev.by_kind.items(), ("all", ev.totals)]:
        table.add_row(kind, str(t.problems), str(t.solved), f"{t.correct}/{t.graded}",
                      "–" if t.accuracy is None else f"{t.accuracy:.1%}", str(t.proved), str(t.judged),
                      str(t.verdicts.get("pass", 0)), str(t.verdicts.get("fail", 0)),
                      str(t.verdicts.get("no_verdict", 0)))
    console.print(table)
    if ev.totals.disagreements:
        console.print(f"[bold red]{ev.totals.disagreements} problem(s) re-score differently from what the run "
                      f"recorded[/bold red] (see eval.md)")
    console.print(f"eval: {js}\n      {md}")
