"""Numerical-approximation judge: a decimal used where the proof needs an exact value.

Deterministic. What it flags, each with the formula quoted:
- an equality between an exact value and a decimal that is not exactly it (`\\sqrt{2} = 1.414`);
- an exact claim (`=`) that rests on a rounded decimal: one with three or more places, or one
  the text obtained by `\\approx` (`\\frac{3}{\\sqrt[3]{4}} \\approx 1.89`, then `C = 1.89`);
- a comparison of exact values decided by decimals within their rounding error;
- a final answer that is a decimal approximation.
Approximations used only to illustrate (`\\pi \\approx 3.14`, never used as exact) are not flaws.
"""

from __future__ import annotations

import re

import sympy as sp
from qed.problems.record import Problem
from qed.verifiers.final_answer import extract_bound, is_decimal_approximation
from qed.verifiers.judges.bounded_check import bounded_verdict, with_refusals
from qed.verifiers.judges.extract import find_math, relations_in, split_steps
from qed.verifiers.judges.judge import Judge, JudgeContext
from qed.verifiers.judges.relcheck import closed_value, decimal_tolerance, parse_relation
from qed.verifiers.judges.verdict import Coverage, Finding, JudgeVerdict
from qed.verifiers.latex import LatexError

NAME = "numeric_approximation"
ROUNDED_PLACES = 3  # a decimal with this many places in an exact claim is read as a rounding
_APPROX_WORDS = re.compile(r"\b(approximately|approx\.?|about|roughly|around|nearly)\b|≈", re.I)


def _judge(problem: Problem | None, proof: str, context: JudgeContext) -> JudgeVerdict:
    """The proof's decimals, judged in a bounded child (judges.bounded_check)."""
    return bounded_verdict(NAME, check_in_process, proof, problem)


JUDGE = Judge(NAME, None, "decimals used where an exact value is needed", _judge, stepwise=True)


def check_in_process(text: str, problem: Problem | str | None = None) -> JudgeVerdict:
    return with_refusals(_check(text), find_math(text))


def _check(text: str) -> JudgeVerdict:
    steps = split_steps(text)
    segments = find_math(text, steps)
    rels = relations_in(text, segments)
    findings: list[Finding] = []
    looked: list[Finding] = []  # every relation with a decimal, as read or not
    approximated: set[str] = set()  # decimals the text obtained with \approx
    decimals_seen = 0
    for r in rels:
        try:
            p = parse_relation(r.lhs, r.op, r.rhs)
        except (LatexError, ValueError):
            if _decimal_literals(r):
                looked.append(Finding("unchecked", r.quote(text), "not read", r.step, how="not read"))
            continue
        if not p.has_decimal:
            continue
        decimals_seen += 1
        quote = r.quote(text)
        literals = _decimal_literals(r)
        flaws = len(findings)
        how = _judge_decimals(r, p, quote, literals, approximated, findings)
        if len(findings) == flaws:
            looked.append(Finding("ok", quote, "no decimal is used as an exact value here", r.step, checked=True,
                                  how=how) if how else
                          Finding("unchecked", quote, "read, but nothing to decide", r.step, how="not decided"))
    final = extract_bound(text)
    final_decimal = final is not None and bool(_DECIMAL.search(final))
    if final is not None and is_decimal_approximation(final):
        findings.append(Finding("flaw", f"C = {final}", "the final answer is a decimal approximation, not an "
                                "exact value", steps[-1].index if steps else None, checked=True,
                                how="the final answer's form"))
    elif final_decimal:
        looked.append(Finding("ok", f"C = {final}", "the final answer's decimal is exact",
                              steps[-1].index if steps else None, checked=True, how="the final answer's form"))
    places = looked + findings
    coverage = Coverage("relations with decimals", len(places), sum(f.how != "not read" for f in places),
                        sum(f.checked for f in places))
    stats = {"decimal_relations": decimals_seen}
    if findings:
        first = findings[0]
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        return JudgeVerdict(NAME, "fail", f"{first.reason}: {first.quote}{more}", step=first.step,
                            quote=first.quote, findings=findings + looked, stats=stats, coverage=coverage)
    if not places:
        why = "the proof uses no decimal values" if segments else "no formula in the text"
        return JudgeVerdict(NAME, "not_checked", why, stats=stats, applicable=False, coverage=coverage)
    if not coverage.checked:
        return JudgeVerdict(NAME, "not_checked", f"not checked ({coverage.text()})", findings=looked, stats=stats,
                            coverage=coverage)
    return JudgeVerdict(NAME, "pass", f"no decimal approximation is used as an exact value ({coverage.text()})",
                        findings=looked, stats=stats, coverage=coverage)


_DECIMAL = re.compile(r"\d\.\d")


def _judge_decimals(r, p, quote: str, literals: list[str], approximated: set[str],  # noqa: ANN001
                    findings: list[Finding]) -> str:
    """The rules for one relation with decimals; a flaw goes to `findings`. Returns how it was checked,
    or "" when nothing could be decided."""
    if p.op == "~":
        approximated.update(literals)
        return "an approximation, not used as an exact value"
    closed_l, closed_r = not p.lhs.expr.free_symbols, not p.rhs.expr.free_symbols
    if p.op == "=" and closed_l and closed_r:
        how = "the exact value against the decimal (50 digits)"
        a, b = closed_value(p.lhs.expr), closed_value(p.rhs.expr)
        if a is not None and b is not None and abs(float(a - b)) > 1e-30 * max(1.0, abs(float(a))):
            findings.append(Finding("flaw", quote, "an exact value is equated with a decimal that only "
                                    f"approximates it ({_show(a)} vs {_show(b)})", r.step, checked=True, how=how))
        return how if a is not None and b is not None else ""
    if p.op == "=":
        how = "the decimal's places and the words around it"
        rounded = [d for d in literals if len(d.split(".", 1)[1]) >= ROUNDED_PLACES or d in approximated]
        words = bool(_APPROX_WORDS.search(r.segment.lead + " " + r.segment.trail))
        if rounded or words:
            which = ", ".join(rounded) if rounded else ", ".join(literals)
            findings.append(Finding("flaw", quote, f"an exact claim rests on the rounded decimal {which}", r.step,
                                    checked=True, how=how))
        return how
    if closed_l and closed_r:
        how = "the margin against the decimals' rounding error"
        a, b = closed_value(p.lhs.expr), closed_value(p.rhs.expr)
        if a is None or b is None:
            return ""
        margin = abs(float(a - b))
        if margin <= decimal_tolerance(p.decimal_places):
            findings.append(Finding("flaw", quote, f"the comparison is decided by decimals within their "
                                    f"rounding error (margin {margin:.2g})", r.step, checked=True, how=how))
        return how
    return ""


def _decimal_literals(r) -> list[str]:  # noqa: ANN001
    return [t.text for t in (*r.lhs, *r.rhs) if t.kind == "num" and "." in t.text]


def _show(v: object) -> str:
    try:
        return f"{float(v):.6g}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(v)


def is_exact_terminating(value: sp.Expr) -> bool:
    """True for a rational whose decimal expansion ends (1/8 = 0.125): writing it as a decimal is exact."""
    if not value.is_Rational:
        return False
    q = int(value.q)
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1
