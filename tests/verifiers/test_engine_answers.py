"""The engine end to end on records written here: answers with evidence, and clean abstentions."""

from __future__ import annotations

import os
import time

import sympy as sp
from qed.problems.record import Problem
from qed.verifiers.engine import EngineAnswer, solve_formal, solve_formal_isolated, solve_problem
from qed.verifiers.engine.bound import render_latex
from qed.verifiers.engine.parametric import combined_relation, fit
from qed.verifiers.final_answer import is_correct, latex_to_sympy
from qed.verifiers.formal import FormalProblem

from tests.verifiers.procs import live_children

a, b, c = sp.symbols("a b c", positive=True)
POS = sp.Interval.open(0, sp.oo)


def bound_record(target, sense, constraints=(), variables=(a, b, c), statement=None) -> FormalProblem:
    extra = {"statement": statement} if statement else {}
    return FormalProblem(kind="bound", variables=list(variables), domains={v: POS for v in variables}, constraints=list(constraints), target=target, sense=sense, extra=extra)


def relation_record(lhs, rhs, constraints=(), variables=(a, b, c), statement=None) -> FormalProblem:
    extra = {"statement": statement} if statement else {}
    return FormalProblem(kind="relation", variables=list(variables), domains={v: POS for v in variables}, constraints=list(constraints), lhs=lhs, rhs=rhs, extra=extra)


def relation_statement(head: str, lhs: str, rhs: str) -> str:
    return f"{head} Consider the following inequality:\n$$\n{lhs} \\quad () \\quad {rhs}\n$$\nDetermine the correct inequality relation to fill in the blank."


def test_bound_answer_is_exact_latex_with_certificate_and_evidence():
    # Largest C with (a+b)(b+c)(c+a) >= C abc: min of the ratio is 8 at a = b = c.
    statement = "Let $a, b, c$ be positive reals. Find the largest constant $C$ such that\n$$\n(a+b)(b+c)(c+a) \\geq C a b c\n$$"
    C = sp.Symbol("C", real=True)
    fp = bound_record((a + b) * (b + c) * (c + a) / (a * b * c), "min", statement=statement)
    fp.constant, fp.relation_with_constant = C, sp.Ge((a + b) * (b + c) * (c + a), C * a * b * c)
    ans = solve_formal(fp, seconds=15)
    assert ans.status == "answered" and ans.answer == "8"
    assert ans.formatted == "$$C = 8$$"
    assert ans.certified
    assert [c["verdict"] for c in ans.evidence["recheck"]] == ["confirmed", "confirmed"]
    ext = ans.evidence["extremum"]
    assert ext["where"] == "interior" and ext["search"]["evaluations"] > 0
    assert ans.evidence["certificate"]["verdict"] == "proved"
    assert is_correct("bound", ans.formatted, "$$C = 8$$")


def test_relation_answer_follows_the_equality_case():
    fp = relation_record(a / (b + c) + b / (c + a) + c / (a + b), sp.Rational(3, 2))
    ans = solve_formal(fp, seconds=15)
    assert (ans.status, ans.answer) == ("answered", "B")
    assert ans.evidence["sign"]["equality"] == "attained"


def test_strict_relation_when_equality_is_never_attained():
    # On triangle sides (Ravi variables) a^2 + b^2 + c^2 < 2(ab + bc + ca), with equality only in the degenerate limit.
    x, y, z = sp.symbols("x y z", positive=True)
    sa, sb, sc = y + z, z + x, x + y
    fp = relation_record(sa**2 + sb**2 + sc**2, 2 * (sa * sb + sb * sc + sc * sa), variables=(x, y, z))
    ans = solve_formal(fp, seconds=15)
    assert (ans.status, ans.answer) == ("answered", "D")


def test_false_relation_gives_none_of_the_above_with_two_exact_witnesses():
    ans = solve_formal(relation_record(a + b, 2 * c), seconds=10)
    assert (ans.status, ans.answer) == ("answered", "F")
    assert set(ans.evidence["sign"]["witnesses"]) == {"lhs<rhs", "lhs>rhs"}


def test_relation_with_a_margin_is_the_strict_relation_once_proved():
    statement = relation_statement("Let $a$ be a positive real number.", "a^2 + 1", "a")
    ans = solve_formal(relation_record(a**2 + 1, a, variables=(a,), statement=statement), seconds=10)
    assert (ans.status, ans.answer, ans.certified) == ("answered", "E", True)
    assert ans.evidence["sign"]["equality"] == "never"
    assert ans.evidence["certificate"][0]["verdict"] == "proved"


