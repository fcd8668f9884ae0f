"""The claim a certificate is about, built from a FormalProblem and read back as the checker reads it.

The search works on exactly what the checker will see: the claim is written as certificate text
first and then read with the checker's own reader (plain symbols, no assumptions), so a certificate
found for the parsed claim is a certificate for the written one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
from qed.verifiers.certificates.check import ReadError, read_expr
from qed.verifiers.certificates.text import TextError, to_text
from qed.verifiers.formal import FormalProblem
from qed.verifiers.numeric.domain import DomainError, range_of

LETTER_RELATION = {"A": "<=", "B": ">=", "C": "=", "D": "<", "E": ">", "F": "none"}


class ClaimError(ValueError):
    """The record cannot be stated as a certificate claim (the message says why)."""


@dataclass
class Claim:
    """A claim in sympy, over plain symbols, as the checker reads it."""

    variables: list[sp.Symbol]
    facts: list[tuple[sp.Expr, str]]
    equalities: list[sp.Expr]
    lhs: sp.Expr
    rhs: sp.Expr
    relation: str
    constant: sp.Symbol | None = None
    value: sp.Expr | None = None
    extreme: str | None = None
    data: dict = field(default_factory=dict)  # the JSON form

    @property
    def goal(self) -> sp.Expr:
        """lhs - rhs (rhs - lhs for <= and <) with the constant at its value."""
        g = self.lhs - self.rhs if self.relation in (">=", ">", "=", "none") else self.rhs - self.lhs
        return g.xreplace({self.constant: self.value}) if self.constant is not None else g

    @property
    def op(self) -> str:
        return {">=": ">=", "<=": ">=", ">": ">", "<": ">", "=": "=="}.get(self.relation, "none")


def _facts_of_domain(v: sp.Symbol, domain: sp.Set) -> list[tuple[sp.Expr, str]]:
    try:
        r = range_of(domain)
    except DomainError as e:
        raise ClaimError(str(e)) from None
    out = []
    if r.lo.is_finite:
        out.append((v - r.lo, ">" if r.lo_open else ">="))
    if r.hi.is_finite:
        out.append((r.hi - v, ">" if r.hi_open else ">="))
    out.extend((v - x, "!=") for x in r.excluded)
    return out


def _constraint(c: sp.Basic) -> tuple[str, sp.Expr]:
    if isinstance(c, sp.Eq):
        return "=", c.lhs - c.rhs
    if isinstance(c, sp.Ne):
        return "!=", c.lhs - c.rhs
    if isinstance(c, (sp.GreaterThan, sp.StrictGreaterThan)):
        return (">" if isinstance(c, sp.StrictGreaterThan) else ">="), c.lhs - c.rhs
    if isinstance(c, (sp.LessThan, sp.StrictLessThan)):
        return (">" if isinstance(c, sp.StrictLessThan) else ">="), c.rhs - c.lhs
    raise ClaimError(f"cannot state the condition {c}")


def claim_data(fp: FormalProblem, relation: str | None = None, value: sp.Expr | None = None) -> dict:
    """The JSON claim for a relation record at `relation` (">=", ..., "none"), or a bound record at
    the constant `value`."""
    if fp.parameters:
        raise ClaimError("the record has integer parameters (n, k): a certificate is for one instance")
    names = [str(v) for v in fp.variables]
    if len(set(names)) != len(names):
        raise ClaimError("two variables print the same")
    plain = {v: sp.Symbol(str(v)) for v in fp.variables}
    facts: list[tuple[sp.Expr, str]] = []
    for v in fp.variables:
        facts += _facts_of_domain(plain[v], fp.domains.get(v, sp.S.Reals))
    equalities: list[sp.Expr] = []
    for c in fp.constraints:
        if c is sp.true:
            continue
        op, e = _constraint(c)
        e = e.xreplace(plain)
        if op == "=":
            equalities.append(e)
        else:
            facts.append((e, op))
    data: dict = {"variables": names}
    try:
        if fp.kind == "bound":
            rel, c = fp.relation_with_constant, fp.constant
            if value is None or c is None or not isinstance(rel, (sp.Ge, sp.Gt, sp.Le, sp.Lt)):
                raise ClaimError("a bound claim needs the relation with its constant and the constant's value")
            cname = "C" if "C" not in names else "C_0"
            csym = sp.Symbol(cname)
            sub = dict(plain)
            sub[c] = csym
            op = {sp.GreaterThan: ">=", sp.StrictGreaterThan: ">", sp.LessThan: "<=", sp.StrictLessThan: "<"}[type(rel)]
            asked = fp.extra.get("asked") or ("largest" if fp.sense == "min" else "smallest" if fp.sense == "max" else None)
            if asked not in ("largest", "smallest"):
                raise ClaimError("the record does not say whether the largest or smallest constant is asked")
            data.update(lhs=to_text(rel.lhs.xreplace(sub)), rhs=to_text(rel.rhs.xreplace(sub)), relation=op,
                        constant={"name": cname, "value": to_text(sp.nsimplify(value)), "extreme": asked})
        else:
            if fp.lhs is None or fp.rhs is None or relation is None:
                raise ClaimError("a relation claim needs both sides and the relation")
            data.update(lhs=to_text(fp.lhs.xreplace(plain)), rhs=to_text(fp.rhs.xreplace(plain)), relation=relation)
        data["facts"] = [{"expr": to_text(e), "op": op} for e, op in facts]
        data["equalities"] = [to_text(h) for h in equalities]
    except TextError as e:
        raise ClaimError(str(e)) from None
    return data


def read_claim(data: dict) -> Claim:
    """The claim as the checker reads it (the same reader, the same plain symbols)."""
    try:
        variables = [sp.Symbol(n) for n in data["variables"]]
        names = {str(v): v for v in variables}
        const = data.get("constant")
        csym = sp.Symbol(const["name"]) if const else None
        side = dict(names, **({const["name"]: csym} if const else {}))
        return Claim(
            variables,
            [(read_expr(f["expr"], names, radicals=True), f["op"]) for f in data.get("facts", [])],
            [read_expr(h, names, radicals=True) for h in data.get("equalities", [])],
            read_expr(data["lhs"], side, radicals=True),
            read_expr(data["rhs"], side, radicals=True),
            data["relation"],
            csym,
            read_expr(const["value"], {}, radicals=True) if const else None,
            const["extreme"] if const else None,
            data,
        )
    except (ReadError, KeyError, TypeError) as e:
        raise ClaimError(f"the claim does not read back: {e}") from None


def claim_from_formal(fp: FormalProblem, relation: str | None = None, value: sp.Expr | None = None) -> Claim:
    return read_claim(claim_data(fp, relation, value))
