"""`qed report RUN [RUN2]`: a run (or two, side by side) as one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path

import typer
from qed.cli.errors import fail

REPORT_FILE = "report.html"


def report(
    runs: list[Path] = typer.Argument(..., help="A run folder, or two to compare (A then B)."),
    out: Path = typer.Option(None, "--out", "-o", help="Where to write the page (default: in the (first) run folder)."),
    shot: bool = typer.Option(False, "--screenshot", help="Also save a PNG of the page, rendered by headless Chromium."),
) -> None:
    """Write one HTML file (no network, no external files) showing a run, or comparing two."""
    from qed.agent.report.browser import NoBrowser, screenshot
    from qed.agent.report.compare_page import render_compare
    from qed.agent.report.run_page import render_run
    from qed.agent.report.rundata import load_run

    if len(runs) > 2:
        raise fail("give one run folder, or two to compare")
    data = [load_run(r) for r in runs]
    if len(data) == 1:
        page, default = render_run(data[0]), data[0].path / REPORT_FILE
    else:
        page, default = render_compare(*data), data[0].path / f"compare-{data[1].name}.html"
    target = out or default
    target.write_text(page, encoding="utf-8")
    typer.echo(f"report: {target}")
    for note in (n for d in data for n in d.notes):
        typer.echo(f"note: {note}", err=True)
    if shot:
        png = target.with_suffix(".png")
        try:
            screenshot(target, png)
        except (NoBrowser, RuntimeError, OSError) as e:
            raise fail(f"screenshot: {e}") from None
        typer.echo(f"screenshot: {png}")
