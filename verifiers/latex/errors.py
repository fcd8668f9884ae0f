"""Why a formula is not read, in one line; every refusal of the LaTeX reader is a LatexError."""

from __future__ import annotations

from qed.verifiers.input_limits import MAX_FORMULA_CHARS, MAX_NESTING, nesting_depth, too_long


class LatexError(ValueError):
    """The formula uses notation the reader does not read faithfully, or is beyond its limits."""


def formula_refusal(src: str) -> str | None:
    """Why a formula is not read at all (too long, nested too deeply), or None."""
    refusal = too_long("a formula", len(src), MAX_FORMULA_CHARS)
    if refusal:
        return refusal
    depth = nesting_depth(src)
    if depth > MAX_NESTING:
        return f"a formula nests brackets {depth} deep, more than the {MAX_NESTING} QED reads"
    return None
