r"""read_formula: the strict front-end, for the judges, final answers and memory.

A checker needs more than a best-effort parse: a misread formula must never turn into a "wrong
computation" or a wrong answer. So this reader refuses what it cannot read faithfully (sums,
ellipses, f(x), primes, prose, \infty ...) with LatexError, keeps every token's place in the
source so a step can be quoted and a number changed in place, and flags each ambiguity it met
(verifiers.latex.ambiguity) with the other reading at hand: `Formula.alternatives()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp
from qed.verifiers.input_limits import MAX_FORMULA_CHARS, count
from qed.verifiers.latex.ambiguity import FORMULA, Ambiguity, Readings
from qed.verifiers.latex.errors import LatexError
from qed.verifiers.latex.layout import without_layout, without_trailing_punctuation
from qed.verifiers.latex.lexer import Token, tokenize
from qed.verifiers.latex.parser import parse
from qed.verifiers.latex.tree import Node
from qed.verifiers.latex.values import FormulaEvaluator
from qed.verifiers.latex.vocabulary import APPROXIMATION, COMPARISONS

RELATIONS = (*COMPARISONS, APPROXIMATION)


@dataclass(frozen=True)
class Formula:
    """One formula read as it stands: its value, tree, tokens (with offsets) and ambiguities."""

    expr: sp.Expr
    tree: Node
    tokens: tuple[Token, ...]
    readings: Readings
    ambiguities: tuple[Ambiguity, ...] = ()

    @property
    def numbers(self) -> list[Token]:
        """The number tokens, for quoting and for changing a number in place."""
        return [t for t in self.tokens if t.kind == "num"]

    @property
    def has_decimal(self) -> bool:
        return any("." in t.text for t in self.numbers)

    @property
    def decimal_places(self) -> int:
        """The most digits after the point among the decimals written."""
        return max((len(t.text.split(".", 1)[1]) for t in self.numbers if "." in t.text), default=0)

    @property
    def ambiguous(self) -> bool:
        return bool(self.ambiguities)

    def alternatives(self) -> list[Readings]:
        """The readings that flip one flagged choice each (the other ways a writer may have meant it)."""
        out: list[Readings] = []
        for kind in dict.fromkeys(a.kind for a in self.ambiguities):
            other = self.readings.flipped(kind)
            if other is not None and other not in out:
                out.append(other)
        return out


def read_formula(source: str | Sequence[Token], readings: Readings = FORMULA) -> Formula:
    """One expression (no relation) from its LaTeX or its tokens; LatexError when not read faithfully."""
    if isinstance(source, str):
        src: str | None = source
        tokens = tokenize(source)
    else:
        src = None
        tokens = list(source)
        if len(tokens) > MAX_FORMULA_CHARS:
            raise LatexError(f"an expression of {count(len(tokens))} tokens, more than the {count(MAX_FORMULA_CHARS)} QED reads")
    tokens = without_trailing_punctuation(without_layout(tokens))
    if not tokens:
        raise LatexError("empty expression")
    for t in tokens:
        if t.kind in ("stop", "other", "text") or (t.kind == "sep" and t.text != ","):
            raise LatexError(f"unexpected {t.text!r}")
    tree, ambiguities = parse(tokens, readings, RELATIONS, src)
    evaluator = FormulaEvaluator(readings)
    try:
        expr = evaluator.value(tree)
    except LatexError:
        raise
    except (TypeError, ValueError, ZeroDivisionError, RecursionError, AttributeError) as e:
        raise LatexError(f"cannot build expression: {e}") from None
    if expr.has(sp.zoo, sp.nan):
        raise LatexError("undefined value")
    return Formula(expr, tree, tuple(tokens), readings, tuple(ambiguities + evaluator.ambiguities))
