"""QED's one LaTeX reader: one vocabulary, one lexer, one parser, one tree, two front-ends.

- `read_statement(src)` (lenient, for the formalizer): the tree of a statement's formula, which
  the formalizer evaluates in the statement's context (families x_1..x_n, cyclic sums, helper
  definitions, parameters: verifiers.formalize.evaluate).
- `read_formula(src_or_tokens, readings=FORMULA)` (strict, for the judges, final answers and
  memory): a `Formula` with its sympy value, every token's place in the source and the
  ambiguities met; it refuses what it cannot read faithfully.

Both raise LatexError with a one-line reason, and both enforce the input limits
(verifiers.input_limits). Ambiguous notation is read as verifiers.latex.ambiguity decides.

    vocabulary.py  every command and character, by category (the one table)
    lexer.py       source -> tokens with offsets
    parser.py      tokens -> tree (tree.py), following the Readings
    ambiguity.py   the decision table and the front-ends' presets
    values.py      tree -> sympy: shared arithmetic, bounded; the formula front-end's names
    statement.py   read_statement
    formula.py     read_formula, Formula
"""

from __future__ import annotations

from qed.verifiers.latex.ambiguity import ANSWER, DECISIONS, FORMULA, STATEMENT, Ambiguity, Readings
from qed.verifiers.latex.errors import LatexError, formula_refusal
from qed.verifiers.latex.formula import Formula, read_formula
from qed.verifiers.latex.lexer import Token, tokenize
from qed.verifiers.latex.statement import read_statement
from qed.verifiers.latex.values import symbol

__all__ = [
    "ANSWER", "DECISIONS", "FORMULA", "STATEMENT", "Ambiguity", "Formula", "LatexError", "Readings",
    "Token", "formula_refusal", "read_formula", "read_statement", "symbol", "tokenize",
]
