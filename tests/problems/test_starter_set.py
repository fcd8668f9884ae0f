"""The starter set's answers, re-derived by computation that does not read them.

Each problem's expressions and feasible set are encoded here again, independently of the file.
Random sampling and local minimisation (scipy) then decide: for a bound problem, that the stated
constant is the extremum (the inequality holds with it, and nothing better does); for a relation
problem, which of IneqMath's options is right (sign change, equality attained inside the domain,
or a strict inequality whose gap closes only at the domain's edge).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from qed.problems import load_problems
from qed.problems.record import RELATION_CHOICES
from scipy.optimize import minimize
from sympy.parsing.sympy_parser import (
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

STARTER = Path(__file__).resolve().parents[2] / "problems" / "sets" / "starter.jsonl"
BOX = 12.0  # variables range over exp([-BOX, BOX]) in the local searches
ZERO = 1e-8

a, b, c, x, y, z = sp.symbols("a b c x y z", positive=True)

Point = Callable[[np.ndarray], tuple[np.ndarray, ...]]


def free(n: int) -> Point:
    """n positive reals, from n log-coordinates."""
    return lambda t: tuple(np.exp(t[..., i]) for i in range(n))


def on_simplex(n: int, total: float) -> Point:
    """n positive reals with the given sum."""

    def point(t: np.ndarray) -> tuple[np.ndarray, ...]:
        u = np.exp(t - t.max(axis=-1, keepdims=True))
        u = total * u / u.sum(axis=-1, keepdims=True)
        return tuple(u[..., i] for i in range(n))

    return point


def x_plus_2y_is_1(t: np.ndarray) -> tuple[np.ndarray, ...]:
    xs, ys = on_simplex(2, 1.0)(t)
    return xs, ys / 2


@dataclass
class Bound:
    symbols: tuple[sp.Symbol, ...]
    f: sp.Expr  # the inequality is f >= C (sense "min") or f <= C (sense "max")
    sense: str
    dims: int
    point: Point


@dataclass
class Relation:
    symbols: tuple[sp.Symbol, ...]
    lhs: sp.Expr
    rhs: sp.Expr
    dims: int
    point: Point


CHECKS: dict[str, Bound | Relation] = {
    "starter-b01": Bound((x, y), x / y + 4 * y / x, "min", 2, free(2)),
    "starter-b02": Bound(
        (a, b, c), sp.sqrt(a) + sp.sqrt(b) + sp.sqrt(c), "max", 3, on_simplex(3, 1)
    ),
    "starter-b03": Bound((a, b), 1 / a + 2 / b, "min", 2, on_simplex(2, 1)),
    "starter-b04": Bound((x,), x**2 + 16 / x, "min", 1, free(1)),
    "starter-b05": Bound((x, y), x * y, "max", 2, x_plus_2y_is_1),
    "starter-b06": Bound((a, b), (a**3 + b**3) / (a + b) ** 3, "min", 2, free(2)),
    "starter-r01": Relation((a, b), sp.sqrt((a**2 + b**2) / 2), 2 * a * b / (a + b), 2, free(2)),
    "starter-r02": Relation((a, b), sp.sqrt(a + b), sp.sqrt(a) + sp.sqrt(b), 2, free(2)),
    "starter-r03": Relation(
        (a, b, c), a / (a + b) + b / (b + c) + c / (c + a), sp.Integer(1), 3, free(3)
    ),
    "starter-r04": Relation((a, b, c), a**2 + b**2 + c**2, 2 * (a * b + b * c + c * a), 3, free(3)),
    "starter-r05": Relation((x, y, z), x**2 / y + y**2 / z + z**2 / x, x + y + z, 3, free(3)),
    "starter-r06": Relation((a, b, c), a * b * c, sp.Integer(1), 3, on_simplex(3, 3)),
}


def starter():
    return {p.id: p for p in load_problems(STARTER)}


def numeric(symbols, expr, point: Point) -> Callable[[np.ndarray], np.ndarray]:
    f = sp.lambdify(symbols, expr, "numpy")
    return lambda t: np.broadcast_to(f(*point(t)), t.shape[:-1]).astype(float)


@dataclass
class Extreme:
    value: float
    at: np.ndarray  # log-coordinates where it was reached


def search(
    fun: Callable[[np.ndarray], np.ndarray], dims: int, sense: str
) -> tuple[np.ndarray, Extreme]:
    """Values on random points, and the best local extremum found from many starts."""
    rng = np.random.default_rng(20240611)
    sign = 1.0 if sense == "min" else -1.0
    samples = fun(rng.uniform(-8, 8, size=(20000, dims)))
    best: Extreme | None = None
    for start in rng.uniform(-3, 3, size=(30, dims)):
        res = minimize(
            lambda t: sign * float(fun(t[None, :])[0]),
            start,
            method="L-BFGS-B",
            bounds=[(-BOX, BOX)] * dims,
            options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000},
        )
        if best is None or sign * res.fun < sign * best.value:
            best = Extreme(sign * float(res.fun), res.x)
    assert best is not None
    return samples, best


def interior(t: np.ndarray) -> bool:
    return bool(np.all(np.abs(t) < BOX - 1))


def relation_letter(check: Relation) -> str:
    """IneqMath's option for lhs () rhs, decided from numbers alone."""
    g = numeric(check.symbols, check.lhs - check.rhs, check.point)
    low_samples, low = search(g, check.dims, "min")
    high_samples, high = search(g, check.dims, "max")
    lo = min(low.value, float(low_samples.min()))
    hi = max(high.value, float(high_samples.max()))
    if lo < -ZERO and hi > ZERO:
        return "F"
    if abs(lo) <= ZERO and abs(hi) <= ZERO:
        return "C"
    if lo >= -ZERO:
        return "B" if abs(low.value) <= ZERO and interior(low.at) else "E"
    return "A" if abs(high.value) <= ZERO and interior(high.at) else "D"


