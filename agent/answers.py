"""What counts as 'the answer' of a draft, per problem kind, read deterministically and parsed once.

An answer's LaTeX is parsed where the answer is read (generate for a draft, execute for the
engine's result, the driver for a known answer); the Answer record keeps the exact value as a
sympy string that verifiers.safe_expr reads back, so comparing, grading and deciding never parse
LaTeX again (and never unpickle anything).
"""

from __future__ import annotations

import re

import sympy as sp
from qed.agent.prompts import load
from qed.agent.state import Answer, EngineResult, ProblemRecord
from qed.verifiers.final_answer import (
    exprs_equal,
    extract_bound,
    extract_relation,
    format_answer,
    gold_relation_letter,
    is_decimal_approximation,
    latex_to_sympy,
)
from qed.verifiers.safe_expr import ExpressionError, parse_expression

ANSWER_KINDS = ("bound", "relation", "open")
GRADED_KINDS = ("bound", "relation")  # kinds whose answers are compared exactly


def answer_format(problem: ProblemRecord) -> str:
    return load(f"answer_format_{problem['kind']}").strip()


def read_answer(problem: ProblemRecord, text: str) -> Answer | None:
    """The answer a reply commits to, parsed; None when it commits to none."""
    kind = problem["kind"]
    if kind == "bound":
        raw = extract_bound(text)
    elif kind == "relation":
        raw = extract_relation(text)
    elif kind == "open":
        found = re.findall(r"answer is[:\s]*(.+)", text, re.I)
        raw = found[-1].strip().strip("$").rstrip(".").strip() if found else None
    else:
        raw = None
    return parse_answer(kind, raw) if raw else None


def parse_answer(kind: str, text: str) -> Answer:
    """The one parse of an answer as written: a bound's LaTeX value, a relation's letter, words."""
    if kind == "bound":
        exact, symbols = exact_form(latex_to_sympy(text))
        return Answer(text=text, exact=exact, symbols=symbols, decimal=is_decimal_approximation(text))
    if kind == "relation":
        return Answer(text=text, exact=text if re.fullmatch("[A-F]", text) else None, symbols=[], decimal=False)
    return Answer(text=text, exact=None, symbols=[], decimal=False)


def known_answer(kind: str, gold: str | None) -> Answer | None:
    """A problem's known answer in IneqMath's format (`$$C = 2$$`, `(B) $\\geq$`), parsed once."""
    if gold is None:
        return None
    if kind == "relation":
        letter = gold_relation_letter(gold)
        return Answer(text=gold, exact=letter, symbols=[], decimal=False)
    return parse_answer(kind, gold)


def engine_answer(engine: EngineResult | None) -> Answer | None:
    """The inequality engine's answer, parsed once when its result arrives; None when it gave none."""
    if engine is None or engine["status"] != "answered" or not engine.get("answer") or not engine.get("kind"):
        return None
    return parse_answer(engine["kind"], engine["answer"])


def exact_form(expr: sp.Expr | None) -> tuple[str | None, list[str]]:
    """`expr` as a string the safe reader reads back to the same value, and its parameters.

    (None, []) when there is no expression or its printed form does not read back (sympy can
    print functions the reader does not accept, such as factorial or binomial).
    """
    if expr is None:
        return None, []
    names = sorted(s.name for s in expr.free_symbols)
    text = str(expr)
    try:
        back = parse_expression(text, {n: sp.Symbol(n) for n in names}, "an exact answer")
    except ExpressionError:
        return None, []
    if not exprs_equal(back, expr):
        return None, []
    return text, names


def exact_value(answer: Answer) -> sp.Expr | None:
    """A bound answer's exact value, read back from its record by the safe reader."""
    if answer["exact"] is None:
        return None
    try:
        return parse_expression(answer["exact"], {n: sp.Symbol(n) for n in answer["symbols"]}, "an exact answer")
    except ExpressionError:
        return None


def same_answer(kind: str, mine: Answer | None, theirs: Answer | None) -> bool:
    """Whether two parsed answers are exactly the same: equal letters, or equal exact values
    (a decimal approximation never equals an exact value)."""
    if mine is None or theirs is None or mine["exact"] is None or theirs["exact"] is None:
        return False
    if kind == "relation":
        return mine["exact"] == theirs["exact"]
    if kind == "bound":
        a, b = exact_value(mine), exact_value(theirs)
        return a is not None and b is not None and exprs_equal(a, b)
    return False


def grade(kind: str, answer: Answer | None, gold: str | None) -> bool | None:
    """Graded only where the known answer can be checked exactly; an abstention is not correct."""
    if gold is None or kind not in GRADED_KINDS:
        return None
    return same_answer(kind, answer, known_answer(kind, gold))


def shown(kind: str, answer: Answer | None) -> str | None:
    """The answer in IneqMath's format (`$$C = value$$`, the full relation option), or as written."""
    if answer is None:
        return None
    if kind in GRADED_KINDS and (kind != "relation" or answer["exact"] is not None):
        return format_answer(kind, answer["text"])
    return answer["text"]


def proof_complete(text: str) -> bool:
    return bool(re.search(r"(^|\n)\s*(QED|∎|\\qed|\\blacksquare)\.?\s*$", text.strip(), re.I))
