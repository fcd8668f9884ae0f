"""The claim of a certificate as a Lean 4 theorem, with an `nlinarith` proof whose hints are the
certificate's own terms (squares `sq_nonneg s` times products of hypotheses `mul_nonneg ...`).

What Lean is asked is what the certificate proves: goal · D = P with D > 0 cleared by
`field_simp`, then P ≥ 0 from the linear combination Σ c · m · s² that nlinarith finds among the
hints (the certificate's coefficients c are exactly such a combination). An ordered-variable
certificate becomes a split on the orderings (`le_total`), with the hints of the case that covers
each ordering (mapped back through the substitution and the symmetry). Radical substitutions are
stated but only hinted: the file says which parts Lean is not expected to close.

The file is checked with verifiers/lean (lake or lean-dojo) where a toolchain exists; without one
the check is "unavailable" with its reason, and the file is still written beside the proof.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from qed.verifiers.certificates.check import ReadError, read_expr
from qed.verifiers.certificates.claim import Claim, read_claim
from qed.verifiers.certificates.ordered import symmetry_group
from qed.verifiers.lean.errors import LeanRenderError
from qed.verifiers.lean.render import lean_name

_PREC_ADD, _PREC_MUL, _PREC_NEG, _PREC_POW, _PREC_ATOM = 65, 70, 75, 80, 1024


class LeanPrinter:
    """sympy → Lean 4 terms over ℝ (+ - * / ^, Real.sqrt), with the fewest parentheses."""

    def __init__(self, names: dict[sp.Symbol, str]) -> None:
        self.names = names

    def __call__(self, e: sp.Expr) -> str:
        return self.term(sp.sympify(e, strict=True))[0]

    def wrap(self, e: sp.Expr, above: int) -> str:
        text, prec = self.term(e)
        return f"({text})" if prec <= above else text

    def term(self, e: sp.Expr) -> tuple[str, int]:
        if isinstance(e, sp.Symbol):
            if e not in self.names:
                raise LeanRenderError(f"{e} is not a variable of the theorem")
            return self.names[e], _PREC_ATOM
        if isinstance(e, sp.Integer):
            return (str(e), _PREC_ATOM) if e >= 0 else (f"-{-e}", _PREC_NEG)
        if isinstance(e, sp.Rational):
            return (f"{e.p}/{e.q}", _PREC_MUL) if e > 0 else (f"-({-e.p}/{e.q})", _PREC_NEG)
        if isinstance(e, sp.Add):
            parts = []
            for i, t in enumerate(e.as_ordered_terms()):
                if i and t.could_extract_minus_sign():
                    parts.append(" - " + self.wrap(-t, _PREC_ADD))
                else:
                    parts.append((" + " if i else "") + self.wrap(t, _PREC_ADD - 1 if not i else _PREC_ADD))
            return "".join(parts), _PREC_ADD
        if isinstance(e, sp.Mul):
            if e.could_extract_minus_sign():
                return "-" + self.wrap(-e, _PREC_NEG), _PREC_NEG
            num, den = sp.fraction(e)
            if den != 1:
                return f"{self.wrap(num, _PREC_MUL - 1)} / {self.wrap(den, _PREC_MUL)}", _PREC_MUL
            factors = e.as_ordered_factors()
            return " * ".join(self.wrap(f, _PREC_MUL - 1 if i == 0 else _PREC_MUL) for i, f in enumerate(factors)), _PREC_MUL
        if isinstance(e, sp.Pow):
            base, exp = e.as_base_exp()
            if exp.is_Integer and exp > 0:
                return f"{self.wrap(base, _PREC_POW)}^{exp}", _PREC_POW
            if exp.is_Integer and exp < 0:
                return f"1 / {self.wrap(base ** -exp, _PREC_MUL)}", _PREC_MUL
            if exp == sp.Rational(1, 2):
                return f"Real.sqrt {self.wrap(base, _PREC_ATOM - 1)}", _PREC_POW
            if exp.is_Rational:
                return f"{self.wrap(base, _PREC_POW)} ^ (({exp.p} : ℝ) / {exp.q})", _PREC_POW
        raise LeanRenderError(f"cannot state {e} in Lean")


@dataclass
class LeanProof:
    theorem: str  # `theorem qed_claim ... : goal`
    proof: str  # `by ...`
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        head = "".join(f"-- {n}\n" for n in self.notes)
        return f"import Mathlib\n\n{head}{self.theorem} := {self.proof}\n"


_LEAN_REL = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}


def _read(text: Any, names: dict[str, sp.Symbol]) -> sp.Expr:
    try:
        return read_expr(text, names, radicals=True)
    except ReadError as e:
        raise LeanRenderError(f"cannot read {text!r}: {e}") from None


class _Builder:
    def __init__(self, claim: Claim) -> None:
        self.claim = claim
        self.names = {v: lean_name(str(v)) for v in claim.variables}
        self.show = LeanPrinter(self.names)
        self.hyps: list[tuple[str, str, sp.Expr, str]] = []  # name, proposition, expr, op

    def theorem(self) -> str:
        c = self.claim
        binders = f"({' '.join(self.names[v] for v in c.variables)} : ℝ)"
        for i, (f, op) in enumerate(c.facts):
            prop = {">": f"0 < {self.show(f)}", ">=": f"0 ≤ {self.show(f)}", "!=": f"{self.show(f)} ≠ 0"}[op]
            self.hyps.append((f"h{i}", prop, f, op))
        for k, h in enumerate(c.equalities):
            self.hyps.append((f"e{k}", f"{self.show(h)} = 0", h, "="))
        lhs = c.lhs.xreplace({c.constant: c.value}) if c.constant is not None else c.lhs
        rhs = c.rhs.xreplace({c.constant: c.value}) if c.constant is not None else c.rhs
        hyps = " ".join(f"({n} : {p})" for n, p, _, _ in self.hyps)
        return f"theorem qed_claim {binders} {hyps} :\n    {self.show(lhs)} {_LEAN_REL[c.relation]} {self.show(rhs)}".replace("  :", " :")

    def nonneg(self, f: sp.Expr) -> str:
        """A proof term of 0 ≤ f: a hypothesis when f is one, else a tactic that should find it."""
        for name, _, e, op in self.hyps:
            if op in (">", ">=") and sp.expand(e - f) == 0:
                return f"{name}.le" if op == ">" else name
        return f"(by first | positivity | linarith | nlinarith : (0:ℝ) ≤ {self.show(f)})"

    def hint(self, c: sp.Rational, facts: list[sp.Expr], s: sp.Expr) -> str | None:
        parts = [self.nonneg(f) for f in facts]
        if s.free_symbols:
            parts.append(f"sq_nonneg ({self.show(s)})")
        if not parts:
            return None
        out = parts[0]
        for p in parts[1:]:
            out = f"mul_nonneg ({out}) ({p})" if " " in out else f"mul_nonneg {out} ({p})"
        return out


def _leaf_terms(node: dict, names: dict[str, sp.Symbol], facts: list[sp.Expr]) -> list[tuple[sp.Rational, list[sp.Expr], sp.Expr]]:
    out = []
    for t in node.get("terms", []):
        c = _read(t.get("c"), {})
        m = [facts[j] for j in t.get("m", [])]
        s = _read(t.get("s", "1"), names)
        out.append((c, m, s))
    return out


def lean_proof(cert: dict) -> LeanProof:
    """The Lean theorem and proof for a valid "holds" certificate; LeanRenderError when the claim
    cannot be stated in Lean."""
    if cert.get("verdict") != "holds" or cert["claim"].get("relation") == "none":
        raise LeanRenderError("only a proved inequality is stated in Lean")
    claim = read_claim(cert["claim"])
    if claim.relation == "=":
        raise LeanRenderError("an equality claim is not rendered")
    b = _Builder(claim)
    theorem = b.theorem()
    notes = [f"Certificate method: {cert.get('method')}. The hints are the certificate's terms c·m·s²;",
             "`qed check certificate.json` re-verifies the certificate exactly without Lean."]
    goal = claim.goal
    names = {str(v): v for v in claim.variables}
    facts = [f for f, _ in claim.facts]
    node = cert.get("proof") or {}
    lines: list[str] = []
    strict = claim.op == ">"
    if node.get("step") == "multiply":
        d = sp.Mul(*[_read(f["factor"], names) ** int(f.get("power", 1)) for f in node["factors"]])
        p = _read(node["goal"], names)
        lines.append(f"have hD : 0 < {b.show(d)} := by positivity")
        rest, hints = _hints(node.get("then") or {}, names, facts, b, claim)
        lines.append(f"have key : 0 {'<' if strict else '≤'} {b.show(p)} := by\n    {rest.format(hints=', '.join(hints))}")
        lines.append(f"have e : {b.show(goal)} = ({b.show(p)}) / ({b.show(d)}) := by field_simp; ring")
        lines.append(f"have h : 0 {'<' if strict else '≤'} {b.show(goal)} := by rw [e]; exact {'div_pos key hD' if strict else 'div_nonneg key hD.le'}")
        lines.append("linarith")
    else:
        rest, hints = _hints(node, names, facts, b, claim)
        lines.append(rest.format(hints=", ".join(hints)))
    if _has_radical_step(node):
        notes.append("The certificate substitutes for radicals; Lean is not expected to close those steps from these hints.")
    return LeanProof(theorem, "by\n  " + "\n  ".join(lines), notes)


def _has_radical_step(node: Any) -> bool:
    if isinstance(node, dict):
        if node.get("step") == "substitute" and any("sqrt" in str(v) or "cbrt" in str(v) for v in (node.get("inverse") or {}).values()):
            return True
        return any(_has_radical_step(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_radical_step(v) for v in node)
    return False


def _hints(node: dict, names: dict[str, sp.Symbol], facts: list[sp.Expr], b: _Builder, claim: Claim) -> tuple[str, list[str]]:
    """(a tactic template with {hints}, the hint terms) proving the node's goal >= 0."""
    kind = node.get("step")
    if kind == "sos":
        hints = [h for c, m, s in _leaf_terms(node, names, facts) if (h := b.hint(c, m, s))]
        hints += [n for n, _, _, op in b.hyps if op == "="]
        return "nlinarith [{hints}]", hints
    if kind == "cases":
        return _case_hints(node, names, facts, b, claim)
    # any other shape: every sos leaf's terms mapped back to the claim's variables where polynomial
    hints = [h for h in _all_terms(node, names, facts, {}, b) if h]
    hints += [n for n, _, _, op in b.hyps if op == "="]
    return "nlinarith [{hints}]", list(dict.fromkeys(hints))


