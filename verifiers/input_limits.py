"""The sizes of input QED reads, and the one-line refusals when an input is larger.

Statements, proofs and model replies are written by someone else. A reader that accepts any size
can be made to run for hours or exhaust memory (`9^{9^{9}}` has 370 million digits; a 5 MB formula
is 5 million tokens), so each reader refuses what is beyond these limits and says what it refused.
The limits sit far above what real problems use: the IneqMath sample, IMO-Bench and FirstProof
have statements under 1,300 characters, formulas under 720, numbers under 6 digits, exponents
under 2,030 and proofs under 25,000 characters. The formula cap is higher than these because QED's
own proofs write a certificate's expanded polynomial in one display (13,000-27,000 characters for
the ordered certificates of the sample), and a proof whose identity the judges cannot read is not
emitted; the judges' bounded child (90 CPU seconds) caps what a long formula can cost.
"""

from __future__ import annotations

import math

MAX_STATEMENT_CHARS = 20_000  # a problem statement the formalizer reads
MAX_FORMULA_CHARS = 40_000  # one formula ($...$, a display) either LaTeX reader reads
MAX_NESTING = 60  # brackets and braces inside one another in a formula
MAX_NUMBER_DIGITS = 100  # digits of one number written in a formula
MAX_EXPONENT = 10_000  # |exponent| of a power, when the exponent is a number
MAX_VALUE_DIGITS = 10_000  # digits of an exact number a power of numbers would produce
MAX_FACTORIAL = 1_000  # n! is computed for n up to this
MAX_TERMS = 1_000  # terms a written-out sum or product (with numeric limits) expands to
MAX_PROOF_CHARS = 500_000  # a proof the judges read


def count(n: int) -> str:
    """1234567 -> '1,234,567' (limits and sizes in refusals)."""
    return f"{n:,}"


def too_long(what: str, size: int, limit: int) -> str | None:
    """The refusal for an input of `size` characters beyond `limit`, or None when it fits."""
    if size <= limit:
        return None
    return f"{what} has {count(size)} characters, more than the {count(limit)} QED reads"


def nesting_depth(text: str) -> int:
    """The deepest nesting of (), [] and {} in text (escaped braces count too)."""
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth = max(0, depth - 1)
    return deepest


def power_refusal(base_digits: float | None, exponent: float) -> str | None:
    """Why base^exponent is not computed exactly, or None when it may be.

    `base_digits` is log10 |base| for a numeric base (None for a base with variables); the
    exponent is the numeric exponent's value."""
    if not math.isfinite(exponent) or abs(exponent) > MAX_EXPONENT:
        shown = _shown(exponent)
        return f"the exponent {shown} is beyond the limit of {count(MAX_EXPONENT)}"
    if base_digits is not None and abs(exponent) * max(base_digits, 0.0) > MAX_VALUE_DIGITS:
        digits = abs(exponent) * base_digits
        return (f"a power with about {count(int(digits))} digits is beyond the limit of "
                f"{count(MAX_VALUE_DIGITS)} digits")
    return None


def _shown(value: float) -> str:
    if not math.isfinite(value):
        return "of unbounded size"
    if abs(value) < 1e15:
        return count(int(value))
    return f"{value:.3g}"
