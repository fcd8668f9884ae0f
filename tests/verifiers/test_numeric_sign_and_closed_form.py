"""Sign analysis for every relation type, strict versus non-strict, and closed-form recognition."""

from __future__ import annotations

import mpmath
import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.numeric.closed_form import recognise
from qed.verifiers.numeric.sign import analyse_sign

a, b, c = sp.symbols("a b c")
POS = sp.Interval.open(0, sp.oo)


def relation(lhs, rhs, variables=(a, b, c), domains=None, constraints=()):
    domains = domains or {v: POS for v in variables}
    fp = FormalProblem(kind="relation", variables=list(variables), domains=domains, constraints=list(constraints), lhs=lhs, rhs=rhs)
    return analyse_sign(lhs, rhs, fp)


def test_non_strict_greater_or_equal_with_equality_attained():
    s = relation(a**4 + b**4 + c**4, a * b * c * (a + b + c))
    assert (s.direction, s.equality) == (">=", "attained")
    assert set(s.equality_point.point.values()) == {1}


def test_non_strict_less_or_equal_with_equality_attained():
    s = relation(a * b * c, ((a + b + c) / 3) ** 3)
    assert (s.direction, s.equality) == ("<=", "attained")


def test_strict_less_than_when_equality_is_only_approached_at_the_edge():
    # sqrt(abc) + sqrt((1-a)(1-b)(1-c)) < 1 on (0,1)^3: the value 1 needs a = b = c = 0 or 1.
    box = {v: sp.Interval.open(0, 1) for v in (a, b, c)}
    s = relation(sp.sqrt(a * b * c) + sp.sqrt((1 - a) * (1 - b) * (1 - c)), sp.Integer(1), domains=box)
    assert (s.direction, s.equality) == ("<=", "limit")
    assert s.equality_point.limits


def test_strict_greater_than_when_equality_is_only_approached_at_infinity():
    # x + 1/x > 2 ... is attained at x = 1; x/(x+1) < 1 never is: difference tends to 0 as x -> oo.
    x = sp.Symbol("x")
    s = relation(sp.Integer(1), x / (x + 1), variables=(x,))
    assert (s.direction, s.equality) == (">=", "limit")


def test_identity_is_recognised_as_equality_everywhere():
    s = relation((a + b) ** 2, a**2 + 2 * a * b + b**2, variables=(a, b))
    assert (s.direction, s.equality) == ("=", "everywhere")


def test_both_signs_need_exact_witnesses_of_each_sign():
    s = relation(a + b, 2 * c)
    assert s.direction == "none"
    assert set(s.witnesses) == {"lhs<rhs", "lhs>rhs"}
    for w in s.witnesses.values():
        point = {sp.Symbol(k): sp.Rational(v) for k, v in w["point"].items()}
        value = (a + b - 2 * c).subs(point)
        assert value != 0 and value.is_Rational


def test_margin_is_reported_as_strict_and_not_tight():
    # a^2 + 1 >= a is true with margin 3/4: neither the non-strict nor the strict option is tight.
    s = relation(a**2 + 1, a, variables=(a,), domains={a: sp.S.Reals})
    assert s.direction == ">=" and s.equality == "never"


def test_equality_constraint_with_interior_equality_case():
    s = relation(a**2 + b**2 + c**2, sp.Integer(3), constraints=[sp.Eq(a + b + c, 3)])
    assert (s.direction, s.equality) == (">=", "attained")


def test_recognises_rationals_radicals_and_pi_at_high_precision():
    with mpmath.workdps(60):
        assert recognise(mpmath.mpf(244) / 27, 50).value == sp.Rational(244, 27)
        assert sp.simplify(recognise(1 + 3 * mpmath.sqrt(3) / 4, 50).value - (1 + 3 * sp.sqrt(3) / 4)) == 0
        assert recognise(mpmath.cbrt(2), 50).value == sp.cbrt(2)
        assert recognise(mpmath.pi / 4, 40).value == sp.pi / 4


def test_recognition_refuses_numbers_without_a_simple_form():
    assert recognise(0.1234567891234, 12) is None
    with mpmath.workdps(60):
        assert recognise(mpmath.e ** mpmath.sqrt(2), 50) is None


def test_low_precision_accepts_only_small_forms():
    assert recognise(1 / 81, 12).value == sp.Rational(1, 81)
    assert recognise(0.3183098861837907, 9) is None  # 1/pi is not "simple" at 9 digits


def test_equality_on_a_coordinate_axis_over_the_reals():
    # (x + y)^2 <= x^2 + 2xy + 4y^2/3 + ... : here (x+y)^2 <= x^2 + 2xy + 2y^2, equality where y = 0.
    x, y = sp.symbols("x y", real=True)
    s = relation((x + y) ** 2, x**2 + 2 * x * y + 2 * y**2, variables=(x, y), domains={x: sp.S.Reals, y: sp.S.Reals})
    assert (s.direction, s.equality) == ("<=", "attained")
    assert s.equality_point.point[y] == 0
