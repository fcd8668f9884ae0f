"""`qed grade FILE`: judge proofs with chosen judges; JSON and a Markdown report under runs/."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from qed.verifiers.judges.group_names import GROUP_NAMES

if TYPE_CHECKING:
    from qed.verifiers.judges.grading import GradeResult
    from rich.console import Console

_STYLE = {"pass": "green", "fail": "red", "not_checked": "yellow", "no_verdict": "yellow", "unchecked": "dim"}
_OVERALL = ("pass", "fail", "not_checked", "no_verdict")


def grade_command(
    path: Path = typer.Argument(..., help="Proof file: .tex (FirstProof boxes), .md/.txt, IneqMath/ProofBench data, "
                                          "or JSONL of {\"problem\", \"proof\"} pairs."),
    judges: str = typer.Option("all", "--judges", "-j",
                               help=f"Comma-separated judges or groups ({', '.join(GROUP_NAMES)}); "
                                    "`qed judges list` names them."),
    model: str = typer.Option(None, "--model", "-m", help="Model spec for every role, e.g. local:qwen2.5-coder-1.5b."),
    role: list[str] = typer.Option([], "--role", help="ROLE=SPEC for one role (judge, verifier); repeatable."),
    samples: int = typer.Option(1, "--samples", "-k", min=1, help="DSM verifier samples to aggregate."),
    no_meta: bool = typer.Option(False, "--no-meta", help="Skip the DSM meta-verifier."),
    max_tokens: int = typer.Option(None, "--max-tokens", min=16, help="Reply budget of each model judge call."),
    context_chars: int = typer.Option(None, "--context-chars", min=500,
                                      help="Proof characters per model prompt (default 5000-6000, sized for the "
                                           "embedded model; raise it for long-context backends)."),
    proof_only: bool = typer.Option(False, "--proof-only", help="The whole file is a proof (no statement)."),
    limit: int = typer.Option(None, "--limit", "-n", min=1, help="Grade only the first N proofs."),
    config: Path = typer.Option(None, "--config", help="A qed.toml to read (default: ./qed.toml)."),
) -> None:
    """Grade proofs: per-step verdicts, an overall verdict and reasons, in runs/<timestamp>-grade-<name>/."""
    from qed.agent.config import load_config
    from qed.agent.runs import RunDir
    from qed.agent.session import RunSession, roles_for
    from qed.models.roles import parse_role_overrides
    from qed.verifiers.judges.grading import grade, load_items
    from qed.verifiers.judges.model_judge import ModelJudgeOptions
    from qed.verifiers.judges.registry import JudgeSettings, parse_judges, roles_needed
    from qed.verifiers.judges.report import grade_markdown
    from rich.console import Console
    from rich.markup import escape

    chosen = parse_judges(judges)
    items = load_items(path, proof_only=proof_only)
    if limit:
        items = items[:limit]
    needed = roles_needed(chosen)
    settings = JudgeSettings(samples=samples, meta=not no_meta)
    if max_tokens:
        settings.model_options = ModelJudgeOptions(max_tokens=max_tokens)
        settings.verifier_options = ModelJudgeOptions(max_tokens=max_tokens)
    if context_chars:
        settings.with_context(context_chars)
    run = RunDir.create("grade", Path(path).stem)
    roles = None
    if needed:
        cfg = load_config(config, model=model, role_overrides=parse_role_overrides(role))
        roles = roles_for(cfg.roles, needed)  # each role keeps its [api_key_env]
    specs = dict(roles.specs) if roles else {}
    run.write_config({
        "command": "grade", "source": str(Path(path).resolve()), "judges": chosen, "models": specs,
        "samples": samples, "meta": not no_meta, "proofs": len(items), "started": datetime.now(UTC).isoformat(),
    })
    console = Console()
    console.print(f"[bold]QED[/bold] grading {len(items)} proof(s) from {path} → [cyan]{run.path}[/cyan]")
    console.print("[dim]judges: " + ", ".join(chosen)
                  + ("; models: " + ", ".join(f"{r}={s}" for r, s in specs.items()) if specs else "; no model needed")
                  + "[/dim]")
    results: list[GradeResult] = []
    with RunSession(run, roles) as session:  # closes models and the call log, also on Ctrl-C
        models = session.models()  # none (and no call log) when no judge needs a model
        for item in items:
            with console.status(f"{item.id}: starting") as status:
                def progress(name: str, state: str, status=status, item=item) -> None:
                    if state == "start":
                        status.update(escape(f"{item.id} ({item.label}): {name} …"))
                result = grade(item, chosen, models, settings, on_judge=progress)
            results.append(result)
            run.append_result(result.to_dict())
            _show(console, result)
    meta = {"source": str(path), "judges": chosen, "models": specs}
    (run.file("grade.json")).write_text(
        json.dumps({**meta, "results": [r.to_dict() for r in results]}, indent=2, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8")
    run.write_summary(grade_markdown(results, meta))
    report = run.file("report.md")
    report.write_text(grade_markdown(results, meta), encoding="utf-8")
    tally = ", ".join(f"{k.replace('_', ' ')} {sum(r.overall == k for r in results)}" for k in _OVERALL
                      if any(r.overall == k for r in results))
    console.print(f"\n[bold]{tally}[/bold]\nreport: {report}\njson: {run.file('grade.json')}")


def _show(console: Console, r: GradeResult) -> None:
    from qed.verifiers.judges.report import coverage_label, verdict_label
    from rich.markup import escape
    from rich.table import Table

    style = _STYLE.get(r.overall, "white")
    said = r.overall.replace("_", " ")
    console.print(f"\n[bold]{escape(r.id)}[/bold] — {escape(r.label)}: [bold {style}]{said}[/bold {style}]")
    table = Table("judge", "verdict", "coverage", "step", "reason", show_lines=False, expand=True)
    for name, v in r.judges.items():
        vs = _STYLE.get(v.verdict, "white") if v.applicable else "dim"
        score = f" ({v.score:.2f})" if v.score is not None else ""
        label = verdict_label(v).split(" ", 1)[1]  # without the report's mark
        table.add_row(name, f"[{vs}]{label}{score}[/{vs}]", escape(coverage_label(v)),
                      "" if v.step is None else str(v.step + 1), escape(_clip(v.reason, 160)))
    console.print(table)
    flagged = [s for s in r.steps if s.verdict == "fail"]
    for s in flagged[:8]:
        judges = ", ".join(sorted({n["judge"] for n in s.notes if n["status"] not in ("verified",)}))
        console.print(f"  [red]step {s.index + 1}[/red] ({judges}): {escape(_clip(s.excerpt, 120))}")


def _clip(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"
