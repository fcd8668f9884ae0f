"""`qed eval RUN`: score a finished run again from its folder, without running anything it ran.

Answers are compared with the gold answers exactly (verifiers.final_answer, each comparison in a
bounded child: an answer is text from a run folder); proofs the run wrote (`proof.md`, or the
accepted draft of a proof problem) go through the chosen judges; the proved rate counts proofs
the run recorded as verified. Where the re-score disagrees with what the run recorded, the
problem says so: that is a bug, or a folder edited by hand.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from qed.agent.report.rundata import ProblemView, RunData, as_dict, as_list, as_str
from qed.models.base import ChatModel
from qed.problems.record import KINDS, Problem
from qed.verifiers.bounded import Limits, run_bounded
from qed.verifiers.final_answer import is_correct
from qed.verifiers.judges.grading import GradeItem, grade
from qed.verifiers.judges.registry import JudgeSettings

ANSWER_LIMITS = Limits(seconds=30.0, cpu_seconds=20.0, memory_mb=1024)
GRADED_KINDS = ("bound", "relation")


@dataclass
class ProblemScore:
    problem_id: str
    kind: str
    outcome: str
    answer: str | None
    gold: str | None
    correct: bool | None  # re-scored; None: no known answer to compare with
    recorded_correct: bool | None
    proved: bool  # the run recorded a verified proof
    proof_from: str | None = None  # where the judged proof came from
    overall: str | None = None  # the judges' combined verdict on it
    judges: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def disagrees(self) -> bool:
        return self.correct != self.recorded_correct


@dataclass
class Totals:
    problems: int = 0
    solved: int = 0
    graded: int = 0
    correct: int = 0
    recorded_correct: int = 0
    proved: int = 0
    judged: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    disagreements: int = 0

    def add(self, s: ProblemScore) -> None:
        self.problems += 1
        self.solved += s.outcome == "solved"
        if s.correct is not None:
            self.graded += 1
            self.correct += s.correct
        self.recorded_correct += s.recorded_correct is True
        self.proved += s.proved
        if s.overall:
            self.judged += 1
            self.verdicts[s.overall] = self.verdicts.get(s.overall, 0) + 1
        self.disagreements += s.disagrees

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.graded if self.graded else None

    @property
    def proved_rate(self) -> float | None:
        return self.proved / self.problems if self.problems else None


@dataclass
class Evaluation:
    run: str
    judges: list[str]
    problems: list[ProblemScore]
    totals: Totals
    by_kind: dict[str, Totals]

    def to_dict(self) -> dict[str, Any]:
        def tot(t: Totals) -> dict[str, Any]:
            return {**asdict(t), "accuracy": t.accuracy, "proved_rate": t.proved_rate}

        return {
            "run": self.run, "judges": self.judges, "totals": tot(self.totals),
            "by_kind": {k: tot(t) for k, t in self.by_kind.items()},
            "problems": [asdict(p) | {"disagrees": p.disagrees} for p in self.problems],
        }


def answer_correct(kind: str, outcome: str, answer: str | None, gold: str | None) -> tuple[bool | None, str | None]:
    """(correct, note): the exact comparison `qed solve` makes, in a bounded child."""
    if gold is None or kind not in GRADED_KINDS:
        return None, None
    if outcome != "solved" or not answer:
        return False, None
    done = run_bounded(is_correct, kind, answer, gold, limits=ANSWER_LIMITS)
    if not done.ok:
        return False, f"the comparison was stopped ({done.reason}); counted as not shown correct"
    return bool(done.value), None


def evaluate(data: RunData, judges: list[str], models: dict[str, ChatModel] | None = None,
             settings: JudgeSettings | None = None) -> Evaluation:
    scores = [score_problem(v, judges, models or {}, settings) for v in data.problems]
    totals, kinds = Totals(), {}
    for s in scores:
        totals.add(s)
        kinds.setdefault(s.kind, Totals()).add(s)
    return Evaluation(data.name, judges, scores, totals, dict(sorted(kinds.items())))


def score_problem(v: ProblemView, judges: list[str], models: dict[str, ChatModel],
                  settings: JudgeSettings | None) -> ProblemScore:
    r = v.result
    answer, gold = as_str(r.get("answer")), as_str(r.get("gold"))
    correct, note = answer_correct(v.kind, v.outcome, answer, gold)
    s = ProblemScore(v.id, v.kind, v.outcome, answer, gold, correct, v.correct, v.proved)
    if note:
        s.notes.append(note)
    if s.disagrees:
        s.notes.append(f"the run recorded correct = {v.correct}; re-scored: {correct}")
    text, origin = proof_text(v)
    if text and judges:
        problem = _problem(v, gold)
        result = grade(GradeItem(v.id, origin or "proof", text, problem), judges, models, settings)
        s.proof_from, s.overall = origin, result.overall
        s.judges = {k: {"verdict": j.verdict, "reason": j.reason} for k, j in result.judges.items()}
    return s


def proof_text(v: ProblemView) -> tuple[str | None, str | None]:
    """The proof a run gave: its proof.md, or for a solved proof problem the accepted draft."""
    if v.proof is not None and v.proof.text:
        return v.proof.text, "proof.md"
    if v.kind == "proof" and v.outcome == "solved":
        drafts = [as_dict(d) for s in v.steps for d in as_list(s.writes.get("drafts"))]
        texts = [as_str(d.get("text")) for d in drafts if as_str(d.get("text"))]
        if texts:
            return texts[-1], "the accepted draft"
    return None, None


def _problem(v: ProblemView, gold: str | None) -> Problem:
    kind = v.kind if v.kind in KINDS else "open"
    return Problem(id=v.id, statement=v.statement or "(the statement is not in the run folder)", kind=kind,  # type: ignore[arg-type]
                   answer=gold)


def evaluation_markdown(ev: Evaluation) -> str:
    def pct(x: float | None) -> str:
        return "–" if x is None else f"{x:.1%}"

    t = ev.totals
    lines = [
        f"# QED eval: {ev.run}", "",
        f"- problems: {t.problems}; solved {t.solved}",
        f"- answers correct (exact comparison): {t.correct} of {t.graded} with known answers ({pct(t.accuracy)})",
        f"- proved (a verified proof recorded): {t.proved} of {t.problems} ({pct(t.proved_rate)})",
        f"- proofs judged ({', '.join(ev.judges) or 'no judges'}): {t.judged}"
        + ("; " + ", ".join(f"{k} {n}" for k, n in sorted(t.verdicts.items())) if t.verdicts else ""),
        f"- re-score disagrees with the recorded result: {t.disagreements}", "",
        "| kind | problems | solved | correct | accuracy | proved | judged | pass | fail | no verdict |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for k, kt in [*ev.by_kind.items(), ("all", t)]:
        lines.append(f"| {k} | {kt.problems} | {kt.solved} | {kt.correct}/{kt.graded} | {pct(kt.accuracy)} | "
                     f"{kt.proved} | {kt.judged} | {kt.verdicts.get('pass', 0)} | {kt.verdicts.get('fail', 0)} | "
                     f"{kt.verdicts.get('no_verdict', 0)} |")
    lines += ["", "| problem | kind | outcome | correct | proved | proof verdict | notes |", "|---|---|---|---|---|---|---|"]
    for p in ev.problems:
        cells = [p.problem_id, p.kind, p.outcome, {True: "yes", False: "no", None: "–"}[p.correct],
                 "yes" if p.proved else "–", p.overall or "–", "; ".join(p.notes)]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")[:300]


def write_evaluation(ev: Evaluation, data: RunData) -> tuple[str, str]:
    js, md = data.path / "eval.json", data.path / "eval.md"
    js.write_text(json.dumps(ev.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md.write_text(evaluation_markdown(ev), encoding="utf-8")
    return str(js), str(md)
