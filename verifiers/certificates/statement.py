r"""Read a "Let ... Prove that LHS >= RHS" statement as a formal record with its stated relation.

The formalizer reads IneqMath's relation template ("... $$ LHS () RHS $$ Determine the correct
inequality relation ..."), so the claim is rewritten into it: the hypotheses stay as written, the
relation to prove is cut at its top-level symbol and replaced by the blank, and the stated
relation is kept beside the record. Nothing here decides the relation; the certificate does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qed.problems.record import Problem
from qed.verifiers.formal import FormalProblem
from qed.verifiers.formalize import formalize

_PROVE = re.compile(r"\b(prove|show|verify|establish)\s+that\b", re.I)
_MATH = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\$(.+?)\$", re.S)
# relation symbols, longest first; \le must not match \left
_RELATIONS = (
    (r"\\geqslant", ">="), (r"\\leqslant", "<="), (r"\\geq", ">="), (r"\\leq", "<="),
    (r"\\ge(?![a-zA-Z])", ">="), (r"\\le(?![a-zA-Z])", "<="), (r"\\gt(?![a-zA-Z])", ">"), (r"\\lt(?![a-zA-Z])", "<"),
    (r"≥", ">="), (r"≤", "<="), (r">=", ">="), (r"<=", "<="), (r">", ">"), (r"<", "<"),
)


class StatementError(ValueError):
    """The statement is not of the form "... Prove that LHS REL RHS"."""


@dataclass
class ProveStatement:
    formal: FormalProblem
    relation: str  # ">=", "<=", ">" or "<"
    lhs_text: str
    rhs_text: str


def split_relation(math: str) -> tuple[str, str, str]:
    """(lhs, relation, rhs) at the single top-level relation symbol of a formula."""
    found = []
    depth = 0
    i = 0
    while i < len(math):
        ch = math[i]
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif depth == 0:
            for pattern, rel in _RELATIONS:
                m = re.match(pattern, math[i:])
                if m:
                    found.append((i, i + m.end(), rel))
                    i += m.end() - 1
                    break
        i += 1
    if len(found) != 1:
        raise StatementError(f"the claim needs exactly one relation symbol, found {len(found)}")
    s, e, rel = found[0]
    lhs, rhs = math[:s].strip(), math[e:].strip().rstrip(".,; ").strip()
    if not lhs or not rhs:
        raise StatementError("one side of the relation is empty")
    return lhs, rel, rhs


def read_prove_statement(statement: str) -> ProveStatement:
    """The formal record of the claim to prove and the relation it states; StatementError if not."""
    m = _PROVE.search(statement)
    if m is None:
        raise StatementError('no "Prove that" in the statement')
    head, tail = statement[: m.start()], statement[m.end() :]
    math = next((g for g in _MATH.search(tail).groups() if g) if _MATH.search(tail) else (), None)
    if math is None:
        raise StatementError("the claim after 'Prove that' is not a formula")
    lhs, rel, rhs = split_relation(math)
    rewritten = (
        f"{head.strip()}\nConsider the following expressions:\n$$\n{lhs} \\quad () \\quad {rhs}\n$$\n"
        "Determine the correct inequality relation to fill in the blank."
    )
    outcome = formalize(Problem(id="prove", statement=rewritten, kind="relation"))
    if outcome.formal is None:
        raise StatementError(f"the formalizer could not read it: {outcome.reason}")
    return ProveStatement(outcome.formal, rel, lhs, rhs)
