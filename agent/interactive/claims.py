r"""Check one claim now: the engine's sign analysis, a certificate or an exact counterexample.

A claim is an inequality a person states during a session (`/claim a^2+b^2 \ge 2ab`). It is read
under the problem's hypotheses ("Let a, b, c > 0 ..."), unless it states its own ("Let x > 0.
Prove that ..."). The verdict is one of
  certified         a certificate the checker (verifiers/certificates/check.py) re-verified
  refuted           a counterexample point, re-verified exactly as a "fails" certificate
  holds numerically the sign analysis agrees, but no certificate was found
  unknown           the analysis could not decide (or found the opposite only in floating point)
  unreadable        the claim could not be read as an inequality
Only the first two rest on exact checks; the others say what the numerics saw. The whole check
runs in a bounded child (verifiers.bounded), so a hang ends as `unknown` and Ctrl-C kills it.
"""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

import sympy as sp
from qed.verifiers.bounded import Limits, run_bounded
from qed.verifiers.certificates.check import check_certificate
from qed.verifiers.certificates.claim import ClaimError, claim_from_formal
from qed.verifiers.certificates.search import counterexample_certificate, find_certificate
from qed.verifiers.certificates.statement import StatementError, read_prove_statement
from qed.verifiers.certificates.witness import point_text, symmetric_points
from qed.verifiers.numeric.sign import analyse_sign

_ASK = re.compile(r"\b(prove|show|verify|establish)\s+that\b", re.I)
_QUESTION = re.compile(r"\b(prove|show|verify|establish|find|determine|compute|what|consider)\b", re.I)
VERDICTS = ("certified", "refuted", "holds numerically", "unknown", "unreadable")
DEFAULT_SECONDS = 12.0


def hypotheses(statement: str) -> str:
    """The problem's set-up before its question ("Let a, b, c > 0 with abc = 1."), or ""."""
    m = _QUESTION.search(statement)
    head = statement[: m.start()] if m else ""
    return head.strip()


def claim_statement(claim: str, problem_statement: str = "") -> str:
    """The claim as a "... Prove that $...$" statement the certificate reader takes."""
    text = claim.strip()
    if _ASK.search(text):
        return text
    if "$" not in text and "\\[" not in text:
        text = f"${text.rstrip('.')}$"
    head = hypotheses(problem_statement)
    return f"{head} Prove that {text}.".strip()


def _rational_candidates(point: dict[str, float]) -> list[dict[str, str]]:
    """Rational points near a floating-point one, coarse to fine (a counterexample needs exact values)."""
    out = []
    for tol in (1e-1, 1e-2, 1e-3, 1e-6):
        pt = {}
        for name, x in point.items():
            pt[name] = str(sp.nsimplify(float(x), rational=True, tolerance=tol * max(1.0, abs(float(x)))))
        if pt not in out:
            out.append(pt)
    return out


def _grid(variables: list[sp.Symbol], limit: int = 64) -> list[dict[str, str]]:
    """Small rational points, simplest first, every variable moving (the domain is checked later)."""
    values = ["1", "2", "1/2", "3", "1/3", "0", "-1", "-2"][: 8 if len(variables) <= 2 else 5 if len(variables) <= 4 else 3]
    combos = sorted(itertools.product(range(len(values)), repeat=len(variables)), key=lambda c: (sum(c), max(c)))
    return [{str(v): values[i] for v, i in zip(variables, c, strict=True)} for c in combos[:limit]]


def _fails_where(claim, stated: str, sign) -> list[dict[str, str]]:
    """Candidate points where the stated relation may fail, best guesses first."""
    cands: list[dict[str, str]] = []
    w = sign.witnesses.get("lhs<rhs" if stated in (">=", ">") else "lhs>rhs")
    if w:
        cands.append(w["point"])
    wrong_way = "min" if stated in (">=", ">") else "max"
    found = sign.searches.get(wrong_way)
    if found is not None and found.best is not None:
        cands.extend(_rational_candidates({str(k): v for k, v in found.best.point.items()}))
    if stated in (">", "<") and sign.equality_point is not None and sign.equality_point.attained:
        cands.append({str(k): str(v) for k, v in sign.equality_point.point.items()})
    cands.extend(t for t in (point_text(p) for p in symmetric_points(claim)) if t)
    cands.extend(_grid(claim.variables))
    return cands


def _agrees(stated: str, direction: str | None, equality: str | None) -> bool | None:
    """Does the numeric direction support the stated relation? None: it says nothing either way."""
    if direction is None:
        return None
    if stated in (">=", "<="):
        return direction in (stated, "=")
    strict_dir = ">=" if stated == ">" else "<="
    if direction == strict_dir:
        return True if equality in ("never", "limit") else (False if equality == "attained" else None)
    return False if direction in ("none", "=") or direction != strict_dir else None


