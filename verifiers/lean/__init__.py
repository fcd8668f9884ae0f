"""Lean 4 checks: does a Lean proof prove a Lean theorem, and how to state an inequality in Lean.

    status = lean_status()              # what is installed; status.explanation is one line
    result = check_lean("theorem t (a b : ℝ) : a^2 + b^2 ≥ 2*a*b", "by nlinarith [sq_nonneg (a - b)]")
    result.status, result.reason        # "proved" | "failed" | "error" | "unavailable"

    thm = render_lean_theorem(problem, relation=">=")   # a FormalProblem over ℝ, polynomial
    prove_with_defaults(thm)            # nlinarith / positivity attempts before asking a model

Lean runs as `lake env lean <file>` inside the Lake project named by $QED_LEAN_PROJECT (it should
require Mathlib), killed at the time limit; lean-dojo is used instead when it imports,
$QED_LEAN_DOJO_FILE is set and the project is traced. A proof counts only when Lean reports no
error and no `sorry` and `#print axioms` lists nothing beyond propext, Classical.choice and
Quot.sound; `sorry`, `admit`, new axioms, native_decide and meta-code are refused before Lean runs.
Without Lean every check returns status "unavailable" with the reason; nothing raises for that.
"""

from qed.verifiers.lean.check import check_lean
from qed.verifiers.lean.errors import LeanInputError, LeanRenderError
from qed.verifiers.lean.messages import STANDARD_AXIOMS, LeanMessage, parse_lean_output
from qed.verifiers.lean.render import LeanTheorem, render_lean_theorem
from qed.verifiers.lean.result import LeanResult
from qed.verifiers.lean.status import LeanProject, LeanStatus, lean_status
from qed.verifiers.lean.tactics import default_proofs, prove_with_defaults

__all__ = [
    "STANDARD_AXIOMS",
    "LeanInputError",
    "LeanMessage",
    "LeanProject",
    "LeanRenderError",
    "LeanResult",
    "LeanStatus",
    "LeanTheorem",
    "check_lean",
    "default_proofs",
    "lean_status",
    "parse_lean_output",
    "prove_with_defaults",
    "render_lean_theorem",
]