def _all_terms(node: Any, names: dict[str, sp.Symbol], facts: list[sp.Expr], back: dict, b: _Builder) -> list[str]:
    out: list[str] = []
    if not isinstance(node, dict):
        return out
    kind = node.get("step")
    if kind == "sos":
        for c, m, s in _leaf_terms(node, names, facts):
            h = b.hint(c, [sp.expand(f.xreplace(back)) for f in m], sp.expand(s.xreplace(back)))
            if h:
                out.append(h)
    elif kind == "substitute":
        new = {n: sp.Symbol(n) for n in node.get("variables", [])}
        try:
            inv = {new[n]: _read(t, names) for n, t in node.get("inverse", {}).items()}
            new_facts = [_read(f["expr"], new) for f in node.get("facts", [])]
        except LeanRenderError:
            return out
        composed = {k: v.xreplace(back) for k, v in inv.items()}
        out += _all_terms(node.get("then"), new, new_facts, composed, b)
    elif kind == "multiply":
        out += _all_terms(node.get("then"), names, facts, back, b)
    elif kind == "cases":
        for case in node.get("cases", []):
            chain = [names[x] for x in case.get("ascending", [])]
            more = [chain[k + 1] - chain[k] for k in range(len(chain) - 1)]
            out += _all_terms(case.get("then"), names, facts + more, back, b)
    elif kind == "sum":
        for part in node.get("parts", []):
            out += _all_terms(part.get("proof"), names, facts, back, b)
    return out


