"""`/prove` on a bound or relation problem: the engine's answer, then a certificate for it.

The engine answers (a bound's constant, a relation's letter); the claim that answer makes and the
certificate search are the ones `qed solve` runs before any draft (verifiers/proofs/obtain.py), so
the session's certificate, and the proof written from it, are the ones a solve run would write.
The search returns only certificates its checker re-verified.
"""

from __future__ import annotations

from typing import Any

from qed.agent.state import plain
from qed.problems.record import Problem
from qed.verifiers.proofs.obtain import obtain_certificate


def prove_problem(problem: Problem, engine_fn, seconds: float = 30.0) -> dict[str, Any]:
    """{"engine": the engine's answer, "verdict", "summary", "certificate", "method"}."""
    engine = plain(engine_fn(problem, model=None).to_dict())
    out: dict[str, Any] = {"engine": engine, "verdict": "unknown", "certificate": None, "method": None,
                           "summary": f"engine: {engine['reason'] or 'no answer'}"}
    if engine["status"] != "answered":
        return out
    got = obtain_certificate(problem, engine, seconds)
    if got.found and got.certificate.get("verdict") == "holds":
        out.update(verdict="certified", certificate=got.certificate, method=got.method,
                   summary=f"certified: the answer {engine['answer']} ({got.method}); the certificate re-verifies")
    elif (got.reason or "").startswith("claim:"):
        out["summary"] = f"engine answer {engine['answer']}; cannot state it as a claim ({got.reason[7:].strip()})"
    else:
        state = "certified by z3/cvc5" if engine["certified"] else "numerical evidence"
        out.update(verdict="holds numerically" if not engine["certified"] else "certified",
                   summary=f"engine answer {engine['answer']} ({state}); no qed certificate ({got.reason})")
    return out
