"""The computed proof on screen: after each problem, the proof.md (or draft.md) the run folder holds.

The text is printed as written (Markdown with LaTeX, no console markup read from it): it is the
same file a reader opens, and `qed check` re-verifies the certificate beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.rule import Rule

MAX_SHOWN_CHARS = 20_000  # a very long proof is cut on screen; the file keeps it whole


def proof_of(run_path: str | Path, result: dict[str, Any], key: str = "proof") -> tuple[str, Path] | None:
    """(text, file) of the result's proof (or accepted draft), read from inside the run folder only."""
    entry = result.get(key)
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        return None
    root = Path(run_path).resolve()
    file = (root / entry["path"]).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        return None
    return file.read_text(encoding="utf-8", errors="replace"), file


def show_proof(console: Console, run_path: str | Path, result: dict[str, Any]) -> bool:
    found = proof_of(run_path, result)
    if found is not None:
        entry = result["proof"]
        title = f"{result['problem_id']}: {entry['status']} ({entry.get('method')})"
    else:  # no computed proof: the model's accepted draft, labelled with what checked it
        found = proof_of(run_path, result, "draft")
        if found is None:
            return False
        title = f"{result['problem_id']}: the model's draft, not a checked proof ({result['draft'].get('standing')})"
    text, file = found
    console.print(Rule(f"{title} · {file}", align="left"))
    shown = text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + f"\n… (the rest is in {file})\n"
    console.print(shown, markup=False, highlight=False, emoji=False, soft_wrap=True)  # formulas are never re-wrapped
    return True


def with_proofs(view: Callable[[dict[str, Any]], None], console: Console, run_path: str | Path
                ) -> Callable[[dict[str, Any]], None]:
    """The view's events, and each finished problem's proof printed after its result line."""
    def on_event(event: dict[str, Any]) -> None:
        view(event)
        if event.get("event") == "problem_end":
            show_proof(console, run_path, event["result"])

    return on_event
