"""The model's accepted draft as a file beside the proof files, labelled with what checked it.

When the loop accepts a model's answer for a problem with no computed proof (the engine confirmed
the answer but found no certificate, or nothing computed at all), the draft's text was kept only in
calls.sqlite and the screen showed no argument at all. It is written to
`<run>/problems/<id>/draft.md`, headed by a plain statement of its standing: who backs the answer,
and per judge whether the draft's steps were checked. A draft is never called a proof here: only
`proof.md` (a re-verified certificate behind judged text) is one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from qed.agent.provenance import of_state
from qed.verifiers.proofs.files import PROBLEMS, folder_name, write_atomic

DRAFT_FILE = "draft.md"


def _judges(checks: Sequence[Mapping[str, Any]], round_: int) -> list[dict[str, str]]:
    """Per judge of the draft's self_verify round: its verdict and reason, as recorded."""
    out: list[dict[str, str]] = []
    for check in checks:
        if check.get("stage") != "self_verify" or int(check.get("round") or 0) != round_:
            continue
        for verdict in (check.get("evidence") or {}).get("judges") or []:
            if isinstance(verdict, Mapping) and isinstance(verdict.get("judge"), str):
                out.append({"judge": verdict["judge"], "verdict": str(verdict.get("verdict") or "no_verdict"),
                            "reason": str(verdict.get("reason") or "")})
    return out


def standing(judges: Sequence[Mapping[str, str]]) -> str:
    """One phrase for the screen: whether any judge checked a step of the draft."""
    checked = [j["judge"] for j in judges if j["verdict"] == "pass"]
    failed = [j["judge"] for j in judges if j["verdict"] == "fail"]
    if failed:
        return f"steps failed {', '.join(failed)}"
    if checked:
        return f"steps checked by {', '.join(checked)}"
    return "no step of it was checked"


def _document(problem_id: str, answer_line: str, text: str, judges: Sequence[Mapping[str, str]], said: str) -> str:
    lines = [f"# The model's draft for {problem_id}", "",
             f"This is the text of the model's accepted draft, not a checked proof: {answer_line}. "
             f"Of the argument itself, {said}.", ""]
    if judges:
        lines += ["| judge | verdict | reason |", "|---|---|---|"]
        lines += [f"| {j['judge']} | {j['verdict']} | {j['reason'].replace('|', '/')} |" for j in judges]
        lines.append("")
    lines += ["## Draft", "", text.strip(), ""]
    return "\n".join(lines)


def write_draft_file(run_path: str | Path, problem_id: str, state: Mapping[str, Any]) -> dict[str, Any] | None:
    """Write the accepted draft and return results.jsonl's `draft` entry (None: no draft was accepted).

    Only a solved problem whose answer came from a model draft has one; a computed proof, when it
    passed the judges, is the problem's proof and no draft file is written beside it.
    """
    proof = state.get("proof") or {}
    drafts = state.get("drafts") or []
    found = of_state(state)
    if state.get("outcome") != "solved" or not drafts or found is None or found.source == "engine":
        return None
    if proof.get("emitted"):
        return None
    draft = drafts[-1]
    text = str(draft.get("text") or "")
    if not text.strip():
        return None
    round_ = int(draft.get("round") or 0)
    judges = _judges(state.get("checks") or [], round_)
    folder = Path(run_path) / PROBLEMS / folder_name(problem_id)
    said = standing(judges)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / DRAFT_FILE, _document(problem_id, found.line(), text, judges, said))
    return {"path": f"{PROBLEMS}/{folder.name}/{DRAFT_FILE}", "round": round_, "standing": said, "judges": judges}
