"""Tallies of a run's results, shared by the live view and summary.md."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from qed.agent.provenance import of_result


@dataclass
class Tally:
    done: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    graded: int = 0  # results whose correct answer is known
    correct: int = 0
    tokens: int = 0
    seconds: float = 0.0
    proved: int = 0  # a computed proof (or refutation) whose certificate re-verifies and text passed the judges

    def add(self, r: dict[str, Any]) -> None:
        self.done += 1
        self.outcomes[r.get("outcome", "error")] += 1
        if r.get("correct") is not None:
            self.graded += 1
            self.correct += bool(r["correct"])
        tok = r.get("tokens") or {}
        self.tokens += int(tok.get("prompt", 0)) + int(tok.get("completion", 0))
        self.seconds += float(r.get("seconds", 0.0))
        self.proved += proved_mark(r) in ("proved", "refuted")

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.graded if self.graded else None

    def line(self) -> str:
        parts = [f"{self.done} done"] + [f"{k} {v}" for k, v in sorted(self.outcomes.items())]
        if self.accuracy is not None:
            parts.append(f"accuracy {self.correct}/{self.graded} = {self.accuracy:.0%}")
        if self.proved:
            parts.append(f"proved {self.proved}")
        return " · ".join(parts)


def proved_mark(r: dict[str, Any]) -> str:
    """The summary's proved column: proved / refuted (a checked proof was written), no, or – (not tried)."""
    proof = r.get("proof") if isinstance(r.get("proof"), dict) else None
    if proof is None:
        return "–"
    if proof.get("judged") and proof.get("verified") and proof.get("status") in ("proved", "refuted"):
        return str(proof["status"])
    return "no"


def tally(results: list[dict[str, Any]]) -> Tally:
    t = Tally()
    for r in results:
        t.add(r)
    return t


def render_summary(config: dict[str, Any], results: list[dict[str, Any]], total: int) -> str:
    t = tally(results)
    lines = [
        f"# QED run: {config.get('command', 'solve')} {config.get('source', '')}".rstrip(),
        "",
        f"- problems: {t.done} of {total} finished",
        "- outcomes: " + (", ".join(f"{k} {v}" for k, v in sorted(t.outcomes.items())) or "none yet"),
    ]
    if t.accuracy is not None:
        lines.append(f"- correct: {t.correct} of {t.graded} with known answers ({t.accuracy:.1%})")
    lines.append(f"- proved: {t.proved} of {t.done} with a certificate that re-verifies and a proof that passes the numeric judges")
    lines += [
        f"- tokens: {t.tokens:,}; time: {t.seconds:,.0f} s",
        f"- solver: {config.get('solver', 'loop')}"
        + ("" if config.get("solver") == "symbolic" else "; models: "
           + ", ".join(f"{r}={s}" for r, s in (config.get("models") or {}).items())),
        "",
        "| problem | kind | outcome | answer | answer from | correct | rounds | tokens | seconds | proved |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        tok = r.get("tokens") or {}
        correct = {True: "yes", False: "no", None: "–"}[r.get("correct")]
        answer = (r.get("answer") or "–").replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {r['problem_id']} | {r.get('kind', '')} | {r.get('outcome', '')} | {answer} | {_origin(r)} | {correct} | "
            f"{r.get('rounds', 0)} | {tok.get('prompt', 0) + tok.get('completion', 0)} | {r.get('seconds', 0):.1f} | {proved_mark(r)} |"
        )
    errors = [r for r in results if r.get("outcome") == "error"]
    if errors:
        lines += ["", "## Errors", ""] + [f"- {r['problem_id']}: {r.get('error')}" for r in errors]
    return "\n".join(lines) + "\n"


def _origin(result: dict[str, Any]) -> str:
    found = of_result(result)
    return f"{found.source} ({found.backing})" if found else "–"
