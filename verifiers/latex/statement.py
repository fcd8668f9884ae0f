"""read_statement: the lenient front-end, for the formalizer.

A statement's formula is read to a tree and nothing more: what its names, families, cyclic sums
and helper definitions mean is for the formalizer to say once it has read the whole statement
(verifiers.formalize.evaluate). Lenient means layout is forgiven (row breaks of an aligned display,
\\quad, prose such as `\\text{cyc}` and `\\triangle ABC` becomes Text nodes); it does not mean
guessing: ambiguous notation is read the one way the decision table (verifiers.latex.ambiguity)
sets for STATEMENT, and what is not read raises LatexError.
"""

from __future__ import annotations

from qed.verifiers.latex.ambiguity import STATEMENT
from qed.verifiers.latex.layout import without_layout, without_trailing_punctuation
from qed.verifiers.latex.lexer import tokenize
from qed.verifiers.latex.parser import parse
from qed.verifiers.latex.tree import Node
from qed.verifiers.latex.vocabulary import COMPARISONS, WIDE_SPACES


def read_statement(src: str) -> Node:
    """The tree of one formula of a statement (a comma list comes back as Seq); LatexError if not read."""
    tokens = [t for t in tokenize(src) if t.kind != "stop" and not (t.kind == "sep" and t.text in WIDE_SPACES)]
    tokens = without_trailing_punctuation(without_layout(tokens))
    tree, _ambiguities = parse(tokens, STATEMENT, COMPARISONS, src)
    return tree
