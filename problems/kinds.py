"""Guess a problem's kind from its wording, for sources that do not say (plain text, a prompt).

The guess follows the phrasing inequality and olympiad problems use: IneqMath's relation template
("Consider the following expressions ... () ... Determine the correct inequality relation"),
bound questions asking for an extreme constant C, and "prove / show that" statements.
Anything else is an open question.
"""

from __future__ import annotations

import re

from qed.problems.record import ProblemKind

_RELATION = re.compile(
    r"correct inequality relation|\\quad\s*\(\s*\)\s*\\quad|fill in the blank", re.IGNORECASE
)
_BOUND = re.compile(
    r"\b(find|determine|compute|what is)\b[^.?]{0,80}?"
    r"\b(largest|smallest|maximal|minimal|maximum|minimum|greatest|least|best|optimal|sharp)\b"
    r"[^.?]{0,40}?\$\s*C\s*\$"
    r"|\b(find|determine)\s+the\s+(constant|number)\s+\$\s*C\s*\$",
    re.IGNORECASE | re.DOTALL,
)
_PROOF = re.compile(r"(^|[.:;]\s+|\n\s*)(prove|show)\b|\b(prove|show) that\b", re.IGNORECASE)


def infer_kind(statement: str) -> ProblemKind:
    """bound, relation, proof or open, from the statement's wording alone."""
    if _RELATION.search(statement):
        return "relation"
    if _BOUND.search(statement):
        return "bound"
    if _PROOF.search(statement):
        return "proof"
    return "open"
