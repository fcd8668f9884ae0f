"""From a problem (and the engine's answer, when there is one) to a certificate: the claim to
certify, the hints the engine found, the search, and a refutation when a stated claim is false.

- bound problem: the claim at the engine's exact constant, optimality from its witness;
- relation problem: the claim at the engine's letter (A-F);
- "Prove that ..." statement: the stated relation; when no certificate is found, the engine's sign
  search may find a point where the claim fails, which becomes a checked counterexample.
Nothing here decides truth: the search returns only certificates the checker accepts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from qed.problems.record import Problem
from qed.verifiers.certificates.check import ReadError, read_expr
from qed.verifiers.certificates.claim import LETTER_RELATION, Claim, ClaimError, claim_from_formal
from qed.verifiers.certificates.search import counterexample_certificate, find_certificate_bounded
from qed.verifiers.certificates.statement import StatementError, read_prove_statement
from qed.verifiers.final_answer import latex_to_sympy
from qed.verifiers.formal import FormalProblem

DEFAULT_SECONDS = 30.0


@dataclass
class Obtained:
    certificate: dict | None
    method: str | None = None
    reason: str | None = None
    attempts: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    claim: dict | None = None  # the claim's JSON, when one could be stated

    @property
    def found(self) -> bool:
        return self.certificate is not None

    def describe(self) -> dict[str, Any]:
        return {"found": self.found, "method": self.method, "reason": self.reason, "attempts": self.attempts,
                "seconds": round(self.seconds, 2)}


def engine_value(engine: dict) -> sp.Expr | None:
    """The exact constant of a bound answer: the extremum's exact form, else the answer's LaTeX."""
    exact = ((engine.get("evidence") or {}).get("extremum") or {}).get("exact")
    if exact:
        try:
            return read_expr(str(exact).replace("**", "^"), {}, radicals=True)
        except ReadError:
            pass
    if engine.get("answer"):
        value = latex_to_sympy(engine["answer"])  # the answer's own allow-listed reader
        return value if value is not None and value.is_number else None
    return None


def engine_hints(engine: dict | None) -> dict:
    """Exact points the engine saw (extremum witness, equality point, sign witnesses) and limits."""
    ev = (engine or {}).get("evidence") or {}
    points: list[dict] = []
    limits: list[dict] = []
    for w in (((ev.get("extremum") or {}).get("witness")), ((ev.get("sign") or {}).get("equality_point"))):
        if isinstance(w, dict):
            if w.get("limits"):
                limits.append(w)
            elif isinstance(w.get("point"), dict):
                points.append(w["point"])
    for w in (((ev.get("sign") or {}).get("witnesses")) or {}).values():
        if isinstance(w, dict) and isinstance(w.get("point"), dict):
            points.append(w["point"])
    return {"points": points, "limits": limits}


def claim_for(problem: Problem, engine: dict | None) -> tuple[Claim, FormalProblem]:
    """The claim a certificate should prove for this problem, with its formal record; ClaimError
    with the reason if there is none."""
    from qed.verifiers.formalize import formalize

    if problem.kind in ("bound", "relation"):
        if not engine or engine.get("status") != "answered":
            raise ClaimError("the engine has no answer to certify")
        formal = formalize(problem).formal
        if formal is None:
            raise ClaimError("the statement could not be formalized")
        if problem.kind == "relation":
            letter = str(engine.get("answer") or "").strip("()")
            if letter not in LETTER_RELATION:
                raise ClaimError(f"the engine's answer {engine.get('answer')!r} is not an option letter")
            return claim_from_formal(formal, LETTER_RELATION[letter]), formal
        value = engine_value(engine)
        if value is None:
            raise ClaimError("no exact constant in the engine's answer")
        return claim_from_formal(formal, value=value), formal
    try:
        ps = read_prove_statement(problem.statement)
    except StatementError as e:
        raise ClaimError(f"not a 'Prove that' inequality: {e}") from None
    return claim_from_formal(ps.formal, ps.relation), ps.formal


def obtain_certificate(problem: Problem, engine: dict | None = None, seconds: float = DEFAULT_SECONDS,
                       exclude: tuple[str, ...] = ()) -> Obtained:
    """A certificate for the problem's answer (or the statement to prove), or the reason there is
    none; `exclude` names search methods not to use (see find_certificate)."""
    t0 = time.monotonic()
    try:
        claim, formal = claim_for(problem, engine)
    except ClaimError as e:
        return Obtained(None, reason=f"claim: {e}", seconds=time.monotonic() - t0)
    res = find_certificate_bounded(claim, engine_hints(engine), seconds, exclude=exclude)
    out = Obtained(res.certificate, res.method, res.reason, res.attempts, 0.0, claim.data)
    if not res.found and problem.kind not in ("bound", "relation"):
        refuted = refute(claim, formal, engine, max(5.0, seconds - (time.monotonic() - t0)))
        if refuted is not None:
            out.certificate, out.method, out.reason = refuted, "counterexample", None
    out.seconds = time.monotonic() - t0
    return out


def refute(claim: Claim, formal: FormalProblem, engine: dict | None, seconds: float) -> dict | None:
    """A checked counterexample certificate from points where the stated relation fails: the
    engine's points when given, else those of its sign search on the claim's record."""
    from qed.verifiers.engine.solve import solve_formal_isolated

    points = engine_hints(engine)["points"]
    if not points and formal.kind == "relation":
        points = engine_hints(solve_formal_isolated(formal, seconds).to_dict())["points"]
    cert = counterexample_certificate(claim, points) if points else None
    if cert is not None:
        cert["method"] = "counterexample"
    return cert