def test_a_margin_that_cannot_be_proved_strict_abstains(monkeypatch):
    import qed.verifiers.engine.relation as relation

    monkeypatch.setattr(relation, "certify_within", lambda g, fp, strict=False, seconds=1.0: relation.Certificate("unknown", str(g)))
    ans = solve_formal(relation_record(a**2 + 1, a, variables=(a,)), seconds=10)
    assert ans.status == "abstained" and "strictness (E) could not be proved" in ans.reason


def test_unbounded_target_abstains_with_reason():
    ans = solve_formal(bound_record(a + b, "max", variables=(a, b)), seconds=10)
    assert ans.status == "abstained" and "unbounded" in ans.reason


def test_bound_record_without_isolated_target_abstains():
    C = sp.Symbol("C")
    fp = FormalProblem(kind="bound", variables=[a], domains={a: POS}, constant=C, relation_with_constant=sp.Ge(a, C), notes=["cannot isolate C: its effect on the inequality changes sign"])
    ans = solve_formal(fp, seconds=5)
    assert ans.status == "abstained" and "isolate" in ans.reason


def test_unparseable_problem_abstains_cleanly():
    problem = Problem(id="x", statement="Consider the following: the moon () a piece of cheese.", kind="relation")
    ans = solve_problem(problem, seconds=10)
    assert isinstance(ans, EngineAnswer)
    assert ans.status == "abstained" and ans.reason


def test_engine_bug_becomes_an_abstention_not_an_exception():
    fp = relation_record(a, b, variables=(a, b))
    fp.constraints = ["not a relation"]  # a malformed record
    ans = solve_formal(fp, seconds=5)
    assert ans.status == "abstained" and ans.reason


def test_isolated_run_past_its_hard_limit_is_killed_and_abstains():
    # A budget far below what the search and certificate need: the child is killed at the hard limit.
    fp = relation_record(a / (b + c) + b / (c + a) + c / (a + b), sp.Rational(3, 2))
    before = live_children()
    t0 = time.monotonic()
    ans = solve_formal_isolated(fp, seconds=0.01, grace=0.2)
    assert ans.status == "abstained"
    assert "time limit" in ans.reason or ans.answer is None
    assert time.monotonic() - t0 < 10
    assert not live_children() - before


def test_render_latex_round_trips_through_the_answer_reader():
    for value in (sp.Rational(3, 2), 18 * sp.sqrt(3), 1 + 3 * sp.sqrt(3) / 4, sp.cbrt(2), sp.pi / 4):
        text = render_latex(value)
        assert text is not None
        assert sp.simplify(latex_to_sympy(text) - value) == 0


def test_parametric_values_are_fitted_to_a_closed_form_checked_on_every_instance():
    n, k = sp.symbols("n k")
    assert fit([({n: m}, sp.Rational(1, m)) for m in (2, 3, 4, 5)]) == 1 / n
    assert sp.simplify(fit([({n: m}, sp.sqrt(sp.Rational(m, m - 1))) for m in (2, 3, 4, 5)]) - sp.sqrt(n / (n - 1))) == 0
    assert fit([({n: m}, sp.Integer(2) ** m) for m in (1, 2, 3, 4)]) == 2**n
    two = [({n: m, k: j}, sp.Integer(m) ** (j + 1)) for m in (2, 3, 4) for j in (1, 2, 3)]
    assert fit(two) == n ** (k + 1)
    assert fit([({n: m}, v) for m, v in ((2, 1), (3, 7), (4, 2), (5, 11))]) is None


def test_parametric_relations_combine_to_the_option_true_for_every_instance():
    assert combined_relation({"B"}) == "B"
    assert combined_relation({"B", "C"}) == "B"
    assert combined_relation({"B", "E"}) == "B"
    assert combined_relation({"A", "B"}) is None



def test_constant_multiplying_a_sign_changing_factor_is_bounded_on_each_sign_region():
    # Largest C with (a^2 + b^2 + c^2)^2 >= C (a^3 b + b^3 c + c^3 a) over all reals (Vasc): C = 3.
    x, y, z = sp.symbols("x y z", real=True)
    C = sp.Symbol("C")
    fp = FormalProblem(
        kind="bound", variables=[x, y, z], domains={v: sp.S.Reals for v in (x, y, z)}, constant=C,
        relation_with_constant=sp.Ge((x**2 + y**2 + z**2) ** 2, C * (x**3 * y + y**3 * z + z**3 * x)),
        extra={"asked": "largest"},
    )
    ans = solve_formal(fp, seconds=20)
    assert (ans.status, ans.answer) == ("answered", "3")
    assert "split" in ans.evidence


