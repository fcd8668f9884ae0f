"""From what Lean printed to a verdict: which errors are the proof's fault, `sorry`, axioms.

An error before the theorem (on an import line) or without a position is the environment's fault
(Mathlib not built, unknown package): the check did not happen, so the status is "error", not
"failed". A proof counts only when Lean reported no error, no `sorry`, and an axiom report, at the
line where the file asks for it, naming nothing beyond propext, Classical.choice and Quot.sound.
"""

from __future__ import annotations

from dataclasses import dataclass

from qed.verifiers.lean.messages import (
    STANDARD_AXIOMS,
    LeanMessage,
    axioms_of,
    parse_lean_output,
    uses_sorry,
)
from qed.verifiers.lean.result import LeanStatusWord
from qed.verifiers.lean.source import LeanSource


@dataclass(frozen=True)
class Verdict:
    status: LeanStatusWord
    reason: str
    messages: list[LeanMessage]
    axioms: list[str] | None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "(no text)"


def judge_output(src: LeanSource, output: str, returncode: int | None) -> Verdict:
    """The verdict on one completed run of `lean` over `src.text`."""
    messages = parse_lean_output(output)
    errors = [m for m in messages if m.severity == "error"]
    environment = [m for m in errors if m.line is None or m.line < src.first_line]
    own = [m for m in errors if m not in environment]
    report = "\n".join(m.text for m in messages if m.line in (None, src.axioms_line))
    axioms = axioms_of(report, src.name)
    if own:
        first = own[0]
        where = f"line {first.line}" if first.line is not None else "Lean"
        more = f" (+{len(own) - 1} more)" if len(own) > 1 else ""
        return Verdict("failed", f"{where}: {_first_line(first.text)}{more}", messages, axioms)
    if environment:
        return Verdict("error", f"the Lean project could not check the file: {_first_line(environment[0].text)}",
                       messages, axioms)
    if returncode not in (0, None):
        tail = _first_line(output) if output.strip() else "no output"
        return Verdict("error", f"lean exited with status {returncode}: {tail}", messages, axioms)
    if uses_sorry(messages):
        return Verdict("failed", "Lean reports that the declaration uses `sorry`", messages, axioms)
    if axioms is None:
        return Verdict("error", f"Lean printed no axiom report for {src.name}; the file was not checked to its end",
                       messages, axioms)
    extra = [a for a in axioms if a not in STANDARD_AXIOMS]
    if extra:
        return Verdict("failed", f"the proof depends on non-standard axioms: {', '.join(extra)}", messages, axioms)
    return Verdict("proved", "Lean accepted the proof (axioms: " + (", ".join(axioms) or "none") + ")",
                   messages, axioms)
