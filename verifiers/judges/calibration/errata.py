"""Known computation errors in reference solutions, each re-checked before it is believed.

A `fail` on an unmodified reference is a false rejection only if the reference is right. The
errata (errata.toml) list relations that references write and that are false; the harness checks
each one again here, without the judges' sampling (sympy at 30 digits at the listed point, which must
satisfy the problem's stated conditions), and uses only those that hold up.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp
from qed.problems.record import Problem
from qed.verifiers.judges.assumptions import read_assumptions
from qed.verifiers.judges.calibration.defaults import ERRATA
from qed.verifiers.judges.extract import relations_in
from qed.verifiers.judges.relcheck import compare, parse_relation
from qed.verifiers.judges.sampling import in_domain
from qed.verifiers.latex import LatexError, symbol
from qed.verifiers.safe_expr import parse_number

_DPS = 30
_TOL = 1e-20


@dataclass
class Claim:
    latex: str
    at: dict[str, str]


@dataclass
class Erratum:
    refs: list[str]
    why: str
    claims: list[Claim]
    problems: list[str] = field(default_factory=list)  # why the re-check refused it; empty = confirmed

    @property
    def confirmed(self) -> bool:
        return not self.problems


def load_errata(path: Path = ERRATA) -> list[Erratum]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return [Erratum(list(e["refs"]), e.get("why", "").strip(),
                        [Claim(c["latex"], {k: str(v) for k, v in c.get("at", {}).items()}) for c in e["claim"]])
                for e in data.get("erratum", [])]
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path}: not TOML ({e})") from None
    except (KeyError, TypeError, AttributeError) as e:
        raise ValueError(f"{path}: each [[erratum]] needs refs and [[erratum.claim]] entries with latex ({e})") from None


def normalize(latex: str) -> str:
    return " ".join(latex.split())


def claim_problem(claim: Claim, problem: Problem | None) -> str | None:
    """Why the claim is not shown false at its point (None when it is)."""
    rels = relations_in(f"${claim.latex}$")
    if len(rels) != 1:
        return f"`{claim.latex[:60]}` does not read as one relation"
    r = rels[0]
    try:
        p = parse_relation(r.lhs, r.op, r.rhs)
        point = {symbol(k): parse_number(v, f"the value of {k}") for k, v in claim.at.items()}
    except (LatexError, ValueError) as e:
        return f"`{claim.latex[:60]}` not read: {e}"
    missing = p.free - set(point)
    if missing:
        return f"`{claim.latex[:60]}`: no value for {', '.join(sorted(s.name for s in missing))}"
    lhs = sp.N(p.lhs.expr.subs(point), _DPS)
    rhs = sp.N(p.rhs.expr.subs(point), _DPS)
    if not (lhs.is_real and rhs.is_real):
        return f"`{claim.latex[:60]}` has no real value at its point"
    if p.op not in ("=", "<", ">", "<=", ">=") or compare(float(lhs - rhs), p.op, _TOL):
        return f"`{claim.latex[:60]}` holds at {claim.at}"
    if problem is not None:
        outside = _outside(point, problem)
        if outside:
            return f"the point of `{claim.latex[:60]}` {outside}"
    return None


def _outside(point: dict[sp.Symbol, sp.Expr], problem: Problem) -> str | None:
    """How the point breaks the problem's stated conditions on the variables it sets, if it does."""
    a = read_assumptions(problem.statement)
    values = {s: sp.N(v, _DPS) for s, v in point.items()}
    for s, v in values.items():
        bound = a.bounds.get(s.name, (None, None))
        if not in_domain(float(v), bound, a.domain or "real"):
            return f"has {s.name} = {v} outside its domain ({a.domain or 'real'}, bounds {bound})"
    for e in a.equalities:
        if e.free_symbols <= set(values) and abs(sp.N(e.subs(values), _DPS)) > _TOL:
            return f"is not on the condition {e} = 0"
    for f in a.filters:
        if f.free_symbols <= set(values) and not bool(f.subs(values)):
            return f"breaks the condition {f}"
    return None


def confirm(errata: list[Erratum], problems: dict[str, Problem]) -> list[Erratum]:
    """Re-check every erratum against its references' problems; the result says which held up."""
    for e in errata:
        e.problems = []
        for claim in e.claims:
            for ref in e.refs or [""]:
                why = claim_problem(claim, problems.get(ref))
                if why:
                    e.problems.append(f"{ref}: {why}")
    return errata


class Errata:
    """The confirmed errata by reference id: which flagged relations a reference really gets wrong."""

    def __init__(self, errata: list[Erratum]):
        self.all = errata
        self._claims: dict[str, set[str]] = {}
        for e in errata:
            if e.confirmed:
                for ref in e.refs:
                    self._claims.setdefault(ref, set()).update(normalize(c.latex) for c in e.claims)

    def explains(self, ref_id: str, wrong_quotes: list[str]) -> bool:
        """Every relation the judge calls wrong in this reference is a confirmed erratum."""
        known = self._claims.get(ref_id)
        return bool(known) and bool(wrong_quotes) and all(normalize(q) in known for q in wrong_quotes)
