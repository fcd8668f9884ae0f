"""Formalizer: an inequality statement (IneqMath style) -> FormalProblem (verifiers.formal).

`formalize(problem, model=None)` tries the deterministic LaTeX reader first; when it cannot read
the statement and a model is given, the formalizer model writes a JSON record that is validated
by sympy before use. Either way the record has passed a sanity check: feasible points exist and
the compared expressions (or the bound's target) are finite reals there. It never raises: a
statement it cannot formalize gives a FormalizeOutcome with a one-line reason.

What the records carry beyond the FormalProblem fields:
- extra["asked"]: "largest" / "smallest" / None, the direction the wording asks for (bound);
  `sense` itself comes from how C enters the inequality, and a disagreement is in `notes`.
- extra["restricted_by"]: when C is capped only where its coefficient has one sign (f >= C g with
  g of both signs), that condition; it is also appended to `constraints`.
- extra["count_parameters"]: the parameters that are family lengths (n in x_1, ..., x_n).
- parameters / parameter_values / instantiate: integer parameters and the rebuild hook.
- substitution: triangle sides in terms of the Ravi variables (a = y + z, ...).
"""

from __future__ import annotations

from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.outcome import FormalizeOutcome
from qed.verifiers.formalize.pipeline import formalize

__all__ = ["FormalizeError", "FormalizeOutcome", "formalize"]
