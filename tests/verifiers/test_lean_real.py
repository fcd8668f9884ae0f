"""End to end with a real Lean 4 and Mathlib. None of this project's machines has a Lean
toolchain, so these skip here; they run where elan's `lean`/`lake` are on PATH and
QED_LEAN_PROJECT names a built Lake project that requires Mathlib."""

from __future__ import annotations

import os
import shutil

import pytest
import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.lean import check_lean, lean_status, prove_with_defaults, render_lean_theorem

_MISSING = [what for what, ok in (("`lean` on PATH", shutil.which("lean")), ("`lake` on PATH", shutil.which("lake")),
                                  ("QED_LEAN_PROJECT", os.environ.get("QED_LEAN_PROJECT"))) if not ok]
pytestmark = pytest.mark.skipif(
    bool(_MISSING),
    reason="needs a Lean 4 toolchain and a Lake project with Mathlib; missing: " + ", ".join(_MISSING),
)

STATEMENT = "theorem qed_ineq (a b : ℝ) (ha : 0 < a) (hb : 0 < b) : a^2 + b^2 ≥ 2*a*b"
TIMEOUT_S = 600  # the first import of Mathlib loads several GB of .olean files


def test_status_is_ready_with_mathlib():
    status = lean_status()
    assert status.available and status.project is not None and status.project.has_mathlib, status.explanation
    assert status.lean_version


def test_true_inequality_is_proved_by_nlinarith():
    result = check_lean(STATEMENT, "by nlinarith [sq_nonneg (a - b)]", timeout_s=TIMEOUT_S)
    assert result.status == "proved", (result.reason, result.output)
    assert set(result.axioms or []) <= {"propext", "Classical.choice", "Quot.sound"}


def test_false_inequality_fails_with_a_positioned_error():
    wrong = STATEMENT.replace("2*a*b", "3*a*b")
    result = check_lean(wrong, "by nlinarith [sq_nonneg (a - b)]", timeout_s=TIMEOUT_S)
    assert result.status == "failed", (result.reason, result.output)
    assert result.errors and result.errors[0].line == 3


def test_term_proof_of_the_wrong_type_fails():
    result = check_lean(STATEMENT, "le_refl _", timeout_s=TIMEOUT_S)
    assert result.status == "failed", (result.reason, result.output)


def test_rendered_record_is_proved_by_the_default_proofs():
    a, b, c = sp.symbols("a b c")
    pos = sp.Interval(0, sp.oo, left_open=True)
    problem = FormalProblem(kind="relation", variables=[a, b, c], domains={a: pos, b: pos, c: pos},
                            lhs=a**2 + b**2 + c**2, rhs=a * b + b * c + c * a)
    result = prove_with_defaults(render_lean_theorem(problem, relation=">="), timeout_s=TIMEOUT_S)
    assert result.status == "proved", (result.reason, result.output)