def test_evidence_is_plain_json():
    import json

    ans = solve_formal(relation_record(a**2 + b**2, 2 * a * b, variables=(a, b)), seconds=10)
    text = json.dumps(ans.to_dict())
    assert '"status": "answered"' in text


def test_statement_to_answer_without_a_model():
    bound = Problem(
        id="own-bound", kind="bound",
        statement="Let $x, y$ be positive real numbers. Find the largest constant $C$ such that the following "
        "inequality holds for all $x, y$: $$ x^{2} + y^{2} \\geq C x y $$",
    )
    ans = solve_problem(bound, seconds=15)
    assert (ans.status, ans.answer) == ("answered", "2")
    assert ans.evidence["formalized_by"] == "parser"
    relation = Problem(
        id="own-relation", kind="relation",
        statement="Let $x, y$ be positive real numbers with $x + y = 2$. Consider the following inequality: "
        "$$ x y \\quad () \\quad 1 $$ Determine the correct inequality relation to fill in the blank.",
    )
    ans = solve_problem(relation, seconds=15)
    assert (ans.status, ans.answer) == ("answered", "A")


def test_a_crashing_engine_process_becomes_an_abstention(monkeypatch):
    import faulthandler
    import signal

    import qed.verifiers.engine.solve as solve_module
    def crash(fp, seconds):
        faulthandler.disable()  # the crash is the point; its traceback dump would only be noise
        os.kill(os.getpid(), signal.SIGSEGV)

    monkeypatch.setattr(solve_module, "solve_formal", crash)
    ans = solve_module.solve_formal_isolated(relation_record(a, b, variables=(a, b)), seconds=5, grace=5)
    assert ans.status == "abstained"
    assert "died" in ans.reason


def test_infimum_approached_off_every_probe_is_strict_only_with_a_proof(monkeypatch):
    # a/(a+b) + b/(b+c) + c/(c+a) lies strictly between 1 and 2; both ends are approached only along
    # a = 1, b = t, c = t^2 (t -> 0 or oo), which no axis or equal-variable probe finds.
    cyclic = a / (a + b) + b / (b + c) + c / (c + a)
    statement = relation_statement("Let $a, b, c$ be positive reals.", "\\frac{a}{a+b} + \\frac{b}{b+c} + \\frac{c}{c+a}", "2")
    upper = solve_formal(relation_record(cyclic, sp.Integer(2), statement=statement), seconds=20)
    assert (upper.status, upper.answer, upper.certified) == ("answered", "D", True)
    assert upper.evidence["sign"]["equality"] == "unknown"

    import qed.verifiers.engine.relation as relation
    def unproved(g, fp, strict=False, seconds=1.0):
        return relation.Certificate(verdict="unknown", claim=str(g))

    monkeypatch.setattr(relation, "certify_within", unproved)
    lower = solve_formal(relation_record(cyclic, sp.Integer(1)), seconds=20)
    assert lower.status == "abstained" and "could not be proved" in lower.reason


def test_parametric_instances_are_built_only_when_they_are_solved():
    # Building every instance up front spent the whole budget before any was solved.
    from qed.verifiers.engine.parametric import solve_parametric
    from qed.verifiers.formalize import formalize

    statement = relation_statement(
        "Let $n \\geq 2$ be an integer and let $x_1, x_2, \\ldots, x_n$ be positive real numbers such that $x_1 + x_2 + \\cdots + x_n = n$.",
        "x_1^{2} + x_2^{2} + \\cdots + x_n^{2}", "n")
    fp = formalize(Problem(id="count", statement=statement, kind="relation")).formal
    assert fp is not None and fp.parameters
    built = []
    rebuild = fp.instantiate

    def counting(values):
        built.append(dict(values))
        return rebuild(values)

    fp.instantiate = counting
    ans = solve_parametric(fp, seconds=3)
    solved = [i["values"] for i in ans.evidence["instances"]]
    assert [{str(k): v for k, v in b.items()} for b in built] == solved
    if ans.answered:
        assert (ans.answer, ans.certified) == ("B", False)
    else:
        assert "time ran out" in ans.reason