def _case_hints(node: dict, names: dict[str, sp.Symbol], facts: list[sp.Expr], b: _Builder, claim: Claim) -> tuple[str, list[str]]:
    """Split on every ordering of the variables; in each, the hints of the case that covers it."""
    order = [names[n] for n in node.get("order", [])]
    n = len(order)
    gens = [tuple(node["order"].index(x) for x in s) for s in node.get("symmetries", [])]
    group = symmetry_group(gens, n)
    cases = []
    for case in node.get("cases", []):
        chain = [names[x] for x in case.get("ascending", [])]
        more = [chain[k + 1] - chain[k] for k in range(len(chain) - 1)]
        terms = _all_terms(case.get("then"), names, facts + more, {}, _Recorder())
        cases.append((chain, terms))
    alternatives: list[str] = []
    for perm in itertools.permutations(range(n)):
        # ordering: order[perm[0]] <= order[perm[1]] <= ...; find g and a case chain it maps to
        target = [order[i] for i in perm]
        for g in group:
            image = {order[i]: order[g[i]] for i in range(n)}
            for chain, terms in cases:
                if [image[v] for v in chain] == target:
                    mapped = [b.hint(c, [sp.expand(f.xreplace(image)) for f in m], sp.expand(s.xreplace(image)))
                              for c, m, s in terms]
                    hints = [h for h in mapped if h] + [nm for nm, _, _, op in b.hyps if op == "="]
                    alternatives.append(f"nlinarith [{', '.join(hints)}]")
                    break
            else:
                continue
            break
    splits = " <;> ".join(f"rcases le_total {b.show(x)} {b.show(y)} with h{b.show(x)}{b.show(y)} | h{b.show(x)}{b.show(y)}"
                          for x, y in itertools.combinations(order, 2))
    body = "first\n      | " + "\n      | ".join(dict.fromkeys(alternatives))
    return splits + " <;>\n    " + body.replace("{", "{{").replace("}", "}}"), []


class _Recorder:
    """Collects (c, facts, s) instead of Lean text, for the case split to map through symmetries."""

    def hint(self, c: sp.Rational, facts: list[sp.Expr], s: sp.Expr) -> tuple:
        return (c, facts, s)
