"""z3/cvc5 certificates: a true inequality proved, a false one refuted with a checked counterexample,
radicals and denominators encoded, and a solver that runs too long killed cleanly."""

from __future__ import annotations

import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.smt.certify import certify_nonnegative
from qed.verifiers.smt.encode import EncodeError, encode_nonnegative
from qed.verifiers.smt.run import decide

from tests.verifiers.procs import live_children

a, b, c = sp.symbols("a b c", positive=True)
POS = sp.Interval.open(0, sp.oo)


def positive(variables, constraints=()):
    return FormalProblem(kind="relation", variables=list(variables), domains={v: POS for v in variables}, constraints=list(constraints))


def test_z3_proves_a_true_polynomial_inequality():
    cert = certify_nonnegative(a**4 + b**4 + c**4 - a * b * c * (a + b + c), positive([a, b, c]))
    assert cert.verdict == "proved"
    assert cert.solver == "z3"


def test_false_inequality_is_refuted_with_a_counterexample_that_really_fails():
    g = (a + b + c) ** 3 - (a**3 + b**3 + c**3 + 25 * a * b * c)
    cert = certify_nonnegative(g, positive([a, b, c]))
    assert cert.verdict == "refuted"
    point = {s: sp.Rational(cert.counterexample[str(s)]) for s in (a, b, c)}
    assert all(v > 0 for v in point.values())
    assert g.subs(point) < 0


def test_denominators_are_cleared_with_their_sign():
    # Nesbitt-type a/(b+2c) + b/(c+2a) + c/(a+2b) >= 1 for positive reals.
    g = a / (b + 2 * c) + b / (c + 2 * a) + c / (a + 2 * b) - 1
    assert certify_nonnegative(g, positive([a, b, c])).verdict == "proved"


def test_radicals_become_new_variables_with_defining_constraints():
    # sqrt(a) + sqrt(b) >= sqrt(a + b): true; sqrt(a) + sqrt(b) >= 2 sqrt(a + b): false.
    fp = positive([a, b])
    assert certify_nonnegative(sp.sqrt(a) + sp.sqrt(b) - sp.sqrt(a + b), fp).verdict == "proved"
    assert certify_nonnegative(sp.sqrt(a) + sp.sqrt(b) - 2 * sp.sqrt(a + b), fp).verdict == "refuted"


def test_strict_claim_fails_at_the_equality_point():
    cert = certify_nonnegative(a**2 + b**2 - 2 * a * b, positive([a, b]), strict=True)
    assert cert.verdict == "refuted"
    point = cert.counterexample
    assert point["a"] == point["b"]


def test_equality_constraints_restrict_the_claim():
    # With a + b + c = 3: ab + bc + ca <= 3 holds, and would fail without the constraint.
    g = 3 - (a * b + b * c + c * a)
    assert certify_nonnegative(g, positive([a, b, c], [sp.Eq(a + b + c, 3)])).verdict == "proved"
    assert certify_nonnegative(g, positive([a, b, c])).verdict == "refuted"


def test_positive_symbols_do_not_make_domain_conditions_vanish():
    script = encode_nonnegative(a - 1, positive([a])).script
    assert "(assert (> v0 0))" in script


def test_transcendental_claims_are_unknown_not_guessed():
    with_exp = positive([a])
    try:
        encode_nonnegative(sp.exp(a) - 1 - a, with_exp)
        raise AssertionError("exp has no polynomial encoding")
    except EncodeError as exc:
        assert "polynomial" in str(exc)
    assert certify_nonnegative(sp.exp(a) - 1 - a, with_exp).verdict == "unknown"


def test_a_solver_past_its_deadline_is_killed_and_reported_as_timeout():
    # 50 ms is less than the solver process needs to start, so the deadline always strikes first.
    xs = sp.symbols("x0:6", positive=True)
    g = sum(x**6 for x in xs) * sum(xs) ** 6 - 6**7 * sp.prod(xs) ** 2
    script = encode_nonnegative(g, positive(xs)).script
    before = live_children()
    for solver in ("z3", "cvc5"):
        outcome = decide(script, solver, timeout=0.05)
        assert outcome.status == "timeout"
        assert "killed" in outcome.detail
    assert not live_children() - before


def test_solver_errors_become_outcomes_not_exceptions():
    outcome = decide("(this is not smt-lib", "z3", timeout=5)
    assert outcome.status == "error"

