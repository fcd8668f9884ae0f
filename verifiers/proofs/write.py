"""From a certificate to the proof a person reads: re-check, explain, gate, render, rewrite.

The order is the point: the certificate is re-verified by the independent checker first (one that
does not re-verify is never explained); the proof text is then run through QED's numeric judges and
is not emitted when any of them does not pass; only then are the .tex and Lean renderings made
from the same document. A model rewrite of the prose, when a model is given, replaces the
computed Markdown only if it keeps every displayed formula and passes the same judges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qed.models.base import ChatModel
from qed.problems.record import Problem
from qed.verifiers.certificates.check import check_certificate
from qed.verifiers.lean.errors import LeanRenderError
from qed.verifiers.proofs.doc import ProofDoc
from qed.verifiers.proofs.gate import GateResult, judge_proof
from qed.verifiers.proofs.prose import ExplainError, explain
from qed.verifiers.proofs.render_lean import lean_proof
from qed.verifiers.proofs.render_markdown import to_markdown
from qed.verifiers.proofs.render_tex import to_tex
from qed.verifiers.proofs.rewrite import RewriteOutcome, rewrite_proof


@dataclass
class LeanFile:
    text: str
    theorem: str
    proof: str
    status: str = "not checked"  # proved | failed | error | unavailable | not checked
    reason: str = ""

    def describe(self) -> dict[str, str]:
        return {"status": self.status, "reason": self.reason}


@dataclass
class WrittenProof:
    """A proof ready to write out, or the reason there is none (`markdown` is None then)."""

    certificate: dict
    method: str | None
    verified: bool  # the independent checker accepts the certificate
    markdown: str | None = None
    computed_markdown: str | None = None  # the computed text, when a rewrite replaced it
    tex: str | None = None
    lean: LeanFile | None = None
    gate: GateResult | None = None
    rewrite: RewriteOutcome | None = None
    reason: str | None = None  # why no proof is emitted
    notes: list[str] = field(default_factory=list)

    @property
    def emitted(self) -> bool:
        return self.markdown is not None

    @property
    def refutes(self) -> bool:
        return self.certificate.get("verdict") == "fails"

    def describe(self) -> dict[str, Any]:
        return {
            "method": self.method, "verified": self.verified, "emitted": self.emitted, "refutes": self.refutes,
            "judges": self.gate.to_dict() if self.gate else None, "reason": self.reason,
            "rewrite": self.rewrite.describe() if self.rewrite else None,
            "lean": self.lean.describe() if self.lean else None, "notes": list(self.notes),
        }


def gated(doc: ProofDoc, problem: Problem | None) -> tuple[str | None, GateResult]:
    """The document's Markdown if it passes every gate judge, else None, with the judges' verdicts."""
    md = to_markdown(doc)
    gate = judge_proof(md, problem)
    return (md if gate.passed else None), gate


def lean_file(cert: dict, check: bool = True, timeout_s: float = 300) -> LeanFile | None:
    """The Lean rendering of a proved claim, checked with Lean when a toolchain is configured."""
    try:
        lp = lean_proof(cert)
    except (LeanRenderError, KeyError, TypeError, ValueError) as e:
        return LeanFile("", "", "", "not rendered", str(e)[:200])
    out = LeanFile(lp.text, lp.theorem, lp.proof)
    if check:
        from qed.verifiers.lean.check import check_lean
        from qed.verifiers.lean.errors import LeanInputError

        try:
            res = check_lean(lp.theorem, lp.proof, timeout_s=timeout_s)
            out.status, out.reason = res.status, res.reason
        except LeanInputError as e:
            out.status, out.reason = "error", str(e)[:200]
    return out


def write_proof(cert: dict, problem: Problem | None, model: ChatModel | None = None, *,
                check_lean_file: bool = True, rewrite_tokens: int = 900, on_token=None) -> WrittenProof:  # noqa: ANN001
    """The proof of one certificate (see the module docstring for the order of checks)."""
    method = cert.get("method") if isinstance(cert, dict) else None
    verdict = check_certificate(cert)
    out = WrittenProof(cert, method, verdict.valid)
    if not verdict.valid:
        out.reason = f"the certificate does not re-verify: {verdict.summary()}"
        return out
    try:
        kind = problem.kind if problem is not None and problem.kind in ("bound", "relation") else None
        doc = explain(cert, answer_kind=kind)
    except ExplainError as e:
        out.reason = f"the certificate could not be explained: {e}"
        return out
    md, out.gate = gated(doc, problem)
    if md is None:
        out.reason = f"the written proof fails the judges: {out.gate.reason}"
        return out
    out.markdown, out.tex = md, to_tex(doc)
    if not out.refutes:
        out.lean = lean_file(cert, check=check_lean_file)
    if model is not None:
        try:
            out.rewrite = rewrite_proof(model, md, problem, max_tokens=rewrite_tokens, on_token=on_token)
        except Exception as e:  # noqa: BLE001 - a failing model never costs the computed proof
            out.notes.append(f"rewrite not used: {type(e).__name__}: {str(e)[:160]}")
        else:
            if out.rewrite.accepted and out.rewrite.text:
                out.computed_markdown, out.markdown = md, out.rewrite.text
            else:
                out.notes.append(f"rewrite refused: {out.rewrite.reason}")
    return out
