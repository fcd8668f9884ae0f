"""First proofs to try on a rendered inequality before asking a model: nlinarith with square and
product hints, and positivity when one side is 0.

nlinarith multiplies hypotheses and hint terms in pairs and hands the result to linarith, so the
hints that matter for symmetric polynomial inequalities are squares of differences and sums of
variables and products of the positivity hypotheses.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from itertools import combinations

from qed.verifiers.lean.check import check_lean
from qed.verifiers.lean.render import LeanTheorem
from qed.verifiers.lean.result import LeanResult

_MAX_PAIRS = 15  # six variables; beyond that only neighbouring pairs, to keep nlinarith tractable


def _pairs(names: Sequence[str]) -> list[tuple[str, str]]:
    pairs = list(combinations(names, 2))
    if len(pairs) > _MAX_PAIRS:
        pairs = [(names[i], names[(i + 1) % len(names)]) for i in range(len(names))]
    return pairs


def _positive(theorem: LeanTheorem) -> tuple[list[str], list[str]]:
    """Hypotheses of the form 0 < v and 0 ≤ v, by name."""
    strict, weak = [], []
    for label, prop in theorem.hypotheses:
        for v in theorem.variables:
            if prop == f"0 < {v}":
                strict.append(label)
            elif prop == f"0 ≤ {v}":
                weak.append(label)
    return strict, weak


def default_proofs(theorem: LeanTheorem) -> list[str]:
    """Tactic proofs to try in order, cheapest first."""
    names = list(theorem.variables)
    pairs = _pairs(names)
    squares = [f"sq_nonneg ({x} - {y})" for x, y in pairs]
    wider = squares + [f"sq_nonneg ({x} + {y})" for x, y in pairs]
    wider += [f"sq_nonneg ({v} - 1)" for v in names] + [f"sq_nonneg ({v} + 1)" for v in names]
    strict, weak = _positive(theorem)
    products = [f"mul_pos {p} {q}" for p, q in combinations(strict, 2)]
    products += [f"mul_nonneg {p}.le {q}" if p in strict else f"mul_nonneg {p} {q}.le" if q in strict
                 else f"mul_nonneg {p} {q}" for p, q in combinations(strict + weak, 2)
                 if not (p in strict and q in strict)]
    if len(strict) >= 3:
        products += [f"mul_pos (mul_pos {p} {q}) {r}" for p, q, r in combinations(strict, 3)][:4]
    proofs = []
    if theorem.lhs == "0" and theorem.relation in ("≤", "<"):
        proofs.append("by positivity")
    elif theorem.rhs == "0" and theorem.relation in ("≥", ">"):
        proofs.append(f"by rw [{'ge_iff_le' if theorem.relation == '≥' else 'gt_iff_lt'}]; positivity")
    proofs.append(f"by nlinarith [{', '.join(squares)}]" if squares else "by nlinarith")
    proofs.append(f"by nlinarith [{', '.join(wider + products)}]")
    return list(dict.fromkeys(proofs))


def prove_with_defaults(
    theorem: LeanTheorem,
    *,
    imports: Sequence[str] = ("Mathlib",),
    timeout_s: float = 120,
    project: str | os.PathLike[str] | None = None,
) -> LeanResult:
    """Try each default proof until Lean accepts one; the first proof's result, or the last
    failure. Stops at once when Lean is unavailable or the project is broken (any other proof
    would meet the same wall); a time-out moves on to the next proof."""
    result: LeanResult | None = None
    for proof in default_proofs(theorem):
        result = check_lean(theorem.statement, proof, imports=imports, timeout_s=timeout_s, project=project)
        if result.status in ("proved", "unavailable") or (result.status == "error" and not result.timed_out):
            return result
    assert result is not None  # default_proofs always yields at least one proof
    return result