def check_claim_here(claim: str, problem_statement: str = "", seconds: float = DEFAULT_SECONDS) -> dict[str, Any]:
    """The check in this process (use `check_claim`, which bounds it)."""
    t0 = time.monotonic()
    statement = claim_statement(claim, problem_statement)
    out: dict[str, Any] = {"claim": claim, "statement": statement, "relation": None, "verdict": "unknown",
                           "summary": "", "sign": None, "counterexample": None, "values": None,
                           "certificate": None, "method": None, "seconds": 0.0}
    try:
        ps = read_prove_statement(statement)
        cl = claim_from_formal(ps.formal, ps.relation)
    except (StatementError, ClaimError) as e:
        out.update(verdict="unreadable", summary=f"unreadable: {e}")
        return out
    out["relation"] = ps.relation
    out["formal"] = {"variables": [str(v) for v in cl.variables], "lhs": str(cl.lhs), "rhs": str(cl.rhs),
                     "facts": [f"{f} {op} 0" for f, op in cl.facts]}
    quick = counterexample_certificate(cl, _failing(cl, _cheap_points(cl)))
    if quick is not None:
        return _refuted(out, cl, quick, t0, "a simple point")
    found = find_certificate(cl, {}, 0.4 * seconds)
    if found.found and check_certificate(found.certificate).valid:
        out.update(verdict="certified", certificate=found.certificate, method=found.method,
                   summary=f"certified ({found.method}); the certificate re-verifies with sympy alone")
        out["sign"] = {"direction": None, "reason": "not needed: the certificate decides the claim"}
        out["seconds"] = round(time.monotonic() - t0, 2)
        return out
    sign = analyse_sign(ps.formal.lhs, ps.formal.rhs, ps.formal, seconds=0.35 * seconds)
    out["sign"] = {"direction": sign.direction, "equality": sign.equality, "reason": sign.reason,
                   "min_relative_difference": sign.min_relative, "max_relative_difference": sign.max_relative}
    agrees = _agrees(ps.relation, sign.direction, sign.equality)
    if agrees is not True:
        cert = counterexample_certificate(cl, _fails_where(cl, ps.relation, sign))
        if cert is not None:
            return _refuted(out, cl, cert, t0, "the engine's extremum search")
    if agrees is True:
        out.update(verdict="holds numerically",
                   summary=f"holds numerically ({sign.reason}); no certificate found ({found.reason})")
    else:
        seen = sign.reason or "the sign analysis was inconclusive"
        out.update(verdict="unknown", summary=f"unknown: {seen}; no exact counterexample, no certificate")
    out["seconds"] = round(time.monotonic() - t0, 2)
    return out


def _refuted(out: dict[str, Any], cl, cert: dict, t0: float, how: str) -> dict[str, Any]:
    point = cert["counterexample"]
    out.update(verdict="refuted", counterexample=point, certificate=cert, method=f"counterexample from {how}",
               values=_values(cl, point))
    out["summary"] = (f"refuted: at {_point_line(point)} the claim fails "
                      f"(lhs = {out['values']['lhs']}, rhs = {out['values']['rhs']}); checked exactly")
    out["seconds"] = round(time.monotonic() - t0, 2)
    return out


def _cheap_points(cl) -> list[dict[str, str]]:
    return [t for t in (point_text(p) for p in symmetric_points(cl)) if t] + _grid(cl.variables)


def _failing(cl, points: list[dict[str, str]], keep: int = 3) -> list[dict[str, str]]:
    """The first few points where the goal is exactly negative (zero for a strict claim); the
    checker then decides whether each lies in the domain."""
    from qed.verifiers.certificates.witness import read_point

    out = []
    for raw in points:
        pt = read_point(raw, cl)
        if pt is None:
            continue
        try:
            v = cl.goal.xreplace(pt)
            bad = v.is_number and v.is_real and (v < 0 or (cl.op == ">" and v == 0))
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if bad:
            out.append(raw)
            if len(out) >= keep:
                break
    return out


def _values(cl, point: dict[str, str]) -> dict[str, str]:
    from qed.verifiers.certificates.witness import read_point

    pt = read_point(point, cl) or {}
    return {"lhs": str(sp.nsimplify(cl.lhs.xreplace(pt))), "rhs": str(sp.nsimplify(cl.rhs.xreplace(pt)))}


def _point_line(point: dict[str, str]) -> str:
    return ", ".join(f"{k} = {v}" for k, v in point.items())


def check_claim(claim: str, problem_statement: str = "", seconds: float = DEFAULT_SECONDS) -> dict[str, Any]:
    """check_claim_here in a bounded child: a hang or a crash is an `unknown` that says why."""
    t0 = time.monotonic()
    res = run_bounded(check_claim_here, claim, problem_statement, seconds,
                      limits=Limits(seconds=seconds + 8.0, memory_mb=2048))
    if res.ok and isinstance(res.value, dict):
        return res.value
    why = res.reason or "the check gave no answer"
    return {"claim": claim, "statement": claim_statement(claim, problem_statement), "relation": None,
            "verdict": "unknown", "summary": f"unknown: the check stopped ({why})", "sign": None,
            "counterexample": None, "values": None, "certificate": None, "method": None,
            "seconds": round(time.monotonic() - t0, 2)}