def answer_value(answer: str) -> float:
    """The number an IneqMath bound answer `$$C = ...$$` stands for (fractions, radicals)."""
    body = answer.strip().strip("$").split("=", 1)[1]
    for _ in range(3):
        body = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", body)
        body = re.sub(r"\\sqrt\{([^{}]*)\}", r"sqrt(\1)", body)
    assert "\\" not in body, f"answer {answer!r} uses LaTeX this test cannot read"
    transformations = (*standard_transformations, implicit_multiplication_application)
    return float(parse_expr(body, transformations=transformations))


def test_starter_set_shape():
    problems = starter()
    kinds = [p.kind for p in problems.values()]
    letters = [p.answer[1] for p in problems.values() if p.kind == "relation"]
    assert len(problems) >= 12
    assert kinds.count("bound") >= 5 and kinds.count("relation") >= 5
    assert "F" in letters and ({"D", "E"} & set(letters))
    assert set(problems) == set(CHECKS), "every starter problem needs an independent check here"


@pytest.mark.parametrize("pid", sorted(CHECKS))
def test_starter_problem_is_in_ineqmath_form(pid):
    problem = starter()[pid]
    assert problem.solution and problem.source == "qed-starter"
    if problem.kind == "bound":
        assert re.search(r"Find the (largest|smallest) constant \$C\$", problem.statement)
        assert re.fullmatch(r"\$\$C = .+\$\$", problem.answer)
    else:
        assert "\\quad () \\quad" in problem.statement
        assert (
            "Determine the correct inequality relation to fill in the blank." in problem.statement
        )
        assert all(option.strip() in problem.statement for option in RELATION_CHOICES)
        assert problem.answer in RELATION_CHOICES and problem.choices == list(RELATION_CHOICES)


@pytest.mark.parametrize("pid", sorted(p for p, c in CHECKS.items() if isinstance(c, Bound)))
def test_bound_answer_is_the_extremum(pid):
    check = CHECKS[pid]
    stated = answer_value(starter()[pid].answer)
    f = numeric(check.symbols, check.f, check.point)
    samples, best = search(f, check.dims, check.sense)
    slack = 1e-9 * max(1.0, abs(stated))
    if check.sense == "min":
        assert samples.min() >= stated - slack, "the inequality fails with the stated C"
    else:
        assert samples.max() <= stated + slack, "the inequality fails with the stated C"
    assert best.value == pytest.approx(stated, rel=1e-7, abs=1e-9), "a better constant exists"


@pytest.mark.parametrize("pid", sorted(p for p, c in CHECKS.items() if isinstance(c, Relation)))
def test_relation_answer_matches_computation(pid):
    assert starter()[pid].answer[1] == relation_letter(CHECKS[pid])


def test_strict_relations_are_tight_at_the_edge():
    """A strict answer is not a lazy one: the gap closes, just never inside the domain."""
    for pid, check in CHECKS.items():
        if isinstance(check, Relation) and starter()[pid].answer[1] in "DE":
            g = numeric(check.symbols, check.lhs - check.rhs, check.point)
            sense = "min" if starter()[pid].answer[1] == "E" else "max"
            _, best = search(g, check.dims, sense)
            assert 0 < abs(best.value) < 1e-2 and not interior(best.at), pid
