"""What the loop computes before any draft: a certificate for the problem's answer and its proof.

`prove_problem` turns a problem (and the engine's result, for bound and relation problems) into
one plain-JSON record the loop keeps in its state and the run folder writes out. `settles` says
whether that record settles the problem without a model: a proof was emitted (its certificate
re-verifies and its text passes the numeric judges) for the engine's answer, for the statement to
prove, or for its refutation. `partial_evidence` is what computation found short of that (the
candidate constant, an equality point, a counterexample), in words a draft can use.
"""

from __future__ import annotations

import time
from typing import Any, TypedDict

from qed.problems.record import Problem
from qed.verifiers.proofs.obtain import DEFAULT_SECONDS, obtain_certificate
from qed.verifiers.proofs.write import write_proof

# When the judges refuse the written proof of a certificate (a step they cannot confirm, such as a
# case whose domain is too thin to sample, or a formula too long to read), the search runs again
# without that certificate's method: another method's proof may be one they can follow.
JUDGE_RETRIES = 1


class LeanRecord(TypedDict):
    text: str
    status: str  # proved | failed | error | unavailable | not checked | not rendered
    reason: str


class ComputedProof(TypedDict):
    status: str  # "proved" | "refuted" | "none"
    method: str | None
    verified: bool  # the independent checker accepted the certificate
    emitted: bool  # a proof text passed the judges
    markdown: str | None
    computed_markdown: str | None  # the computed text when a model rewrite replaced `markdown`
    tex: str | None
    lean: LeanRecord | None
    certificate: dict | None
    judges: dict | None  # the gate's verdicts
    rewrite: dict | None  # the model rewrite's outcome, when one was asked for
    reason: str | None  # why there is no proof
    seconds: float


def _none(reason: str, t0: float, certificate: dict | None = None, method: str | None = None) -> ComputedProof:
    return ComputedProof(status="none", method=method, verified=False, emitted=False, markdown=None,
                       computed_markdown=None, tex=None, lean=None, certificate=certificate, judges=None,
                       rewrite=None, reason=reason, seconds=round(time.monotonic() - t0, 2))


def prove_problem(problem: Problem, engine: dict | None, seconds: float = DEFAULT_SECONDS,
                  check_lean: bool = True) -> ComputedProof:
    """Certificate search, then write_proof; never raises for a problem it cannot prove."""
    t0 = time.monotonic()
    if problem.kind == "open":
        return _none("an open problem has no inequality to certify", t0)
    excluded: tuple[str, ...] = ()
    refused = None  # the first proof the judges refused: what to report if no other method helps
    for _ in range(1 + JUDGE_RETRIES):
        try:
            got = obtain_certificate(problem, engine, seconds, exclude=excluded)
        except Exception as e:  # noqa: BLE001 - a reader's bug costs this problem its proof, never the run
            return refused or _none(f"no certificate: the search failed: {type(e).__name__}: {str(e)[:160]}", t0)
        if not got.found:
            if refused is not None:
                refused["reason"] = f"{refused['reason']}; no other method found a certificate ({', '.join(excluded)} excluded)"
                refused["seconds"] = round(time.monotonic() - t0, 2)
                return refused
            return _none(f"no certificate: {got.reason}", t0)
        w = write_proof(got.certificate, problem, check_lean_file=check_lean)
        if w.emitted:
            break
        failed = _none(w.reason or "no proof", t0, got.certificate if w.verified else None, w.method)
        base = (w.method or "").split("+")[-1]
        # only a proof the judges refused is worth another method; a certificate is never loosened
        if not (w.verified and w.gate is not None and not w.gate.passed) or base in ("", "points", "counterexample"):
            return refused or failed
        refused = refused or failed
        excluded += (base,)
    else:
        return refused  # type: ignore[return-value]
    lean = None
    if w.lean is not None:
        lean = LeanRecord(text=w.lean.text, status=w.lean.status, reason=w.lean.reason)
    return ComputedProof(status="refuted" if w.refutes else "proved", method=w.method, verified=True, emitted=True,
                       markdown=w.markdown, computed_markdown=None, tex=w.tex, lean=lean,
                       certificate=got.certificate, judges=w.gate.to_dict() if w.gate else None, rewrite=None,
                       reason=None, seconds=round(time.monotonic() - t0, 2))


def settles(kind: str, proof: ComputedProof | None, engine_answered: bool) -> tuple[str, str] | None:
    """(outcome, reason) when the proof settles the problem; None when the loop must draft.

    A bound or relation proof is of the engine's answer (the claim is stated at it), so it settles
    only that answer; a proof problem is settled by its proof or by a checked counterexample."""
    if proof is None or not proof["emitted"]:
        return None
    how = f"a {proof['method']} certificate that re-verifies and a proof that passes the numeric judges"
    if proof["status"] == "refuted" and kind == "proof":
        return "refuted", f"the statement is false: {how.replace('a proof', 'a refutation')}"
    if proof["status"] != "proved":
        return None
    if kind in ("bound", "relation") and not engine_answered:
        return None
    return "solved", f"computed first: {how}"


def _point(pt: Any) -> str | None:
    if isinstance(pt, dict) and isinstance(pt.get("point"), dict) and pt["point"]:
        return ", ".join(f"{k} = {v}" for k, v in pt["point"].items())
    return None


def partial_evidence(engine: dict | None, proof: ComputedProof | None) -> list[str]:
    """Findings short of a proof, one line each, for the draft prompt (empty when there are none)."""
    out: list[str] = []
    ev = (engine or {}).get("evidence") or {}
    if engine and engine.get("status") == "answered" and engine.get("answer"):
        what = f"C = {engine['answer']}" if engine.get("kind") == "bound" or "extremum" in ev else f"option ({engine['answer']})"
        strength = "certified" if engine.get("certified") else "numerical evidence only, not certified"
        out.append(f"The inequality engine finds {what} ({strength}).")
    ext = ev.get("extremum") or {}
    where = _point(ext.get("witness"))
    if where:
        out.append(f"The extreme value is attained at {where}.")
    elif ext.get("numeric") is not None and not (engine or {}).get("answer"):
        out.append(f"A numerical search finds the extreme value near {ext['numeric']:.6g} (candidate constant).")
    sign = ev.get("sign") or {}
    eq = _point(sign.get("equality_point"))
    if eq:
        out.append(f"Equality holds at {eq}.")
    for label, w in (sign.get("witnesses") or {}).items():
        at = _point(w)
        if at:
            out.append(f"At {at}: {label} (a point where the other order fails).")
    if proof is not None and proof["status"] == "refuted" and proof["certificate"]:
        pt = proof["certificate"].get("counterexample")
        if isinstance(pt, dict):
            out.append("The statement fails at " + ", ".join(f"{k} = {v}" for k, v in pt.items()) + " (checked exactly).")
    if proof is not None and proof["reason"] and not proof["reason"].startswith(("claim:", "an open problem")):
        out.append(f"No computed proof: {proof['reason'][:200]}.")  # a search ran and says why it failed
    return out
