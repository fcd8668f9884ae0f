"""A model may rewrite a computed proof's prose; the rewrite is used only if it keeps the proof.

The computed proof (prose.py) is the reference. A rewrite is accepted when (1) every relation the
reference displays appears in the rewrite, the same after normalisation (read by the judges'
LaTeX reader into sympy, whose canonical form ignores spacing and `\\left`/`\\right` but not a
changed coefficient, an expanded square or a flipped sign), and (2) the rewrite passes the same
numeric judges. Otherwise the computed proof is emitted and the rejection reason recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sympy as sp
from qed.models.base import CallOptions, ChatModel, Message
from qed.models.prompt_files import PromptFiles
from qed.problems.record import Problem
from qed.verifiers.judges.extract import find_math, relations_in
from qed.verifiers.judges.relcheck import parse_relation
from qed.verifiers.latex import LatexError
from qed.verifiers.proofs.gate import GateResult, judge_proof

PROMPTS = PromptFiles(Path(__file__).parent / "prompts")
MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
SPACING = re.compile(r"\\left|\\right|\\[,;:! ]|\s+")  # what does not change a formula


@dataclass
class RewriteOutcome:
    accepted: bool
    text: str | None  # the rewrite when accepted
    reason: str
    gate: GateResult | None = None
    tokens: int = 0

    def describe(self) -> dict:
        return {"accepted": self.accepted, "reason": self.reason, "tokens": self.tokens,
                "judges": self.gate.to_dict() if self.gate else None}


def _relations(text: str, display_only: bool) -> list[tuple[str, tuple | str]]:
    """(op, normal form) for every relation of the text; the normal form is a pair of sympy
    expressions where the reader reads the formula, else the formula's text without spacing."""
    segments = find_math(text)
    out: list[tuple[str, tuple | str]] = []
    for r in relations_in(text, segments):
        if display_only and not r.segment.display:
            continue
        try:
            p = parse_relation(r.lhs, r.op, r.rhs)
            out.append((r.op, (p.lhs.expr, p.rhs.expr)))
        except (LatexError, ValueError):
            out.append((r.op, SPACING.sub("", r.quote(text))))
    return out


def _same(a: tuple | str, b: tuple | str, mirrored: bool) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    left, right = (b[1], b[0]) if mirrored else b
    return sp.srepr(a[0]) == sp.srepr(left) and sp.srepr(a[1]) == sp.srepr(right)


def missing_formulas(reference: str, candidate: str, display_only: bool = True) -> list[str]:
    """The (displayed) relations of the reference that the candidate does not keep (as text)."""
    have = _relations(candidate, display_only=False)
    missing = []
    for op, form in _relations(reference, display_only=display_only):
        kept = any((op2 == op and _same(form, f2, False)) or (op2 == MIRROR.get(op) and _same(form, f2, True))
                   for op2, f2 in have)
        if not kept:
            shown = form if isinstance(form, str) else f"{form[0]} {op} {form[1]}"
            missing.append(shown[:160])
    return missing


def check_rewrite(reference: str, candidate: str, problem: Problem | None) -> RewriteOutcome:
    """Accept the candidate only if it keeps every displayed relation and passes the judges."""
    if not candidate.strip():
        return RewriteOutcome(False, None, "the rewrite is empty")
    lost = missing_formulas(reference, candidate)
    if lost:
        more = f" (and {len(lost) - 1} more)" if len(lost) > 1 else ""
        return RewriteOutcome(False, None, f"the rewrite drops or alters a displayed formula: {lost[0]}{more}")
    gate = judge_proof(candidate, problem)
    if not gate.passed:
        return RewriteOutcome(False, None, f"the rewrite fails the judges: {gate.reason}", gate)
    return RewriteOutcome(True, candidate, "keeps every displayed formula and passes the numeric judges", gate)


def rewrite_proof(model: ChatModel, proof: str, problem: Problem | None, max_tokens: int = 900,
                  on_token=None) -> RewriteOutcome:  # noqa: ANN001 - a token callback
    """Ask the model for a rewrite of the proof's prose, then check it (check_rewrite)."""
    statement = problem.statement if problem is not None else ""
    messages = [Message("system", PROMPTS.render("rewrite_system")),
                Message("user", PROMPTS.render("rewrite_user", statement=statement, proof=proof))]
    completion = model.chat(messages, CallOptions(max_tokens=max_tokens, temperature=0.0), on_token=on_token)
    tokens = completion.usage.total
    if completion.truncated:
        return RewriteOutcome(False, None, f"the rewrite was cut off at {max_tokens} tokens", tokens=tokens)
    out = check_rewrite(proof, _strip_fence(completion.text), problem)
    out.tokens = tokens
    return out


def _strip_fence(text: str) -> str:
    """A reply wrapped in one ```markdown fence is the text inside it."""
    m = re.fullmatch(r"\s*```(?:markdown|md)?\s*\n(.*)\n```\s*", text, re.S)
    return m.group(1) if m else text
