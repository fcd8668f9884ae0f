"""Counts over a run's problems, whole and per kind, as the report and the comparison show them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from qed.agent.report.rundata import ProblemView, as_num


@dataclass
class KindStats:
    n: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    graded: int = 0  # problems whose answer is known and checked exactly
    correct: int = 0
    certified: int = 0
    proved: int = 0
    tokens: int = 0
    calls: int = 0
    seconds: float = 0.0

    def add(self, v: ProblemView) -> None:
        self.n += 1
        self.outcomes[v.outcome] += 1
        if v.correct is not None:
            self.graded += 1
            self.correct += v.correct
        self.certified += v.certified
        self.proved += v.proved
        self.tokens += v.tokens
        self.calls += int(as_num(v.result.get("calls")))
        self.seconds += as_num(v.result.get("seconds"))

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.graded if self.graded else None

    def accuracy_text(self) -> str:
        if self.accuracy is None:
            return "–"
        return f"{self.correct}/{self.graded} ({self.accuracy:.0%})"

    @classmethod
    def of(cls, views: Iterable[ProblemView]) -> KindStats:
        s = cls()
        for v in views:
            s.add(v)
        return s


def by_kind(views: Iterable[ProblemView]) -> dict[str, KindStats]:
    out: dict[str, KindStats] = {}
    for v in views:
        out.setdefault(v.kind, KindStats()).add(v)
    return dict(sorted(out.items()))
