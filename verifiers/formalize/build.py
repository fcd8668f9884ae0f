"""A reading plus values for its integer parameters -> a FormalProblem (target not yet isolated).

Here names get their meaning: declared variables become sympy symbols (x_1 ... x_N for a family of
length N), triangle sides become y + z, z + x, x + y, helper definitions and geometric quantities
are substituted, and conditions that bound a single variable by a number move into its domain.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp
from qed.verifiers.formal import FormalProblem
from qed.verifiers.formalize.domains import REALS, bound_set, symbol_for
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.evaluate import Context, evaluate, relations
from qed.verifiers.formalize.geometry import (
    quantity,
    ravi,
    triangle_conditions,
    triangle_kind_conditions,
)
from qed.verifiers.formalize.reading import Reading


def default_values(reading: Reading) -> dict[str, int]:
    """Small values that make each parameter non-degenerate: family length 3, exponent 2."""
    values = {}
    for p in reading.parameters.values():
        value = max(p.low, 3 if p.counts else 2)
        if p.high is not None:
            value = min(value, p.high)
        if p.high is not None and value < p.low:
            raise FormalizeError(f"parameter {p.name} has no admissible value")
        values[p.name] = value
    return values


def check_values(reading: Reading, values: dict[str, int]) -> None:
    for p in reading.parameters.values():
        if p.name not in values:
            raise ValueError(f"a value for the parameter {p.name} is needed")
        v = values[p.name]
        if v < p.low or (p.high is not None and v > p.high):
            high = "" if p.high is None else f" and at most {p.high}"
            raise ValueError(f"parameter {p.name} must be at least {p.low}{high}, not {v}")


def build(reading: Reading, values: dict[str, int]) -> FormalProblem:
    ctx = Context(indices=dict(values))
    variables: list[sp.Symbol] = []
    domains: dict[sp.Symbol, sp.Set] = {}
    groups: dict[int, list[sp.Symbol]] = {}
    substitution: dict[sp.Symbol, sp.Expr] = {}
    notes = list(reading.notes)
    sides: list[sp.Symbol] = []

    for var in reading.variables.values():
        if var.family_size is not None:
            size = evaluate(var.family_size, ctx)
            if not size.is_Integer or size < 1:
                raise FormalizeError(f"family {var.name} has length {size}")
            names = [f"{var.name}_{k}" for k in range(1, int(size) + 1)]
        else:
            names = [var.name]
        for name in names:
            sym = symbol_for(name, var.domain)
            ctx.names[name] = sym
            if var.role == "side":
                sides.append(sym)
                continue
            variables.append(sym)
            domains[sym] = var.domain
            groups.setdefault(var.group, []).append(sym)
        if not var.stated and var.role == "free":
            notes.append(f"no domain stated for {var.name}; taken as all reals")

    if sides:
        if len(sides) != 3:
            raise FormalizeError("a triangle needs exactly three side lengths")
        taken = set(ctx.names) | {reading.constant or ""} | set(values)
        taken |= {name for name, _ in reading.definitions} | {q.name for q in reading.quantities}
        new, expressions = ravi(taken)
        for side, expr in zip(sides, expressions, strict=True):
            ctx.names[side.name] = expr
            substitution[side] = expr
        for sym in new:
            domains[sym] = sp.Interval.open(0, sp.oo)
        variables = new + variables
        groups[-1] = new
        notes.append(
            "triangle sides by the Ravi substitution "
            + ", ".join(f"{s} = {e}" for s, e in zip(sides, expressions, strict=True))
        )
    ctx.cyclic_groups = [run for g in groups.values() for run in _alphabetic_runs(g)]
    real_parameters = {}
    for name, domain in reading.real_parameters.items():
        parameter = symbol_for(name, domain)
        real_parameters[parameter] = domain
        ctx.names[name] = parameter

    constraints: list[sp.Basic] = []
    side_values = [ctx.names[s.name] for s in sides]
    for tri, side_nodes in reading.triangles.items():
        if side_nodes is None or tri == reading.main_triangle:
            continue
        tri_sides = [evaluate(n, ctx) for n in side_nodes]
        for link in triangle_conditions(tri_sides):
            constraints.extend(_condition(link, domains))
    for name, params, body in reading.functions:
        dummies = [sp.Dummy(p, real=True) for p in params]
        local = replace(ctx, names={**ctx.names, **dict(zip(params, dummies, strict=True))})
        ctx.functions[name] = sp.Lambda(tuple(dummies), evaluate(body, local))
    for name, node in reading.definitions:
        ctx.names[name] = evaluate(node, ctx)
    for q in reading.quantities:
        nodes = reading.triangles.get(q.triangle)
        if nodes is None:
            if not side_values:
                raise FormalizeError(f"triangle {q.triangle} has no side lengths")
            tri_sides = side_values
        else:
            tri_sides = [evaluate(n, ctx) for n in nodes]
        ctx.names[q.name] = quantity(q.role, tri_sides, q.vertex)

    for node in reading.constraints:
        for link in relations(node, ctx):
            constraints.extend(_condition(link, domains))
    for names, value, combine in reading.sums_to:
        members = [s for n in names for s in _family_members(n, ctx)]
        total = sp.Add(*members) if combine == "sum" else sp.Mul(*members)
        constraints.append(sp.Eq(total, value))
    if reading.right_angle is not None and side_values:
        hyp = ctx.names[reading.right_angle]
        legs = [v for v in side_values if v != hyp]
        constraints.append(sp.Eq(legs[0] ** 2 + legs[1] ** 2, hyp**2))
    if reading.main_triangle in reading.acute and side_values:
        a, b, c = side_values
        constraints += [
            sp.Gt(b**2 + c**2 - a**2, 0),
            sp.Gt(c**2 + a**2 - b**2, 0),
            sp.Gt(a**2 + b**2 - c**2, 0),
        ]
    for names in reading.angle_groups:
        constraints.append(sp.Eq(sp.Add(*[ctx.names[n] for n in names]), sp.pi))
    for kind in sorted(reading.triangle_kinds.get(reading.main_triangle or "ABC", set())):
        if side_values:
            constraints += triangle_kind_conditions(kind, side_values, "sides")
        for names in reading.angle_groups:
            constraints += triangle_kind_conditions(kind, [ctx.names[n] for n in names], "angles")
    for names in reading.distinct_groups:
        members = [ctx.names[n] for n in names]
        constraints += [sp.Ne(u, v) for i, u in enumerate(members) for v in members[i + 1 :]]

    fp = FormalProblem(
        kind=reading.kind,
        variables=variables,
        domains=domains,
        constraints=constraints,
        origin="parser",
        substitution=substitution,
    )
    if reading.kind == "relation":
        fp.lhs = evaluate(reading.lhs, ctx)
        fp.rhs = evaluate(reading.rhs, ctx)
    else:
        constant = sp.Symbol(reading.constant, real=True)
        if reading.constant in ctx.names:
            raise FormalizeError(f"the constant {reading.constant} is also the name of a variable")
        ctx.names[reading.constant] = constant
        (link,) = relations(reading.relation, ctx)
        fp.constant = constant
        fp.relation_with_constant = link
        fp.extra["asked"] = reading.asked
    for sym in variables:
        if sym not in domains:
            domains[sym] = REALS
    fp.notes = _unique(notes + ctx.notes)
    if real_parameters:
        fp.extra["real_parameters"] = real_parameters
    if reading.assumptions:
        fp.extra["assumptions"] = list(reading.assumptions)
    if reading.constant_domain is not None:
        fp.extra["constant_domain"] = reading.constant_domain
    if reading.constant_bounds:
        fp.extra["constant_bounds"] = list(reading.constant_bounds)
    fp.parameter_values = {sp.Symbol(k, integer=True): v for k, v in values.items()}
    fp.parameters = {
        sp.Symbol(p.name, integer=True): sp.Range(p.low, sp.oo if p.high is None else p.high + 1)
        for p in reading.parameters.values()
    }
    return fp


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _family_members(name: str, ctx: Context) -> list[sp.Expr]:
    if name in ctx.names:
        return [ctx.names[name]]
    members = []
    k = 1
    while f"{name}_{k}" in ctx.names:
        members.append(ctx.names[f"{name}_{k}"])
        k += 1
    if not members:
        raise FormalizeError(f"cannot tell what '{name}' adds up")
    return members


def _alphabetic_runs(group: list[sp.Symbol]) -> list[list[sp.Symbol]]:
    """a, b, c, x, y, z declared together cycle as (a b c)(x y z), the way cyclic sums mean."""
    runs: list[list[sp.Symbol]] = []
    for sym in group:
        name = sym.name
        if (
            (
                runs
                and len(name) == 1
                and len(runs[-1][-1].name) == 1
                and ord(name) == ord(runs[-1][-1].name) + 1
            )
            or runs
            and len(name) > 1
            and "_" in name
            and runs[-1][-1].name.split("_")[0] == (name.split("_")[0])
        ):
            runs[-1].append(sym)
        else:
            runs.append([sym])
    if len(runs) > 1 and all(len(r) == 1 for r in runs):
        return [group]
    return runs


def _condition(link: sp.Basic, domains: dict[sp.Symbol, sp.Set]) -> list[sp.Basic]:
    """A condition as constraints; bounds on one variable by a number go into its domain."""
    if link in (sp.true, sp.false):
        if link == sp.false:
            raise FormalizeError("a condition of the statement is false")
        return []
    lhs, rhs = link.lhs, link.rhs
    if isinstance(link, sp.Eq):
        for side, other in ((lhs, rhs), (rhs, lhs)):
            if (
                isinstance(side, sp.Symbol)
                and isinstance(other, (sp.Max, sp.Min))
                and side in other.args
            ):
                rel = sp.Ge if isinstance(other, sp.Max) else sp.Le
                return [rel(side, arg) for arg in other.args if arg != side]
    free = link.free_symbols
    if len(free) == 1:
        (sym,) = free
        if sym in domains and (lhs == sym or rhs == sym):
            other = rhs if lhs == sym else lhs
            if other.is_number and other.is_real:
                op = {sp.Gt: ">", sp.Ge: ">=", sp.Lt: "<", sp.Le: "<=", sp.Eq: "=", sp.Ne: "!="}[
                    type(link)
                ]
                domains[sym] = domains[sym].intersect(bound_set(op, other, lhs == sym))
                return []
    return [link]
