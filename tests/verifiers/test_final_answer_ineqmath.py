"""The final-answer judge against IneqMath's 200 sample problems: the gold answers, the answers read
from each reference solution, equivalent rewritings of them, and decimal approximations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sympy as sp
from qed.verifiers.final_answer import (
    bounds_equal,
    extract_bound,
    extract_relation,
    gold_relation_letter,
    is_correct,
    latex_to_sympy,
    relation_choice,
)
from qed.verifiers.judges.grading import _solutions

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ineqmath" / "train_sample_200.json"
pytestmark = pytest.mark.skipif(not DATA.exists(), reason=f"IneqMath sample not found at {DATA}")


def _records() -> list[dict]:
    return json.loads(DATA.read_text()) if DATA.exists() else []


def _texts(record: dict) -> list[str]:
    sol = record["solution"]
    return sol if isinstance(sol, list) else _solutions(sol)


def _gold_value(answer: str) -> str:
    return answer.strip().strip("$").split("=", 1)[1].strip()


def test_every_reference_solution_agrees_with_its_gold_answer() -> None:
    records = _records()
    assert len(records) == 200
    disagreements = []
    for r in records:
        for text in _texts(r):
            if r["type"] == "bound":
                ok = is_correct("bound", extract_bound(text), r["answer"])
            else:
                letter = extract_relation(text)
                ok = letter is not None and is_correct("relation", f"({letter})", r["answer"])
            if not ok:
                disagreements.append(r["data_id"])
    assert disagreements == []


def _rewritings(value: str) -> list[str]:
    """Equivalent ways to write a gold value: spacing, \\dfrac, C= or not, sympy's own LaTeX, decimals."""
    out = [value, f"C = {value}", f"C={value}", value.replace(r"\frac", r"\dfrac"), re.sub(r"\s+", "", value),
           re.sub(r"([+\-=])", r" \1 ", value), f"$C = {value}$", rf"\boxed{{{value}}}"]
    expr = latex_to_sympy(value)
    assert expr is not None, value
    out.append(sp.latex(expr))
    out.append(sp.latex(sp.expand(expr)))
    if expr.is_Rational and not expr.is_Integer:
        q = int(expr.q)
        while q % 2 == 0:
            q //= 2
        while q % 5 == 0:
            q //= 5
        if q == 1:
            out.append(str(float(expr)))  # 3/2 written as 1.5 is the same number
    return out


def test_equivalent_rewritings_of_every_bound_answer_agree() -> None:
    failures = []
    for r in _records():
        if r["type"] != "bound":
            continue
        value = _gold_value(r["answer"])
        for form in _rewritings(value):
            read = extract_bound(form) if form.startswith(("$", "\\boxed")) else form
            if not (read and bounds_equal(read, r["answer"])):
                failures.append((r["data_id"], form))
    assert failures == []


def test_decimal_approximations_of_exact_bounds_are_rejected() -> None:
    checked = 0
    for r in _records():
        if r["type"] != "bound":
            continue
        expr = latex_to_sympy(_gold_value(r["answer"]))
        if expr is None or expr.free_symbols or expr.is_Integer:
            continue
        value = float(expr)
        for digits in (2, 3, 4):
            approx = f"{value:.{digits}f}"
            if sp.Rational(approx) == expr:
                continue  # 3/2 = 1.50 exactly: not an approximation
            checked += 1
            assert not bounds_equal(approx, r["answer"]), (r["data_id"], approx)
            assert not bounds_equal(rf"\approx {approx}", r["answer"])
            assert not is_correct("bound", extract_bound(rf"so $C \approx {approx}$."), r["answer"])
    assert checked > 20


def test_every_relation_answer_is_read_however_phrased() -> None:
    phrasings = ["The answer is ({L}).", r"\boxed{{{L}}}", "Answer: {L}", "so the correct option is ({L}) {S}",
                 r"Therefore the relation is $\boxed{{{S}}}$."]
    for r in _records():
        if r["type"] != "relation":
            continue
        letter = gold_relation_letter(r["answer"])
        symbol = relation_choice(letter).split(" ", 1)[1]
        for p in phrasings:
            text = p.format(L=letter, S=symbol)
            if "{S}" in p and letter == "F":
                continue
            assert extract_relation(text) == letter, (text, letter)
