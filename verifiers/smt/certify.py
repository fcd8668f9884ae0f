"""Certificates: "g >= 0 on the feasible set" proved, refuted with a checked counterexample, or unknown.

z3 decides first; cvc5 gives a second opinion on a proof when time remains and takes over when
z3 gives up. A counterexample is only reported after sympy has re-evaluated the original claim at
the solver's point (to 30 digits) and found it false there; otherwise the verdict is "unknown".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.numeric.domain import VarRange, range_of
from qed.verifiers.smt.encode import EncodeError, encode_nonnegative
from qed.verifiers.smt.run import SmtOutcome, decide

Verdict = Literal["proved", "refuted", "unknown"]
Z3_SHARE = 0.6


@dataclass
class Certificate:
    verdict: Verdict
    claim: str
    solver: str | None = None
    confirmed_by: list[str] = field(default_factory=list)
    counterexample: dict[str, str] | None = None
    attempts: list[dict] = field(default_factory=list)
    detail: str = ""

    def describe(self) -> dict:
        return {
            "verdict": self.verdict,
            "claim": self.claim,
            "solver": self.solver,
            "confirmed_by": list(self.confirmed_by),
            "counterexample": self.counterexample,
            "attempts": list(self.attempts),
            "detail": self.detail,
        }


def _attempt(o: SmtOutcome) -> dict:
    return {"solver": o.solver, "status": o.status, "seconds": round(o.seconds, 3), "detail": o.detail}


def certify_nonnegative(
    g: sp.Expr, fp: FormalProblem, *, strict: bool = False, timeout: float = 8.0, second_opinion: bool = True
) -> Certificate:
    """Try to prove g >= 0 (g > 0 when strict) wherever fp's domain and constraints hold."""
    claim = f"{g} {'>' if strict else '>='} 0 on the feasible set"
    try:
        enc = encode_nonnegative(g, fp, strict=strict)
    except (EncodeError, TypeError, ValueError, sp.PolynomialError) as exc:
        return Certificate("unknown", claim, detail=f"not expressible in polynomial arithmetic: {exc}")
    deadline = time.monotonic() + timeout
    cert = Certificate("unknown", claim)
    for solver in ("z3", "cvc5"):
        left = deadline - time.monotonic()
        if left < 0.5:
            break
        # z3 first with most of the time; cvc5 gets what is left when z3 cannot decide.
        outcome = decide(enc.script, solver, timeout=left * Z3_SHARE if solver == "z3" else left)
        cert.attempts.append(_attempt(outcome))
        if outcome.status == "unsat":
            cert.verdict, cert.solver = "proved", solver
            break
        if outcome.status == "sat":
            point = _checked_counterexample(g, fp, outcome.model, enc.names, strict)
            if point is not None:
                cert.verdict, cert.solver, cert.counterexample = "refuted", solver, point
                return cert
            cert.detail = f"{solver} reported a model that does not refute the claim when re-evaluated"
    if cert.verdict == "proved" and second_opinion and cert.solver == "z3":
        left = deadline - time.monotonic()
        if left >= 0.5:
            outcome = decide(enc.script, "cvc5", timeout=left)
            cert.attempts.append(_attempt(outcome))
            if outcome.status == "unsat":
                cert.confirmed_by.append("cvc5")
            elif outcome.status == "sat":
                cert.detail = "cvc5 disagrees (reports a model); z3's proof stands but is flagged"
    if cert.verdict == "unknown" and not cert.detail:
        cert.detail = "; ".join(f"{a['solver']}: {a['status']}" for a in cert.attempts) or "no time left"
    return cert


def _in_domain(x: sp.Expr, r: VarRange) -> bool:
    if r.lo.is_finite and not (x > r.lo if r.lo_open else x >= r.lo):
        return False
    return not (r.hi.is_finite and not (x < r.hi if r.hi_open else x <= r.hi))


def _checked_counterexample(g: sp.Expr, fp: FormalProblem, model: dict[str, str], names: dict[str, sp.Symbol], strict: bool) -> dict[str, str] | None:
    """The model restricted to the problem's variables, if the claim really fails there (30 digits)."""
    point: dict[sp.Symbol, sp.Expr] = {}
    for name, text in model.items():
        sym = names.get(name)
        if sym is None or sym not in fp.variables:
            continue
        try:
            point[sym] = sp.Rational(text) if "/" in text or text.lstrip("-").isdigit() else sp.Float(text, 40)
        except (TypeError, ValueError):
            return None
    if set(point) != set(fp.variables):
        return None
    for v, val in point.items():
        if not _in_domain(sp.N(val, 30), range_of(fp.domains.get(v, sp.S.Reals))):
            return None
    try:
        value = sp.N(g.subs(point), 30)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not value.is_real:
        return None
    fails = value < 0 if not strict else value <= 0
    if not fails:
        return None
    for c in fp.constraints:
        if isinstance(c, sp.Eq):
            if abs(sp.N((c.lhs - c.rhs).subs(point), 30)) > 1e-20:
                return None
        elif hasattr(c, "lhs"):
            holds = c.func(sp.N(c.lhs.subs(point), 30), sp.N(c.rhs.subs(point), 30))
            if holds is sp.false:
                return None
    return {str(k): str(v) for k, v in point.items()}
