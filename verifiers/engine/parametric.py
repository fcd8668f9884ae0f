"""Problems with integer parameters (n variables x_1..x_n, an exponent k): solve small cases, then generalise.

The record is rebuilt for a few admissible values of each parameter and each instance is solved
like any other problem. A relation is answered only when every instance gives the same option.
A bound is answered only when every instance has an exact value and one closed form in the
parameters, fitted on some instances, reproduces all of them exactly, at least one beyond those
it was fitted on. Neither is a proof for every n, so these answers are never marked certified.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import sympy as sp
from qed.verifiers.engine.answer import EngineAnswer
from qed.verifiers.formal import FormalProblem
from sympy.polys.polyfuncs import rational_interpolate

MAX_INSTANCES = 12
MAX_VARIABLES = 6


def wanted_instances(fp: FormalProblem) -> int:
    """How many instances the time is shared among: agreement of a relation is seen on a few; a
    closed form is fitted on all but one and checked on the last (two parameters need a grid)."""
    if fp.kind == "relation":
        return 5
    return 6 if len(fp.parameters) == 1 else 10


def parameter_values(fp: FormalProblem) -> list[dict[sp.Symbol, int]]:
    """Small admissible combinations: up to five values of the first parameter, four of others."""
    per_param = []
    for i, (p, allowed) in enumerate(fp.parameters.items()):
        wanted = 5 if i == 0 else 4
        values = []
        for v in range(0, 40):
            if sp.Integer(v) in allowed:
                values.append(v)
            if len(values) >= wanted:
                break
        per_param.append([(p, v) for v in values])
    combos = [dict(c) for c in itertools.product(*per_param)]
    combos.sort(key=lambda c: sum(c.values()))
    return combos


def _instance(fp: FormalProblem, values: dict[sp.Symbol, int]) -> FormalProblem | None:
    """The record rebuilt at these parameter values, or None when it cannot be (or is too large)."""
    try:
        inst = fp.instantiate(values)
    except (ValueError, TypeError, ArithmeticError):
        return None
    if len(inst.variables) > MAX_VARIABLES:
        return None
    inst.parameters = {}
    return inst


def solve_parametric(fp: FormalProblem, seconds: float) -> EngineAnswer:
    """Instances are built and solved one at a time, smallest first, each with an even share of
    the time left; beyond the three an answer needs, an instance is started only while the time
    left covers what the slowest one so far actually took (a loaded machine stretches every
    budget), so the answer is given from the instances done, not lost to the hard limit."""
    from qed.verifiers.engine.bound import render_latex, solve_bound
    from qed.verifiers.engine.relation import solve_relation

    t0 = time.monotonic()
    deadline = t0 + seconds - 1.0
    evidence: dict = {"formal": fp.describe(), "instances": []}
    answers: list[tuple[dict, EngineAnswer]] = []
    candidates = parameter_values(fp)
    slowest, built, timed_out = 0.0, 0, False
    wanted = min(wanted_instances(fp), len(candidates))
    for values in candidates:
        left = deadline - time.monotonic()
        if built >= MAX_INSTANCES:
            break
        # three instances are the least an answer rests on: those run while any time is left (the
        # hard limit has a grace beyond the budget); each further one only if the slowest fits
        if left <= 0 or (len(answers) >= 3 and left < slowest):
            timed_out = True
            break
        t_inst = time.monotonic()
        inst = _instance(fp, values)
        if inst is None:
            continue
        built += 1
        share = max(1.0, left / max(1, wanted - built + 1))
        # a proof for a few n proves nothing for all n, so the time goes to the search
        if inst.kind == "relation":
            ans = solve_relation(inst, share * 0.8, certify=False)
        else:
            ans = solve_bound(inst, share * 0.8, certify=False, second_look=False)
        took = time.monotonic() - t_inst
        slowest = max(slowest, took)
        answers.append((values, ans))
        evidence["instances"].append({
            "values": {str(k): v for k, v in values.items()}, "status": ans.status, "answer": ans.answer,
            "reason": ans.reason, "certified": ans.certified, "summary": ans.evidence.get("summary"),
            "seconds": round(took, 2),
        })
        if not ans.answered:
            break
    if built < 3 and not timed_out and all(a.answered for _, a in answers):
        return EngineAnswer.abstain("fewer than three admissible parameter values could be instantiated", fp.kind, evidence)
    if len(answers) < 3 or any(not a.answered for _, a in answers):
        missing = next((a.reason for _, a in answers if not a.answered), f"time ran out after {len(answers)} instances")
        return EngineAnswer.abstain(f"not every instance was answered ({missing})", fp.kind, evidence)
    if fp.kind == "relation":
        letters = {a.answer for _, a in answers}
        letter = combined_relation(letters)
        if letter is None:
            return EngineAnswer.abstain(f"no single option holds for every instance: {sorted(letters)}", "relation", evidence)
        evidence["summary"] = f"({letter}) holds for all {len(answers)} parameter values tried ({sorted(letters)}); not proved for all values"
        return EngineAnswer("answered", "relation", letter, False, evidence)
    values = []
    for params, a in answers:
        exact = a.evidence.get("extremum", {}).get("exact")
        if exact is None:
            return EngineAnswer.abstain("an instance has no exact value", "bound", evidence)
        values.append((params, sp.sympify(exact)))
    formula = fit(values)
    if formula is None:
        return EngineAnswer.abstain("no closed form in the parameters reproduces every instance", "bound", evidence)
    latex = render_latex(formula) if not formula.free_symbols else sp.latex(formula, mul_symbol="dot")
    evidence["summary"] = f"C = {formula}, fitted on small parameter values and checked on all {len(values)}"
    return EngineAnswer("answered", "bound", latex, False, evidence)


# The options each instance's answer makes true: "=" everywhere is also <= and >=, strict also weak.
_IMPLIED = {"A": {"A"}, "B": {"B"}, "C": {"A", "B", "C"}, "D": {"A", "D"}, "E": {"B", "E"}, "F": {"F"}}


def combined_relation(letters: set[str]) -> str | None:
    """The one option true for every instance: the common answer, else the only option all imply."""
    if len(letters) == 1:
        return next(iter(letters))
    common = set.intersection(*[_IMPLIED[x] for x in letters])
    return common.pop() if len(common) == 1 else None


Form = Callable[[list[tuple[int, sp.Expr]], sp.Symbol], sp.Expr | None]


def _constant(data: list[tuple[int, sp.Expr]], n: sp.Symbol) -> sp.Expr | None:
    first = data[0][1]
    return first if all(sp.simplify(v - first) == 0 for _, v in data) else None


def _rational(data: list[tuple[int, sp.Expr]], n: sp.Symbol) -> sp.Expr | None:
    """P(n)/Q(n) through all but the last point (degrees as low as possible), checked on the last."""
    if not all(v.is_Rational for _, v in data):
        return None
    fit_on = data[:-1]
    for degnum in range(0, len(fit_on)):
        try:
            f = rational_interpolate([(x, v) for x, v in fit_on], degnum, X=n)
        except (ZeroDivisionError, ValueError):
            continue
        f = sp.factor(sp.cancel(f))
        if _reproduces(f, data, n):
            return f
    return None


def _sqrt_rational(data: list[tuple[int, sp.Expr]], n: sp.Symbol) -> sp.Expr | None:
    if not all(v.is_positive for _, v in data):
        return None
    squares = [(x, sp.nsimplify(sp.expand(v**2))) for x, v in data]
    inner = _rational(squares, n)
    if inner is None:
        return None
    f = sp.sqrt(inner)
    return f if _reproduces(f, data, n) else None


def _geometric(data: list[tuple[int, sp.Expr]], n: sp.Symbol) -> sp.Expr | None:
    (x0, v0), (x1, v1) = data[0], data[1]
    if v0 == 0 or x1 - x0 != 1:
        return None
    r = sp.simplify(v1 / v0)
    if r == 1:
        return None
    f = sp.simplify(v0 / r**x0) * r**n
    return f if _reproduces(f, data, n) else None


def _power(data: list[tuple[int, sp.Expr]], n: sp.Symbol) -> sp.Expr | None:
    (x0, v0), (_x1, v1) = data[0], data[1]
    if x0 <= 1 or not (v0.is_positive and v1.is_positive):
        return None
    p = sp.nsimplify(float(sp.log(v0) / sp.log(x0)), rational=True, tolerance=1e-12)
    if not p.is_Rational:
        return None
    f = n**p
    return f if _reproduces(f, data, n) else None


_FORMS: tuple[Form, ...] = (_constant, _power, _geometric, _rational, _sqrt_rational)


def _reproduces(f: sp.Expr, data: list[tuple[int, sp.Expr]], n: sp.Symbol) -> bool:
    try:
        return all(sp.simplify(f.subs(n, x) - v) == 0 for x, v in data)
    except (TypeError, ValueError, ZeroDivisionError):
        return False


def fit(values: list[tuple[dict[sp.Symbol, int], sp.Expr]]) -> sp.Expr | None:
    """One closed form in the parameters that reproduces every (parameter values, exact value)."""
    values = [(p, sp.sympify(v, strict=True)) for p, v in values]
    params = list(values[0][0])
    if len(params) == 1:
        n = params[0]
        data = sorted((p[n], v) for p, v in values)
        if len(data) < 3:
            return None
        for form in _FORMS:
            f = form(data, n)
            if f is not None:
                return f
        return None
    if len(params) == 2:
        return _fit_two(values, params) or _fit_two(values, params[::-1]) or _bivariate_polynomial(values, params)
    return None


def _bivariate_polynomial(values: list[tuple[dict[sp.Symbol, int], sp.Expr]], params: list[sp.Symbol]) -> sp.Expr | None:
    """A polynomial of total degree <= 2 in two parameters, solved on all but one point, checked on that one."""
    m, n = params
    monomials = [sp.Integer(1), m, n, m * n, m**2, n**2]
    if len(values) < len(monomials) + 1:
        return None
    coeffs = sp.symbols(f"q0:{len(monomials)}")
    poly = sum(q * mono for q, mono in zip(coeffs, monomials, strict=True))
    equations = [poly.subs({m: p[m], n: p[n]}) - v for p, v in values[:-1]]
    solution = sp.solve(equations, coeffs, dict=True)
    if len(solution) != 1 or len(solution[0]) != len(coeffs):
        return None
    f = sp.factor(poly.subs(solution[0]))
    if all(sp.simplify(f.subs({m: p[m], n: p[n]}) - v) == 0 for p, v in values):
        return f
    return None


def _fit_two(values: list[tuple[dict[sp.Symbol, int], sp.Expr]], params: list[sp.Symbol]) -> sp.Expr | None:
    """Fit in the first parameter for each value of the second, then the pieces in the second."""
    n, k = params
    by_k: dict[int, list[tuple[int, sp.Expr]]] = {}
    for p, v in values:
        by_k.setdefault(p[k], []).append((p[n], v))
    # Fit on the values of k seen with at least three values of n; the result is checked on all.
    by_k = {kv: d for kv, d in by_k.items() if len(d) >= 3}
    if len(by_k) < 3:
        return None
    for form in _FORMS:
        per_k = {}
        for kv, data in by_k.items():
            f = form(sorted(data), n)
            if f is None:
                break
            per_k[kv] = f
        else:
            # Exponent of n (power form) or the whole value as a function of k, through the same fitter.
            if form is _power:
                exps = [(kv, f.exp if isinstance(f, sp.Pow) else sp.Integer(1)) for kv, f in per_k.items()]
                e = fit([({k: kv}, ex) for kv, ex in exps])
                if e is not None:
                    g = n**e
                    if all(sp.simplify(g.subs({n: p[n], k: p[k]}) - v) == 0 for p, v in values):
                        return g
    return None
