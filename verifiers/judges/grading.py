"""Grade proofs with chosen judges: per-step verdicts, an overall verdict, and the reasons.

Input is whatever `problems.load` reads (a FirstProof .tex gives its solution boxes; a problem
with a reference solution gives that solution), a JSONL of {"problem", "proof"} pairs, or, with
`proof_only`, a bare proof file. The overall verdict is `fail` when any judge finds a flaw,
`pass` when every selected judge passed, and `no_verdict` otherwise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from qed.models.base import ChatModel
from qed.problems.errors import ProblemLoadError
from qed.problems.kinds import infer_kind
from qed.problems.record import Problem
from qed.verifiers.judges.bounded_check import proof_refusal
from qed.verifiers.judges.extract import split_steps
from qed.verifiers.judges.registry import JudgeSettings, run_judge
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
    verdict: str  # fail | pass | unchecked
    notes: list[dict[str, Any]] = field(default_factory=list)  # {judge, status, reason}


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
    if not items:
        raise ValueError(f"{path}: no proof to grade (give solution boxes, a '## Solution' section, "
                         "{\"problem\", \"proof\"} JSONL pairs, or use --proof-only)")
    return items


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


def grade(item: GradeItem, judges: list[str], models: dict[str, ChatModel],
          settings: JudgeSettings | None = None,
          on_judge: Callable[[str, str], None] | None = None) -> GradeResult:
    """Run each judge on the proof and combine: any failure fails, all passes pass."""
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


def combine(item: GradeItem, steps, verdicts: dict[str, JudgeVerdict]) -> GradeResult:  # noqa: ANN001
    applicable = {k: v for k, v in verdicts.items() if v.applicable}
    failed = [v for v in applicable.values() if v.verdict == "fail"]
    undecided = [v for v in applicable.values() if v.verdict == "no_verdict"]
    if not steps:
        overall, reasons = "no_verdict", ["the proof is empty"]
    elif failed:
        overall = "fail"
        reasons = [f"{v.judge}: {v.reason}" for v in failed]
    elif undecided or not applicable:
        overall = "no_verdict"
        reasons = [f"{v.judge}: {v.reason}" for v in undecided] or ["no selected judge applies to this proof"]
    else:
        overall, reasons = "pass", [f"{v.judge}: {v.reason}" for v in applicable.values()]
    step_rows = []
    for s in steps:
        notes = []
        for v in verdicts.values():
            for f in v.findings:
                if f.step == s.index and f.status not in ("ok", "unread"):
                    notes.append({"judge": v.judge, "status": f.status, "reason": f.reason, "quote": f.quote})
            if v.verdict == "fail" and v.step == s.index and not any(n["judge"] == v.judge for n in notes):
                notes.append({"judge": v.judge, "status": "flaw", "reason": v.reason, "quote": v.quote})
        bad = [n for n in notes if n["status"] in ("wrong", "flaw", "confirmed issue", "issue")]
        verdict = "fail" if bad else ("pass" if notes else "unchecked")
        excerpt = " ".join(s.text.split())
        step_rows.append(StepVerdict(s.index, excerpt[:160] + ("…" if len(excerpt) > 160 else ""), verdict, notes))
    return GradeResult(item.id, item.label, overall, reasons, verdicts, step_rows)
