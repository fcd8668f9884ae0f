"""check_lean: does this Lean 4 proof prove this theorem? One call, one verdict, never a crash
because Lean is missing."""

from __future__ import annotations

import importlib.util
import math
import os
import time
from collections.abc import Sequence
from typing import Literal

from qed.verifiers.lean.errors import LeanInputError
from qed.verifiers.lean.judge import judge_output
from qed.verifiers.lean.lake_backend import run_lake_lean
from qed.verifiers.lean.result import LeanResult
from qed.verifiers.lean.source import LeanSource, build_source, forbidden_constructs
from qed.verifiers.lean.status import DOJO_FILE_ENV, lean_status

BackendChoice = Literal["auto", "lake", "lean-dojo"]


def _needs_mathlib(src: LeanSource) -> bool:
    return any(m == "Mathlib" or m.startswith("Mathlib.") for m in src.imports)


def check_lean(
    theorem_statement: str,
    proof: str,
    *,
    imports: Sequence[str] = ("Mathlib",),
    timeout_s: float = 120,
    project: str | os.PathLike[str] | None = None,
    backend: BackendChoice = "auto",
) -> LeanResult:
    """Check `theorem_statement := proof` with Lean 4.

    theorem_statement: `theorem <name> <binders> : <prop>` (a trailing `:=` is allowed).
    proof: a term or tactic block, e.g. `by nlinarith [sq_nonneg (a - b)]`.
    project: a Lake project directory (default $QED_LEAN_PROJECT).
    backend: "auto" uses lean-dojo when it imports, $QED_LEAN_DOJO_FILE is set and the project is
    traced, else `lake env lean`; "lake" / "lean-dojo" force one.
    Raises LeanInputError for malformed arguments; a missing Lean gives status "unavailable".
    """
    start = time.monotonic()
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float) or not math.isfinite(timeout_s) \
            or timeout_s <= 0:
        raise LeanInputError(f"timeout_s must be a positive number of seconds, got {timeout_s!r}")
    if backend not in ("auto", "lake", "lean-dojo"):
        raise LeanInputError(f"backend must be 'auto', 'lake' or 'lean-dojo', got {backend!r}")
    src = build_source(theorem_statement, proof, imports)

    def done(result: LeanResult) -> LeanResult:
        result.duration_s = time.monotonic() - start
        return result

    refused = forbidden_constructs(src.theorem)
    if refused:
        return done(LeanResult("failed", "; ".join(refused), src.text, "source-screen"))
    status = lean_status(project, probe=False)
    if status.project is None or not status.lake:
        return done(LeanResult("unavailable", status.explanation, src.text, "none"))
    if _needs_mathlib(src) and not status.project.has_mathlib:
        return done(LeanResult("unavailable", f"the Lean project {status.project.root} does not require Mathlib, "
                               "which the imports need", src.text, "none"))

    notes: list[str] = []
    dojo_file = os.environ.get(DOJO_FILE_ENV, "").strip()
    dojo_installed = importlib.util.find_spec("lean_dojo") is not None
    if backend == "lean-dojo" and not (dojo_installed and dojo_file):
        missing = "lean-dojo is not installed" if not dojo_installed else f"{DOJO_FILE_ENV} is not set"
        return done(LeanResult("unavailable", missing, src.text, "none"))
    if backend in ("auto", "lean-dojo") and dojo_installed and dojo_file:
        from qed.verifiers.lean.dojo_backend import check_with_dojo

        try:
            via_dojo = check_with_dojo(src, status.project.root, dojo_file, timeout_s)
        except LeanInputError as e:  # a misconfigured entry file: the check cannot run
            via_dojo = LeanResult("error", str(e), src.text, "lean-dojo")
        except Exception as e:  # noqa: BLE001 — lean-dojo signals many failures with bare asserts
            via_dojo = LeanResult("error", f"lean-dojo failed: {type(e).__name__}: {e}", src.text, "lean-dojo")
        if via_dojo is not None:
            return done(via_dojo)
        if backend == "lean-dojo":
            return done(LeanResult("unavailable", f"lean-dojo has not traced {status.project.root}",
                                   src.text, "none"))
        notes.append(f"lean-dojo has not traced {status.project.root}; checked with lake instead")

    run = run_lake_lean(status.project.root, status.lake, src.text, timeout_s)
    if run.timed_out:
        result = LeanResult("error", f"Lean did not finish within {timeout_s:g} s", src.text, "lake",
                            timed_out=True, output=run.output)
    else:
        verdict = judge_output(src, run.output, run.returncode)
        result = LeanResult(verdict.status, verdict.reason, src.text, "lake", messages=verdict.messages,
                            axioms=verdict.axioms, output=run.output)
    if notes:
        result.reason += " [" + "; ".join(notes) + "]"
    return done(result)
