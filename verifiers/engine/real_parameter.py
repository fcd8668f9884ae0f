"""Bound problems whose answer is a function of a real parameter k: solved symbolically in k.

The record is solved for a few values of k in its range (each an ordinary bound problem). The
extremal points then say where the extremum sits; when that point is one expression in k for every
sample (the same point, or coordinates that one closed form in k reproduces), the answer is the
target at that point, simplified with k left symbolic, and it must reproduce every sample exactly.
It is certified only when z3/cvc5 prove the inequality at C = answer(k) for all variables and all k
in the range at once, the target at the point equals answer(k) identically, and the point lies in
the domain for every k. A formula merely fitted through the sampled values is reported, never
certified.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import replace

import sympy as sp
from qed.verifiers.engine.answer import EngineAnswer
from qed.verifiers.engine.recheck import check_point, exact_value
from qed.verifiers.formal import FormalProblem
from qed.verifiers.safe_expr import ExpressionError
from qed.verifiers.smt.certify import certify_nonnegative

SAMPLES = 4


def sample_values(domain: sp.Set, count: int = SAMPLES) -> list[sp.Rational]:
    """Simple rational values inside the parameter's range, spread out."""
    lo, hi = domain.inf, domain.sup
    if lo.is_finite and hi.is_finite:
        return [lo + (hi - lo) * sp.Rational(i, count + 1) for i in range(1, count + 1)]
    if lo.is_finite:
        return [lo + d for d in (sp.Rational(1, 2), 1, 2, 4, 5)][:count]
    if hi.is_finite:
        return [hi - d for d in (sp.Rational(1, 2), 1, 2, 3, 5)][:count]
    return [sp.Integer(v) for v in (-2, -1, 1, 2, 3)][:count]


def at_value(fp: FormalProblem, k: sp.Symbol, value: sp.Expr) -> FormalProblem:
    sub = {k: value}
    params = {p: d for p, d in fp.extra["real_parameters"].items() if p != k}
    inst = replace(
        fp,
        constraints=[c.subs(sub) for c in fp.constraints],
        target=None if fp.target is None else fp.target.subs(sub),
        relation_with_constant=None if fp.relation_with_constant is None else fp.relation_with_constant.subs(sub),
        extra={**fp.extra, "real_parameters": params},
        notes=list(fp.notes) + [f"{k} = {value}"],
    )
    return inst


def _coordinate_formula(data: list[tuple[sp.Expr, sp.Expr]], k: sp.Symbol) -> sp.Expr | None:
    """One closed form in k through every (k value, coordinate) pair: constant, a multiple of k,
    of sqrt(k), or a low-degree rational function; checked on every pair."""
    values = [v for _, v in data]
    if all(sp.simplify(v - values[0]) == 0 for v in values):
        return values[0]
    candidates = []
    (k0, v0) = data[0]
    for shape in (k, sp.sqrt(k), 1 / k, 1 / sp.sqrt(k), k + 1, sp.sqrt(k + 1)):
        base = shape.subs(k, k0)
        if base != 0:
            candidates.append(sp.simplify(v0 / base) * shape)
    from sympy.polys.polyfuncs import rational_interpolate

    for degnum in range(0, 3):
        with contextlib.suppress(ZeroDivisionError, ValueError, TypeError):
            candidates.append(sp.cancel(rational_interpolate(data[:-1], degnum, X=k)))
    for f in candidates:
        try:
            if all(sp.simplify(f.subs(k, x) - v) == 0 for x, v in data):
                return f
        except (TypeError, ValueError, ZeroDivisionError):
            continue
    return None


def _scale_free(fp: FormalProblem) -> bool:
    t = sp.Symbol("t_scale", positive=True)
    try:
        return sp.simplify(fp.target.subs({v: t * v for v in fp.variables}, simultaneous=True) - fp.target) == 0
    except (TypeError, ValueError):
        return False


