"""`qed judges list|calibrate`: the proof judges, and their measured detection and false-rejection rates."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from qed.verifiers.judges.calibration.defaults import (
    DEFAULT_DATA,
    ERRATA,
    FLAW_TYPES,
    INEQMATH,
    PROOFBENCH,
)
from qed.verifiers.judges.group_names import GROUP_NAMES

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

app = typer.Typer(no_args_is_help=True)
SOURCES = {"ineqmath": INEQMATH, "proofbench": PROOFBENCH}


@app.command("list")
def list_judges() -> None:
    """The judges, what each looks for, and which model role it needs."""
    from qed.verifiers.judges import registry
    from rich.console import Console
    from rich.table import Table

    registered = registry.judges()
    table = Table("judge", "needs", "step-wise", "looks for")
    for j in registered.values():
        table.add_row(j.name, f"model ({j.role})" if j.role else "no model", "yes" if j.stepwise else "", j.summary)
    Console().print(table)
    typer.echo("groups: " + "; ".join(f"{g} = {', '.join(n)}" for g, n in registry.groups(registered).items()))


@app.command("calibrate")
def calibrate_command(
    judges: str = typer.Option("numeric", "--judges", "-j", help=f"Judges or groups ({', '.join(GROUP_NAMES)})."),
    sources: str = typer.Option("ineqmath,proofbench", "--sources", help="Reference sets: ineqmath, proofbench."),
    data: Path = typer.Option(DEFAULT_DATA, "--data", help="Folder holding ineqmath/ and imobench/."),
    limit: int = typer.Option(None, "--limit", "-n", min=1, help="Use the first N references of each source."),
    per_type: int = typer.Option(None, "--per-type", min=1,
                                 help="Judge at most N items per flaw type (and N unmodified references)."),
    flaws: str = typer.Option(",".join(FLAW_TYPES), "--flaws", help="Flaw types to plant."),
    corpus: Path = typer.Option(None, "--corpus", help="Reuse a corpus.jsonl written by an earlier calibration."),
    model: str = typer.Option(None, "--model", "-m", help="Model spec for the model judges."),
    role: list[str] = typer.Option([], "--role", help="ROLE=SPEC for one role (judge, verifier); repeatable."),
    samples: int = typer.Option(1, "--samples", "-k", min=1, help="DSM verifier samples to aggregate."),
    max_tokens: int = typer.Option(None, "--max-tokens", min=16, help="Reply budget of each model judge call."),
    context_chars: int = typer.Option(None, "--context-chars", min=500,
                                      help="Proof characters per model prompt (default 5000-6000, sized for the "
                                           "embedded model; raise it for long-context backends)."),
    errata_file: Path = typer.Option(ERRATA, "--errata", help="Confirmed errors of the references (TOML); a flag "
                                     "that only names them is not a false rejection."),
    no_errata: bool = typer.Option(False, "--no-errata", help="Count every flag on a reference as a false rejection."),
    config: Path = typer.Option(None, "--config", help="A qed.toml to read (default: ./qed.toml)."),
) -> None:
    """Plant flaws in reference solutions and measure every chosen judge on them."""
    from qed.agent.config import load_config
    from qed.agent.runs import RunDir
    from qed.agent.session import RunSession, roles_for
    from qed.models.roles import parse_role_overrides
    from qed.verifiers.judges.calibration.errata import Errata, confirm, load_errata
    from qed.verifiers.judges.calibration.references import load_references
    from qed.verifiers.judges.calibration.run import (
        build_corpus,
        calibrate,
        load_corpus,
        markdown,
        save_corpus,
        select,
        table_rows,
    )
    from qed.verifiers.judges.model_judge import ModelJudgeOptions
    from qed.verifiers.judges.registry import JudgeSettings, parse_judges, roles_needed
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    chosen = parse_judges(judges)
    flaw_list = tuple(f.strip() for f in flaws.split(",") if f.strip())
    unknown = [f for f in flaw_list if f not in FLAW_TYPES]
    if unknown:
        raise ValueError(f"unknown flaw type {', '.join(unknown)}; choose from {', '.join(FLAW_TYPES)}")
    console = Console()
    run = RunDir.create("calibrate", "-".join(chosen) if len(chosen) <= 2 else judges)
    if corpus:
        items = load_corpus(corpus)
        origin = str(corpus)
    else:
        paths = []
        for s in (x.strip() for x in sources.split(",") if x.strip()):
            if s not in SOURCES:
                raise ValueError(f"unknown source {s!r}; choose from {', '.join(SOURCES)}")
            paths.append(data / SOURCES[s])
        refs = []
        for p in paths:
            these = load_references([p])
            refs += these[:limit] if limit else these
        with _progress(console) as bar:
            task = bar.add_task("planting flaws", total=len(refs))
            items = build_corpus(refs, flaw_list, on_ref=lambda n, total: bar.update(task, completed=n))
        origin = ", ".join(str(p) for p in paths)
    save_corpus(items, run.file("corpus.jsonl"))
    items = select([it for it in items if it.flaw in (*flaw_list, "none")], per_type)
    known = Errata([] if no_errata else confirm(load_errata(errata_file), {it.ref_id: it.problem for it in items}))
    needed = roles_needed(chosen)
    roles = None
    if needed:
        cfg = load_config(config, model=model, role_overrides=parse_role_overrides(role))
        roles = roles_for(cfg.roles, needed)  # each role keeps its [api_key_env]
    specs = dict(roles.specs) if roles else {}
    settings = JudgeSettings(samples=samples)
    if max_tokens:
        settings.model_options = ModelJudgeOptions(max_tokens=max_tokens)
        settings.verifier_options = ModelJudgeOptions(max_tokens=max_tokens)
    if context_chars:
        settings.with_context(context_chars)
    meta = {"corpus": origin, "items judged": len(items), "judges": ", ".join(chosen),
            "models": ", ".join(f"{r}={s}" for r, s in specs.items()) or "none",
            "errata": "none" if no_errata else
            f"{errata_file} ({sum(e.confirmed for e in known.all)} confirmed, "
            f"{sum(not e.confirmed for e in known.all)} refused)",
            "started": datetime.now(UTC).isoformat(timespec="seconds")}
    run.write_config({"command": "judges calibrate", **meta, "flaws": list(flaw_list), "limit": limit,
                      "per_type": per_type, "samples": samples})
    console.print(f"[bold]QED[/bold] calibrating {', '.join(chosen)} on {len(items)} item(s) → [cyan]{run.path}[/cyan]")
    with RunSession(run, roles) as session:  # closes models and the call log, also on Ctrl-C
        models = session.models()  # none (and no call log) when no judge needs a model
        with _progress(console) as bar:
            tasks = {name: bar.add_task(name, total=len(items)) for name in chosen}
            result = calibrate(items, chosen, models, settings,
                               on_item=lambda name, k, n, it, v: bar.update(tasks[name], completed=k), errata=known)
    result.settings = {"samples": samples, "max_tokens": max_tokens}
    header, rows = table_rows(result)
    table = Table(*header, title="detection rate per planted flaw · false-rejection rate on references")
    for r in rows:
        table.add_row(*[escape(c) for c in r])
    console.print(table)
    run.file("calibration.json").write_text(json.dumps({**meta, **result.to_dict()}, indent=2, ensure_ascii=False) + "\n",
                                            encoding="utf-8")
    md = markdown(result, meta)
    run.file("calibration.md").write_text(md, encoding="utf-8")
    run.write_summary(md)
    console.print(f"table: {run.file('calibration.md')}\njson: {run.file('calibration.json')}\n"
                  f"corpus: {run.file('corpus.jsonl')}")


def _progress(console: Console) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)
