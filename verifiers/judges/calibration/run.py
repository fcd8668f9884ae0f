"""Measure each judge on the planted-flaw corpus: detection per flaw type, false rejections.

An item is a reference solution as written (flaw "none") or with one planted flaw. A judge
detects a flaw when its verdict is `fail`; on an unmodified reference a `fail` is a false
rejection, unless every relation the judge calls wrong is a confirmed error of that reference
(errata.py): such flags are counted apart, and the raw share of flagged references is shown too.
On an item with a planted flaw, a `fail` that names only such errors is not a detection either: it
is left out of that flaw's rate, as the judge did not see the planted change.
`no_verdict` and `not_checked` are neither and are counted on their own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from qed.models.base import ChatModel
from qed.problems.record import Problem
from qed.verifiers.judges.calibration.errata import Errata
from qed.verifiers.judges.calibration.mutations import FLAW_TYPES, Mutator
from qed.verifiers.judges.calibration.references import Reference
from qed.verifiers.judges.registry import JudgeSettings, run_judge

NONE = "none"


@dataclass
class CorpusItem:
    id: str
    ref_id: str
    source: str
    flaw: str  # "none" or one of FLAW_TYPES
    problem: Problem
    proof: str
    description: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["problem"] = self.problem.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CorpusItem:
        return cls(**{**d, "problem": Problem.from_dict(d["problem"])})


def build_corpus(refs: list[Reference], flaws: tuple[str, ...] = FLAW_TYPES,
                 on_ref: Callable[[int, int], None] | None = None) -> list[CorpusItem]:
    """The references as written plus one planted flaw of each type where one can be planted."""
    items: list[CorpusItem] = []
    for n, ref in enumerate(refs, start=1):
        items.append(CorpusItem(f"{ref.id}/none", ref.id, ref.source, NONE, ref.problem, ref.text,
                                "the reference solution as written"))
        mutator = Mutator(ref)
        for flaw in flaws:
            m = mutator.mutate(flaw)
            if m is not None:
                items.append(CorpusItem(f"{ref.id}/{flaw}", ref.id, ref.source, flaw, ref.problem, m.text,
                                        m.description, {"before": m.before, "after": m.after, **m.evidence}))
        if on_ref:
            on_ref(n, len(refs))
    return items


def select(items: list[CorpusItem], per_type: int | None) -> list[CorpusItem]:
    """At most `per_type` items of each flaw type (and of unmodified references), in corpus order."""
    if per_type is None:
        return items
    seen: dict[str, int] = {}
    out = []
    for it in items:
        if seen.get(it.flaw, 0) < per_type:
            out.append(it)
            seen[it.flaw] = seen.get(it.flaw, 0) + 1
    return out


@dataclass
class Cell:
    n: int = 0
    fail: int = 0
    no_verdict: int = 0
    not_checked: int = 0
    known_error: int = 0  # fails that name only the reference's own confirmed errors (errata)

    @property
    def rate(self) -> float | None:
        """Share of fails; on unmodified references, among those without a confirmed error."""
        n = self.n - self.known_error
        return (self.fail - self.known_error) / n if n else None


@dataclass
class JudgeScore:
    judge: str
    cells: dict[str, Cell] = field(default_factory=dict)  # flaw type (or "none") -> counts
    seconds: float = 0.0

    def add(self, flaw: str, verdict: str, known_error: bool = False) -> None:
        c = self.cells.setdefault(flaw, Cell())
        c.n += 1
        c.fail += verdict == "fail"
        c.no_verdict += verdict == "no_verdict"
        c.not_checked += verdict == "not_checked"
        c.known_error += verdict == "fail" and known_error


@dataclass
class Calibration:
    judges: list[JudgeScore]
    items: int
    outcomes: list[dict[str, Any]]  # one row per (item, judge)
    settings: dict[str, Any] = field(default_factory=dict)
    errata: list[dict[str, Any]] = field(default_factory=list)  # the errata used, and any refused

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items, "settings": self.settings,
            "judges": {
                s.judge: {
                    "seconds": round(s.seconds, 1),
                    "false_rejection": _cell(s.cells.get(NONE)),
                    "detection": {f: _cell(c) for f, c in s.cells.items() if f != NONE},
                }
                for s in self.judges
            },
            "errata": self.errata,
            "outcomes": self.outcomes,
        }


def _cell(c: Cell | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"n": c.n, "fail": c.fail, "no_verdict": c.no_verdict, "not_checked": c.not_checked,
            "known_error": c.known_error, "rate": c.rate}


def calibrate(items: list[CorpusItem], judges: list[str], models: dict[str, ChatModel],
              settings: JudgeSettings | None = None,
              on_item: Callable[[str, int, int, CorpusItem, str], None] | None = None,
              errata: Errata | None = None) -> Calibration:
    settings = settings or JudgeSettings()
    errata = errata or Errata([])
    scores = []
    outcomes = []
    for name in judges:
        score = JudgeScore(name)
        start = time.perf_counter()
        for k, it in enumerate(items, start=1):
            t0 = time.perf_counter()
            v = run_judge(name, it.problem, it.proof, models, settings)
            wrong = [f.quote for f in v.findings if f.status == "wrong"]
            # a fail naming only the reference's own confirmed errors is not a false rejection of a
            # reference, nor the detection of a planted flaw (the judge did not see the planted change)
            known = v.verdict == "fail" and errata.explains(it.ref_id, wrong)
            score.add(it.flaw, v.verdict, known)
            outcome = {"judge": name, "item": it.id, "flaw": it.flaw, "verdict": v.verdict,
                       "reason": v.reason[:300], "seconds": round(time.perf_counter() - t0, 2)}
            if known:
                outcome["known_error"] = True
            outcomes.append(outcome)
            if on_item:
                on_item(name, k, len(items), it, v.verdict)
        score.seconds = time.perf_counter() - start
        scores.append(score)
    return Calibration(scores, len(items), outcomes,
                       errata=[{"refs": e.refs, "confirmed": e.confirmed, "problems": e.problems} for e in errata.all])


def table_rows(cal: Calibration) -> tuple[list[str], list[list[str]]]:
    """Header and rows: one row per judge, one column per flaw type, then false rejections."""
    flaws = [f for f in FLAW_TYPES if any(f in s.cells for s in cal.judges)]
    header = ["judge", *flaws, "false rejection", "refs flagged", "no verdict", "not checked", "time"]
    rows = []
    for s in cal.judges:
        row = [s.judge]
        for f in flaws:
            row.append(_fmt(s.cells.get(f)))
        refs = s.cells.get(NONE)
        row.append(_fmt(refs))
        row.append(f"{100 * refs.fail / refs.n:.1f}% ({refs.fail}/{refs.n}, {refs.known_error} known errors)"
                   if refs and refs.n else "—")
        nv = sum(c.no_verdict for c in s.cells.values())
        nc = sum(c.not_checked for c in s.cells.values())
        total = sum(c.n for c in s.cells.values())
        row.append(f"{nv}/{total}")
        row.append(f"{nc}/{total}")
        row.append(f"{s.seconds:.0f}s")
        rows.append(row)
    return header, rows


def _fmt(c: Cell | None) -> str:
    if c is None or c.rate is None:
        return "—"
    return f"{100 * c.rate:.1f}% ({c.fail - c.known_error}/{c.n - c.known_error})"


def markdown(cal: Calibration, meta: dict[str, Any]) -> str:
    header, rows = table_rows(cal)
    lines = ["# Judge calibration", ""]
    for k, v in meta.items():
        lines.append(f"- {k}: {v}")
    lines += ["", "Detection rate per planted flaw type (a `fail` verdict on the mutated proof) and "
              "false-rejection rate (a `fail` on a reference as written, among the references without a "
              "confirmed error). `refs flagged` is the raw share of unmodified references failed, those "
              "whose flagged relations are all confirmed errors (verifiers/judges/calibration/errata.toml) "
              "included.", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    missed = [o for o in cal.outcomes if o["flaw"] != NONE and (o["verdict"] != "fail" or o.get("known_error"))]
    flagged = [o for o in cal.outcomes if o["flaw"] == NONE and o["verdict"] == "fail"]
    false_rej = [o for o in flagged if not o.get("known_error")]
    caught = [o for o in flagged if o.get("known_error")]
    if false_rej:
        lines += ["", "## False rejections", ""]
        lines += [f"- {o['judge']} · {o['item']}: {o['reason'][:200]}" for o in false_rej[:60]]
    if caught:
        lines += ["", "## Flags on confirmed errors of the references", ""]
        lines += [f"- {o['judge']} · {o['item']}: {o['reason'][:200]}" for o in caught[:60]]
    refused = [e for e in cal.errata if not e["confirmed"]]
    if refused:
        lines += ["", "## Errata not confirmed (not used)", ""]
        lines += [f"- {', '.join(e['refs'])}: {'; '.join(e['problems'])[:300]}" for e in refused]
    if missed:
        lines += ["", f"## Missed planted flaws ({len(missed)}; first 60)", ""]
        lines += [f"- {o['judge']} · {o['item']}: {o['verdict']} — {o['reason'][:160]}" for o in missed[:60]]
    return "\n".join(lines) + "\n"


def save_corpus(items: list[CorpusItem], path: Path) -> None:
    path.write_text("".join(json.dumps(it.to_dict(), ensure_ascii=False) + "\n" for it in items), encoding="utf-8")


def load_corpus(path: Path) -> list[CorpusItem]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(CorpusItem.from_dict(json.loads(line)))
        except (json.JSONDecodeError, TypeError, KeyError, ValueError) as e:
            raise ValueError(f"{path}: line {n} is not a corpus item ({e})") from None
    if not items:
        raise ValueError(f"{path}: empty corpus")
    return items
