"""The computed proof on screen: after each problem, the proof.md (or draft.md) the run folder holds.

The text is printed as written (Markdown with LaTeX, no console markup read from it): it is the
same file a reader opens, and `qed check` re-verifies the certificate beside it. A proof that
settles its problem is shown the moment computation has it, before the model writes its overview
(which can take a minute on a loaded CPU); the finished problem then adds only what changed.
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
    _print_text(console, text, file)
    return True


def _print_text(console: Console, text: str, file: Path | str) -> None:
    shown = text if len(text) <= MAX_SHOWN_CHARS else text[:MAX_SHOWN_CHARS] + f"\n… (the rest is in {file})\n"
    console.print(shown, markup=False, highlight=False, emoji=False, soft_wrap=True)  # formulas are never re-wrapped


def settled_proof(event: dict[str, Any]) -> dict[str, Any] | None:
    """The proof in a compute step's update when it settles the problem, else None."""
    if event.get("event") != "update" or event.get("node") != "compute":
        return None
    update = event.get("update") or {}
    proof = update.get("proof")
    if update.get("decision") != "accept" or not isinstance(proof, dict) or not proof.get("markdown"):
        return None
    return proof


def show_settled(console: Console, problem_id: str, proof: dict[str, Any]) -> None:
    """A proof as computation settled it: re-verified and judged, before any model call."""
    console.print(Rule(f"{problem_id}: {proof.get('status')} ({proof.get('method')}) · computed, "
                       f"certificate re-verified", align="left"))
    _print_text(console, proof["markdown"], "the run folder")


def show_changes(console: Console, run_path: str | Path, result: dict[str, Any], shown: str) -> None:
    """After a proof shown early: the model's overview if it was kept, or the whole text if it changed."""
    found = proof_of(run_path, result)
    if found is None or found[0] == shown:
        return
    text, file = found
    added = [line for line in text.splitlines() if line not in set(shown.splitlines())]
    if added and all(line.startswith(">") for line in added):  # only the labelled overview block
        console.print(Rule(f"{result['problem_id']}: overview added above the proof · {file}", align="left"))
        _print_text(console, "\n".join(added), file)
        return
    console.print(Rule(f"{result['problem_id']}: the proof as written · {file}", align="left"))
    _print_text(console, text, file)


def with_proofs(view: Callable[[dict[str, Any]], None], console: Console, run_path: str | Path
                ) -> Callable[[dict[str, Any]], None]:
    """The view's events, and each proof printed as soon as it settles its problem (else after its
    result line). Jobs in other processes send no updates; their proofs come with their results."""
    early: dict[str, str] = {}
    current: list[str] = [""]

    def on_event(event: dict[str, Any]) -> None:
        view(event)
        kind = event.get("event")
        if kind == "problem_start":
            current[0] = str(event["problem"].get("id"))
        elif (proof := settled_proof(event)) is not None and current[0] not in early:
            show_settled(console, current[0], proof)
            early[current[0]] = proof["markdown"]
        elif kind == "problem_end":
            result = event["result"]
            pid = result.get("problem_id")
            if pid in early:
                show_changes(console, run_path, result, early.pop(pid))
            else:
                show_proof(console, run_path, result)

    return on_event