def solve_real_parameter(fp: FormalProblem, seconds: float) -> EngineAnswer:
    from qed.verifiers.engine.bound import render_latex, solve_bound
    from qed.verifiers.engine.parametric import fit

    t0 = time.monotonic()
    params = fp.extra.get("real_parameters") or {}
    evidence: dict = {"formal": fp.describe(), "real_parameter": {}, "instances": []}
    if len(params) != 1 or fp.target is None or fp.sense is None:
        return EngineAnswer.abstain("only one real parameter, with the constant isolated, is solved for", "bound", evidence)
    (k, domain), = params.items()
    values = sample_values(domain)
    per = max(2.0, 0.85 * (seconds - 1.0) / len(values))
    solved: list[tuple[sp.Expr, sp.Expr, dict | None]] = []
    for value in values:
        if time.monotonic() - t0 > seconds * 0.75:
            break
        inst = at_value(fp, k, value)
        ans = solve_bound(inst, per, certify=False, second_look=False)
        ext = ans.evidence.get("extremum", {})
        evidence["instances"].append({"k": str(value), "status": ans.status, "answer": ans.answer, "reason": ans.reason})
        if not ans.answered or ext.get("exact") is None:
            return EngineAnswer.abstain(f"at {k} = {value} the bound was not found ({ans.reason})", "bound", evidence)
        witness = ext.get("witness") if ext.get("attained") else None
        try:
            bound = exact_value(ext["exact"], "the bound found")
        except (ExpressionError, sp.SympifyError) as e:
            return EngineAnswer.abstain(f"at {k} = {value} the bound is not a readable number ({e})", "bound", evidence)
        solved.append((value, bound, witness))
    if len(solved) < SAMPLES:
        return EngineAnswer.abstain("not every sampled value of the parameter were solved in time", "bound", evidence)
    formula, point, how = None, None, ""
    if all(w is not None for _, _, w in solved):
        names = {str(v): v for v in fp.variables}
        try:
            points = [{name: exact_value(w["point"][name]) if name in w["point"] else sp.nan for name in names}
                      for _, _, w in solved]
        except (ExpressionError, sp.SympifyError):
            points = [{name: sp.nan for name in names} for _ in solved]
        if _scale_free(fp) and not fp.constraints:
            # a homogeneous target: the search fixed the scale its own way; put the first coordinate at 1
            points = [{n: sp.radsimp(v / p[next(iter(names))]) for n, v in p.items()} if p[next(iter(names))] != 0 else p for p in points]
        coords = {}
        for name, var in names.items():
            data = [(x, p[name]) for (x, _, _), p in zip(solved, points, strict=True)]
            if any(v.has(sp.nan) for _, v in data):
                coords = None
                break
            f = _coordinate_formula(data, k)
            if f is None:
                coords = None
                break
            coords[var] = f
        if coords:
            candidate = sp.simplify(fp.target.subs(coords))
            if all(sp.simplify(candidate.subs(k, x) - v) == 0 for x, v, _ in solved):
                formula, point, how = candidate, coords, "the target at the extremal point, written in " + str(k)
    fitted = False
    if formula is None:
        formula = fit([({k: x}, v) for x, v, _ in solved]) if all(x.is_Integer for x, _, _ in solved) else None
        if formula is None:
            formula = _coordinate_formula([(x, v) for x, v, _ in solved], k)
        if formula is None:
            return EngineAnswer.abstain(f"no closed form in {k} reproduces the bounds at {k} = {', '.join(str(x) for x, _, _ in solved)}", "bound", evidence)
        fitted, how = True, f"fitted through the values at {len(solved)} values of {k} (not derived)"
    evidence["real_parameter"] = {"parameter": str(k), "range": str(domain), "formula": str(formula), "how": how,
                                  "point": None if point is None else {str(a): str(b) for a, b in point.items()}}
    latex = sp.latex(formula, mul_symbol="dot")
    certified, why = False, "fitted formulas are never certified"
    if not fitted:
        certified, why = _certify(fp, k, domain, formula, point, max(1.0, seconds - (time.monotonic() - t0) - 0.5), evidence)
    evidence["summary"] = f"C = {formula}: {how}; checked exactly at {k} = " + ", ".join(str(x) for x, _, _ in solved)
    evidence["certified_because"] = why
    if render_latex(formula.subs(k, solved[0][0])) is None:
        return EngineAnswer.abstain(f"the value {formula} has no LaTeX form the answer reader accepts", "bound", evidence)
    return EngineAnswer("answered", "bound", latex, certified, evidence)


def _certify(fp, k, domain, formula, point, timeout, evidence) -> tuple[bool, str]:
    """Proof for all k at once, the point feasible for every k, and the re-check at one sample."""
    rel, c = fp.relation_with_constant, fp.constant
    if rel is None or c is None:
        return False, "no relation to prove"
    h = rel.lhs - rel.rhs if isinstance(rel, (sp.Ge, sp.Gt)) else rel.rhs - rel.lhs
    with_k = replace(fp, variables=list(fp.variables) + [k], domains={**fp.domains, k: domain})
    cert = certify_nonnegative(sp.sympify(h.subs(c, formula), strict=True), with_k, strict=False, timeout=min(10.0, timeout))
    evidence["certificate"] = cert.describe()
    if cert.verdict != "proved":
        return False, f"no proof for all {k} ({cert.verdict})"
    k_assumed = sp.Symbol(k.name, positive=True) if domain.is_subset(sp.Interval.open(0, sp.oo)) else k
    inside = []
    for var, expr in point.items():
        e = expr.subs(k, k_assumed)
        d = fp.domains.get(var, sp.S.Reals)
        lo_ok = (not d.inf.is_finite) or (sp.simplify(e - d.inf).is_positive if d.left_open else sp.simplify(e - d.inf).is_nonnegative)
        hi_ok = (not d.sup.is_finite) or (sp.simplify(d.sup - e).is_positive if d.right_open else sp.simplify(d.sup - e).is_nonnegative)
        inside.append(bool(lo_ok) and bool(hi_ok))
    if not all(inside) or any(k in c.free_symbols for c in fp.constraints) or fp.constraints:
        return False, "proved for all " + str(k) + ", but the extremal point is not shown to be feasible for every " + str(k)
    sample = sample_values(domain)[0]
    check = check_point(fp, {**{v: e.subs(k, sample) for v, e in point.items()}, k: sample}, f"extremal point at {k} = {sample}",
                        expect="zero", constant=formula.subs(k, sample))
    evidence["recheck"] = [check.describe()]
    if check.verdict != "confirmed":
        return False, "proved for all " + str(k) + "; the independent re-check could not confirm: " + "; ".join((check.failed or check.undecided)[:2])
    return True, f"a z3/cvc5 proof for all {k} in {domain}; the extremal point lies in the domain for every {k}; the independent re-check confirmed the point at {k} = {sample}"
