"""`/prove` on a bound or relation problem: the engine's answer, then a certificate for it.

The engine answers (a bound's constant, a relation's letter); the claim that answer makes is then
given to the certificate search, which returns only certificates its checker re-verified.
"""

from __future__ import annotations

from typing import Any

from qed.agent.state import plain
from qed.problems.record import Problem
from qed.verifiers.certificates.check import ReadError, read_expr
from qed.verifiers.certificates.claim import LETTER_RELATION, ClaimError, claim_from_formal
from qed.verifiers.certificates.search import find_certificate_bounded
from qed.verifiers.final_answer import latex_to_sympy
from qed.verifiers.formalize import formalize


def _value(engine: dict[str, Any]):
    exact = (engine.get("evidence") or {}).get("extremum", {}).get("exact")
    if exact:
        try:
            return read_expr(str(exact).replace("**", "^"), {}, radicals=True)
        except ReadError:
            return None
    value = latex_to_sympy(engine["answer"]) if engine.get("answer") else None
    return value if value is not None and value.is_number else None


def _hints(engine: dict[str, Any]) -> dict[str, list]:
    ev = engine.get("evidence") or {}
    points, limits = [], []
    for w in [(ev.get("extremum") or {}).get("witness"), (ev.get("sign") or {}).get("equality_point")]:
        if w:
            (limits if w.get("limits") else points).append(w if w.get("limits") else w.get("point", {}))
    return {"points": points, "limits": limits}


def prove_problem(problem: Problem, engine_fn, seconds: float = 30.0) -> dict[str, Any]:
    """{"engine": the engine's answer, "verdict", "summary", "certificate", "method"}."""
    engine = plain(engine_fn(problem, model=None).to_dict())
    out: dict[str, Any] = {"engine": engine, "verdict": "unknown", "certificate": None, "method": None,
                           "summary": f"engine: {engine['reason'] or 'no answer'}"}
    if engine["status"] != "answered":
        return out
    formal = formalize(problem).formal
    try:
        if problem.kind == "relation":
            claim = claim_from_formal(formal, LETTER_RELATION[engine["answer"]])
        else:
            value = _value(engine)
            if value is None:
                out["summary"] = f"engine answer {engine['answer']}; no exact value to certify"
                return out
            claim = claim_from_formal(formal, value=value)
    except (ClaimError, KeyError, AttributeError) as e:
        out["summary"] = f"engine answer {engine['answer']}; cannot state it as a claim ({e})"
        return out
    found = find_certificate_bounded(claim, _hints(engine), seconds)
    if found.found:
        out.update(verdict="certified", certificate=found.certificate, method=found.method,
                   summary=f"certified: the answer {engine['answer']} ({found.method}); the certificate re-verifies")
    else:
        state = "certified by z3/cvc5" if engine["certified"] else "numerical evidence"
        out.update(verdict="holds numerically" if not engine["certified"] else "certified",
                   summary=f"engine answer {engine['answer']} ({state}); no qed certificate ({found.reason})")
    return out
