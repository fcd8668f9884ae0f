"""Grade proofs with chosen judges: per-step verdicts, an overall verdict, and the reasons.

Input is whatever `problems.load` reads (a FirstProof .tex gives its solution boxes; a problem
with a reference solution gives that solution), a JSONL of {"problem", "proof"} pairs, or, with
`proof_only`, a bare proof file; a problem written with its proof after a `**Proof.**` (or
`Proof:`, `\\begin{proof}`, `## Proof`) opening gives that proof. The overall verdict comes from the
judges that apply (see `overall`): `fail` when one finds a flaw, `pass` only when each of them checked
something and passed, `not_checked` or `no_verdict` otherwise. Per step it names which judge checked
it and how, and what was not checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from qed.models.base import ChatModel
from qed.problems.errors import ProblemLoadError
from qed.problems.kinds import infer_kind
from qed.problems.record import Problem
from qed.verifiers.judges.bounded_check import proof_refusal
from qed.verifiers.judges.extract import Step, proof_opening, split_steps
from qed.verifiers.judges.judge import JudgeSettings
from qed.verifiers.judges.registry import run_judge
from qed.verifiers.judges.verdict import JudgeVerdict


@dataclass
class GradeItem:
    id: str
    label: str
    proof: str
    problem: Problem | None = None


@dataclass
class StepVerdict:
    index: int
    excerpt: str
    verdict: str  # fail | pass (some judge checked it, none found a flaw) | unchecked (no judge checked it)
    notes: list[dict[str, Any]] = field(default_factory=list)  # {judge, status, reason, quote}: flags and caveats
    checked_by: list[dict[str, Any]] = field(default_factory=list)  # {judge, how: {"exact (50 digits)": 2, ...}}
    not_checked: list[dict[str, Any]] = field(default_factory=list)  # {judge, why: {"not read: ...": 1, ...}}


@dataclass
class GradeResult:
    id: str
    label: str
    overall: str
    reasons: list[str]
    judges: dict[str, JudgeVerdict]
    steps: list[StepVerdict]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "label": self.label, "overall": self.overall, "reasons": self.reasons,
            "judges": {k: v.to_dict() for k, v in self.judges.items()},
            "steps": [asdict(s) for s in self.steps],
        }


def load_items(path: str | Path, *, proof_only: bool = False) -> list[GradeItem]:
    """The proofs a file holds, each with its problem; a ValueError when it holds none."""
    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    if proof_only:
        text = _read(path)
        body = _tex_body(text) if path.suffix.lower() == ".tex" else text
        return [GradeItem(path.stem, "proof", body, None)]
    if path.suffix.lower() == ".jsonl" and _looks_like_pairs(path):
        return _pairs(path)
    from qed.problems.load import load_problems

    items: list[GradeItem] = []
    for problem in load_problems(path):
        if problem.proofs:
            for k, p in enumerate(problem.proofs, start=1):
                items.append(GradeItem(problem.id if len(problem.proofs) == 1 else f"{problem.id}#{k}",
                                       p.label, p.text, problem))
        elif problem.solution:
            for k, text in enumerate(_solutions(problem.solution), start=1):
                items.append(GradeItem(problem.id if k == 1 else f"{problem.id}#{k}", "reference solution",
                                       text, problem))
        elif (split := _with_proof(problem)) is not None:
            items.append(GradeItem(problem.id, "proof", split[1], split[0]))
    if not items:
        raise ValueError(f"{path}: no proof to grade (give solution boxes, a '## Solution' section, "
                         "{\"problem\", \"proof\"} JSONL pairs, or use --proof-only)")
    return items


def _with_proof(problem: Problem) -> tuple[Problem, str] | None:
    """A statement that goes on into its proof (`... **Proof.** We have ...`): the problem without it, and
    the proof. The kind is guessed again from the statement alone unless the file set it."""
    at = proof_opening(problem.statement)
    if at is None:
        return None
    statement, proof = problem.statement[:at].strip(), problem.statement[at:].strip()
    if not statement or not proof:
        return None
    kind = problem.kind if problem.kind != infer_kind(problem.statement) else infer_kind(statement)
    return replace(problem, statement=statement, kind=kind), proof


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None


def _tex_body(text: str) -> str:
    m = re.search(r"\\begin\{document\}(.*?)(\\end\{document\}|$)", text, re.S)
    return m.group(1).strip() if m else text


def _solutions(solution: str) -> list[str]:
    """A reference solution field may hold several solutions as a Python-style list."""
    s = solution.strip()
    if s.startswith("[") and s.endswith("]"):
        import ast

        try:
            value = ast.literal_eval(s)
        except (ValueError, SyntaxError):
            return [solution]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [v for v in value if v.strip()] or [solution]
    return [solution]


def _looks_like_pairs(path: Path) -> bool:
    """Decided by the first record alone (the file may be large)."""
    try:
        with path.open(encoding="utf-8-sig") as f:
            line = next((line for line in f if line.strip()), "")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    try:
        first = json.loads(line)
    except json.JSONDecodeError:
        return False
    # a Problem record has `proofs` (a list); a pair has one `proof` text
    return isinstance(first, dict) and "proof" in first


def _pairs(path: Path) -> list[GradeItem]:
    items = []
    for line_no, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise ProblemLoadError(path, f"line {line_no}: not JSON ({e.msg} at column {e.colno})") from None
        if not isinstance(rec, dict) or not isinstance(rec.get("proof"), str):
            raise ProblemLoadError(path, f"line {line_no}: a pair needs a 'proof' text")
        statement = rec.get("problem", rec.get("statement"))
        pid = str(rec.get("id") or f"{path.stem}-{line_no}")
        problem = None
        if isinstance(statement, dict):
            try:
                problem = Problem.from_dict(statement)
            except (TypeError, ValueError) as e:
                raise ProblemLoadError(path, f"line {line_no}: {e}") from None
        elif isinstance(statement, str) and statement.strip():
            kind = rec.get("kind") or infer_kind(statement)
            try:
                problem = Problem(id=pid, statement=statement, kind=kind, answer=rec.get("answer"))
            except ValueError as e:
                raise ProblemLoadError(path, f"line {line_no}: {e}") from None
        items.append(GradeItem(pid, str(rec.get("label") or "proof"), rec["proof"], problem))
    if not items:
        raise ProblemLoadError(path, "no (problem, proof) pairs in this file")
    return items


def grade(item: GradeItem, judges: list[str], models: Mapping[str, ChatModel],
          settings: JudgeSettings | None = None,
          on_judge: Callable[[str, str], None] | None = None) -> GradeResult:
    """Run each judge on the proof (registry.run_judge) and combine their verdicts."""
    settings = settings or JudgeSettings()
    refusal = proof_refusal(item.proof)
    if refusal:  # not even split into steps: every judge would refuse it
        verdicts = {name: JudgeVerdict(name, "no_verdict", refusal, stats={"refused": refusal}) for name in judges}
        return GradeResult(item.id, item.label, "no_verdict", [refusal], verdicts, [])
    steps = split_steps(item.proof)
    verdicts: dict[str, JudgeVerdict] = {}
    for name in judges:
        if on_judge:
            on_judge(name, "start")
        verdicts[name] = run_judge(name, item.problem, item.proof, models, settings)
        if on_judge:
            on_judge(name, verdicts[name].verdict)
    return combine(item, steps, verdicts)


def overall(verdicts: Mapping[str, JudgeVerdict]) -> tuple[str, list[str]]:
    """The verdict of the judges that apply: fail if one fails; pass only if every one of them checked
    something and passed; otherwise not_checked (nothing they could check) or no_verdict (one could not
    decide). Judges that do not apply decide nothing."""
    applicable = [v for v in verdicts.values() if v.applicable]
    failed = [v for v in applicable if v.verdict == "fail"]
    if failed:
        return "fail", [f"{v.judge}: {v.reason}" for v in failed]
    if not applicable:
        return "not_checked", ["no selected judge applies to this proof"] + [
            f"{v.judge}: {v.reason}" for v in verdicts.values()]
    undecided = [v for v in applicable if v.verdict == "no_verdict"]
    if undecided:
        return "no_verdict", [f"{v.judge}: {v.reason}" for v in undecided]
    unchecked = [v for v in applicable if v.verdict != "pass"]
    if unchecked:
        return "not_checked", [f"{v.judge}: {v.reason}" for v in unchecked]
    return "pass", [f"{v.judge}: {v.reason}" for v in applicable]


_FLAGS = ("wrong", "flaw", "confirmed issue", "issue")
_NOTED = (*_FLAGS, "approximate", "conditional")  # what a step's notes keep; the rest is in checked_by


def combine(item: GradeItem, steps: list[Step], verdicts: dict[str, JudgeVerdict]) -> GradeResult:
    if not steps:
        verdict, reasons = "no_verdict", ["the proof is empty"]
    else:
        verdict, reasons = overall(verdicts)
    step_rows = []
    for s in steps:
        notes = []
        checked: dict[str, dict[str, int]] = {}
        unchecked: dict[str, dict[str, int]] = {}
        for v in verdicts.values():
            for f in v.findings:
                if f.step != s.index and s.index not in f.steps:
                    continue
                tally = checked if f.checked else unchecked
                how = f.how or f.reason or f.status
                tally.setdefault(v.judge, {})
                tally[v.judge][how] = tally[v.judge].get(how, 0) + 1
                if f.step == s.index and f.status in _NOTED:
                    notes.append({"judge": v.judge, "status": f.status, "reason": f.reason, "quote": f.quote})
            if v.verdict == "fail" and v.step == s.index and not any(n["judge"] == v.judge for n in notes):
                notes.append({"judge": v.judge, "status": "flaw", "reason": v.reason, "quote": v.quote})
                checked.setdefault(v.judge, {})
        bad = [n for n in notes if n["status"] in _FLAGS]
        step_verdict = "fail" if bad else ("pass" if checked else "unchecked")
        excerpt = " ".join(s.text.split())
        step_rows.append(StepVerdict(
            s.index, excerpt[:160] + ("…" if len(excerpt) > 160 else ""), step_verdict, notes,
            checked_by=[{"judge": j, "how": h} for j, h in checked.items()],
            not_checked=[{"judge": j, "why": h} for j, h in unchecked.items()],
        ))
    return GradeResult(item.id, item.label, verdict, reasons, verdicts, step_rows)
