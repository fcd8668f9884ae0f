"""Explain the proof steps of a certificate in words, step by step, from the steps themselves.

The walk mirrors the checker (verifiers/certificates/check.py): it reads each step's expressions
with the checker's own reader, in the same domain, and says what the step establishes — the
identity it rests on (displayed exactly as the certificate states it), why each term is
non-negative, what a substitution covers, which cases are needed. Every displayed identity is
re-verified here exactly with sympy before it is written; a step that does not verify raises
ExplainError, and no proof is written for that certificate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from qed.verifiers.certificates.check import ReadError, read_expr
from qed.verifiers.certificates.ordered import symmetry_group
from qed.verifiers.proofs.doc import Block, Display, Para
from qed.verifiers.proofs.latex import TexPrinter, relation


class ExplainError(ValueError):
    """The certificate has a step this module cannot explain truthfully (the message says which)."""


@dataclass
class Scope:
    """The domain a step speaks about: variables, facts (expr op 0), equalities (h = 0)."""

    variables: list[sp.Symbol]
    names: dict[str, sp.Symbol]
    facts: list[tuple[sp.Expr, str]]
    equalities: list[sp.Expr]
    case: bool = False  # facts from a case split are present
    substituted: bool = False

    def with_facts(self, more: list[tuple[sp.Expr, str]]) -> Scope:
        return Scope(self.variables, self.names, self.facts + more, self.equalities, True, self.substituted)


def is_zero(e: sp.Expr) -> bool:
    """e is 0 as a rational function (radicals taken as further unknowns), as the checker decides."""
    e = sp.expand(e)
    return e == 0 or sp.cancel(sp.together(e)) == 0


# An identity longer than this (characters of LaTeX) whose polynomial has only positive coefficients
# is replaced by that observation: a reader checks "every coefficient is positive" on the
# polynomial displayed once, instead of reading each term again as a product (and the judges read
# one formula of at most verifiers/input_limits.MAX_FORMULA_CHARS).
LONG_IDENTITY = 2000


@dataclass
class Explainer:
    tex: TexPrinter
    blocks: list[Block] = field(default_factory=list)
    step_no: int = 0
    used: set[str] = field(default_factory=set)  # the kinds of step met, for the summary
    lemmas: list[list[Block]] = field(default_factory=list)  # side conditions proved in full, not yet written

    # -- reading -------------------------------------------------------------------------

    def read(self, text: Any, scope: Scope, radicals: bool = False) -> sp.Expr:
        try:
            return read_expr(text, scope.names, radicals)
        except ReadError as e:
            raise ExplainError(f"cannot read {str(text)[:60]!r}: {e}") from None

    # -- printing ------------------------------------------------------------------------

    def fact(self, e: sp.Expr, op: str) -> str:
        """A fact e op 0 written the way a person would: `b \\ge a` for b - a >= 0, `abc = 1`."""
        op_tex = op
        terms = sp.Add.make_args(sp.expand(e)) if e.is_polynomial() else (e,)
        pos = [t for t in terms if not t.could_extract_minus_sign()]
        neg = [-t for t in terms if t.could_extract_minus_sign()]
        if pos and neg:
            return relation(self.tex(sp.Add(*pos)), op_tex, self.tex(sp.Add(*neg)))
        if neg and not pos:
            flipped = {">": "<", ">=": "<=", "!=": "!=", "=": "="}[op]
            return relation(self.tex(sp.Add(*neg)), flipped, "0")
        return relation(self.tex(e), op_tex, "0")

    def fact_list(self, scope: Scope, indices: list[int]) -> str:
        return ", ".join(f"${self.fact(*scope.facts[j])}$" for j in dict.fromkeys(indices))

    def term_tex(self, c: sp.Rational, m: list[int], s: sp.Expr, scope: Scope) -> str:
        return self.tex.product(c, [scope.facts[j][0] for j in m], s)

    # -- the walk ------------------------------------------------------------------------

    def prove(self, node: Any, goal: sp.Expr, op: str, scope: Scope, goal_tex: str | None = None, top: bool = True) -> None:
        """Explain `node`, a proof that goal op 0 on scope (op is >=, > or ==)."""
        if not isinstance(node, dict):
            raise ExplainError("a proof step is not an object")
        kind = node.get("step")
        handler = {
            "sos": self.sos, "ideal": self.ideal, "multiply": self.multiply, "substitute": self.substitute,
            "cases": self.cases, "sum": self.sum, "root": self.root,
        }.get(kind)
        if handler is None:
            raise ExplainError(f"unknown step {kind!r}")
        self.used.add(kind)
        goal_tex = goal_tex or self.tex(goal)
        self.defined(node, goal, scope)
        handler(node, goal, op, scope, goal_tex, top)

    def heading(self, words: str, top: bool) -> Para:
        p = Para()
        if top:
            self.step_no += 1
            p.strong(f"Step {self.step_no} ({words}).").text(" ")
        return p

    def defined(self, node: dict, goal: sp.Expr, scope: Scope) -> None:
        for item in node.get("defined", []) or []:
            base = self.read(item.get("base"), scope)
            reason = self.reason(item.get("proof"), base, item.get("op", ">"), scope)
            self.blocks.append(Para().text("Where it appears, ").math(self.fact(base, item.get("op", ">")))
                               .text(f" {reason}, so the goal is defined there."))
            self.flush()

    def sos(self, node: dict, goal: sp.Expr, op: str, scope: Scope, goal_tex: str, top: bool) -> None:
        if op == "==":
            raise ExplainError("a sum of squares shows goal >= 0, not = 0")
        terms = []
        for t in node.get("terms", []):
            c = sp.Rational(self.read(t.get("c"), scope))
            m = list(t.get("m", []))
            s = self.read(t.get("s", "1"), scope)
            terms.append((c, m, s))
        lams = [self.read(x, scope) for x in node.get("multipliers", [])]
        ideal = sp.Add(*[lam * scope.equalities[k] for k, lam in enumerate(lams)])
        rhs = sp.Add(*[c * sp.Mul(*[scope.facts[j][0] for j in m]) * s**2 for c, m, s in terms])
        if not is_zero(goal - ideal - rhs):
            raise ExplainError("the identity of a sum-of-squares step does not hold")
        left = goal_tex
        used_lams = [(k, lam) for k, lam in enumerate(lams) if lam != 0]
        for k, lam in used_lams:
            left += rf" - {self.tex.factor(lam)} \left({self.tex(scope.equalities[k])}\right)"
        right = self.tex.terms([self.term_tex(c, m, s, scope) for c, m, s in terms])
        if op == ">=" and len(left) + len(right) > LONG_IDENTITY and goal.is_polynomial(*scope.variables):
            # a long identity whose goal has positive coefficients in variables >= 0 (the
            # constraints' multiples are not needed for that), or whose goal minus them has and is
            # shorter to write: said in those words
            signs = self._signs(sp.expand(goal), scope)
            if signs is not None:
                self._positive_coefficients(sp.expand(goal), self.tex(sp.expand(goal)), signs, goal_tex, goal_tex, [], scope, top)
                return
            signs = self._signs(sp.expand(goal - ideal), scope)
            if signs is not None and len(q_tex := self.tex(sp.expand(goal - ideal))) < len(right):
                self._positive_coefficients(sp.expand(goal - ideal), q_tex, signs, left, goal_tex, used_lams, scope, top)
                return
        p = self.heading("a sum of non-negative terms", top)
        poly = all(e.is_polynomial(*scope.variables) for e in (goal, ideal, rhs))
        p.text("The identity")
        self.blocks.append(p)
        self.blocks.append(Display(relation(left, "=", right), "identity"))
        p = Para().text(f"holds as an identity of {'polynomials' if poly else 'rational functions'} (expand both sides)")
        if used_lams:
            p.text("; on the domain the constraint").text("s" if len(used_lams) > 1 else "").text(" ")
            p.text(_and([f"${self.tex(scope.equalities[k])} = 0$" for k, _ in used_lams]))
            p.text(" hold" if len(used_lams) > 1 else " holds").text(", so the left side is the goal there")
        p.text(". ")
        facts_used = sorted({j for _, m, _ in terms for j in m})
        if not terms:
            p.text("The right side is 0.")
        else:
            sign = "positive" if all(c > 0 for c, _, _ in terms) else "non-negative"
            p.text(f"Every term on the right is non-negative: its coefficient is {sign}")
            if any(s.free_symbols for _, _, s in terms):
                p.text(", a square is non-negative")
            if facts_used:
                p.text(", and ").text(self.fact_list(scope, facts_used)).text(self.where(scope))
            p.text(".")
        strict = node.get("strict")
        if op == ">":
            if not isinstance(strict, dict) or not isinstance(strict.get("term"), int) or not 0 <= strict["term"] < len(terms):
                raise ExplainError("a strict sum of squares names no strict term")
            c, m, s = terms[strict["term"]]
            p.text(" The term ").math(self.term_tex(c, m, s, scope)).text(" is even positive: its coefficient is positive")
            if m:
                p.text(", ").text(self.fact_list(scope, m))
            if s.free_symbols:
                why = self.reason(strict.get("proof"), s, ">", scope)
                p.text(", and ").math(self.fact(s, ">")).text(f" {why}")
            elif s == 0:
                raise ExplainError("the strict term is 0")
            p.text(".")
        p.text(" Hence")
        if used_lams:  # the conclusion holds where the constraints do; say so first, for a reader and the judges
            p.text(", where ").text(_and([f"${self.tex(scope.equalities[k])} = 0$" for k, _ in used_lams])).text(",")
        p.text(" ").math(relation(goal_tex, ">" if op == ">" else ">=", "0")).text(self.where(scope, lead=" "))
        p.text(".")
        self.blocks.append(p)
        self.flush()

    def _signs(self, q: sp.Expr, scope: Scope) -> list[int] | None:
        """The facts (indices) showing that every variable of q is >= 0, when q is a polynomial
        with only positive coefficients in such variables; None otherwise."""
        if q == 0 or not q.is_polynomial(*scope.variables):
            return None
        poly = sp.Poly(q, *scope.variables)
        if not all(c.is_Rational and c > 0 for c in poly.coeffs()):
            return None
        used = []
        for v in sorted(q.free_symbols, key=str):
            j = next((j for j, (f, op) in enumerate(scope.facts) if f == v and op == ">"), None)
            if j is None:
                j = next((j for j, (f, op) in enumerate(scope.facts) if f == v and op == ">="), None)
            if j is None:
                return None
            used.append(j)
        return used

    def _positive_coefficients(self, q: sp.Expr, q_tex: str, facts: list[int], left: str, goal_tex: str,
                               used_lams: list, scope: Scope, top: bool) -> None:
        """goal (minus the constraints' multiples) expanded is a polynomial with positive
        coefficients in variables that are >= 0: said in those words, without writing each term
        again as a product (the certificate's own terms are the same monomials)."""
        p = self.heading("a polynomial with positive coefficients", top)
        if used_lams:
            p.text("Expanding,")
            self.blocks.append(p)
            self.blocks.append(Display(relation(left, "=", q_tex), "identity"))
            p = Para().text("holds as an identity of polynomials; on the domain the constraint")
            p.text("s" if len(used_lams) > 1 else "").text(" ")
            p.text(_and([f"${self.tex(scope.equalities[k])} = 0$" for k, _ in used_lams]))
            p.text(" hold" if len(used_lams) > 1 else " holds").text(", so the left side is the goal there. ")
        elif q_tex != goal_tex:
            p.text("Expanding,")
            self.blocks.append(p)
            self.blocks.append(Display(relation(left, "=", q_tex), "identity"))
            p = Para().text("holds as an identity of polynomials. ")
        if facts:
            p.text("Every coefficient of this polynomial is positive, and ").text(self.fact_list(scope, facts))
            p.text(self.where(scope)).text(", so every term is non-negative.")
        else:
            p.text("This is a positive constant.")
        p.text(" Hence")
        if used_lams:
            p.text(", where ").text(_and([f"${self.tex(scope.equalities[k])} = 0$" for k, _ in used_lams])).text(",")
        p.text(" ").math(relation(goal_tex, ">=", "0")).text(self.where(scope, lead=" "))
        p.text(".")
        self.blocks.append(p)
        self.flush()

    def ideal(self, node: dict, goal: sp.Expr, op: str, scope: Scope, goal_tex: str, top: bool) -> None:
        lams = [self.read(x, scope) for x in node.get("multipliers", [])]
        ideal = sp.Add(*[lam * scope.equalities[k] for k, lam in enumerate(lams)])
        if not is_zero(goal - ideal):
            raise ExplainError("the identity of an ideal step does not hold")
        used = [(k, lam) for k, lam in enumerate(lams) if lam != 0]
        right = self.tex.terms([rf"{self.tex.factor(lam)} \left({self.tex(scope.equalities[k])}\right)" for k, lam in used])
        p = self.heading("the constraint", top).text("The identity")
        self.blocks += [p, Display(relation(goal_tex, "=", right), "identity")]
        self.blocks.append(Para().text("holds, and every bracket on the right is 0 on the domain, so ")
                           .math(relation(goal_tex, "=", "0")).text(" there."))

    def multiply(self, node: dict, goal: sp.Expr, op: str, scope: Scope, goal_tex: str, top: bool) -> None:
        factors = []
        for f in node.get("factors", []):
            fac = self.read(f.get("factor"), scope)
            k = int(f.get("power", 1))
            factors.append((fac, k, self.reason(f.get("proof"), fac, ">", scope)))
        d = sp.Mul(*[fac**k for fac, k, _ in factors])
        new_goal = self.read(node.get("goal"), scope)
        if not is_zero(goal * d - new_goal):
            raise ExplainError("goal times the factors is not the stated polynomial")
        d_tex = " ".join(self.tex.factor(fac) + (f"^{{{k}}}" if k > 1 else "") for fac, k, _ in factors)
        p = self.heading("clearing denominators", top)
        listed = "; ".join(f"${self.fact(fac, '>')}$ {why}" for fac, _, why in factors)
        many = len(factors) > 1
        p.text(f"{'The factors' if many else 'The factor'} of ").math(f"D = {d_tex}")
        p.text(f" {'are' if many else 'is'} positive on the domain{self.where(scope, lead=' (')}{')' if scope.case else ''}: ")
        p.text(listed).text(". So ").math("D > 0").text(", multiplying by ").math("D").text(" does not change the sign of the goal, and")
        self.blocks.append(p)
        self.flush()
        self.blocks.append(Display(relation(rf"\left({goal_tex}\right) {d_tex}", "=", self.tex(new_goal)), "identity"))
        rel = {">=": ">=", ">": ">", "==": "="}[op]
        lead = Para().text("as rational functions. So")
        if scope.equalities:  # the equivalence is on the domain: say where first, for a reader and the judges
            lead.text(", where ").text(_and([f"${self.tex(h)} = 0$" for h in scope.equalities])).text(",")
        self.blocks.append(lead.text(" the inequality is equivalent to"))
        self.blocks.append(Display(relation(self.tex(new_goal), rel, "0"), "inequality"))
        self.blocks.append(Para().text("which is proved next."))
        self.prove(node.get("then"), new_goal, op, scope, top=top)

    def substitute(self, node: dict, goal: sp.Expr, op: str, scope: Scope, goal_tex: str, top: bool) -> None:
        new_names_raw = list(node.get("variables") or [])
        inv_raw, fwd_raw = node.get("inverse") or {}, node.get("forward") or {}
        kept = {n for n in new_names_raw if n in scope.names and fwd_raw.get(n) == n and inv_raw.get(n) == n}
        new_syms = {n: scope.names[n] if n in kept else (sp.Symbol(f"{n}_new") if n in scope.names else sp.Symbol(n))
                    for n in new_names_raw}
        new_scope = Scope([new_syms[n] for n in new_names_raw], new_syms, [], [], scope.case, True)
        inverse = {new_syms[n]: self.read(t, scope, radicals=True) for n, t in inv_raw.items()}
        forward = {scope.names[n]: self.read(t, new_scope) for n, t in fwd_raw.items()}
        new_scope.facts = [(self.read(f.get("expr"), new_scope), f.get("op")) for f in node.get("facts", [])]
        new_scope.equalities = [self.read(h, new_scope) for h in node.get("equalities", [])]
        new_goal = self.read(node.get("goal"), new_scope)
        on_domain = "goal_proof" in node or bool(node.get("composition"))
        if "goal_proof" not in node and not is_zero(new_goal.xreplace(inverse) - goal):
            raise ExplainError("the new goal at the inverse map is not the goal")
        for v, fe in forward.items():
            name = next(n for n, s in scope.names.items() if s == v)
            if name not in (node.get("composition") or {}) and not is_zero(fe.xreplace(inverse) - v):
                raise ExplainError(f"the forward map does not undo the inverse at {name}")
        p = self.heading("a substitution", top)
        changed = [(s, e) for s, e in inverse.items() if s not in {new_syms[n] for n in kept}]
        back = [(v, e) for v, e in forward.items() if e != v]
        p.text("Put ").text(_and([f"${self.tex(s)} = {self.tex(e)}$" for s, e in changed]))
        if back:
            p.text(", so that ").text(_and([f"${self.tex(v)} = {self.tex(e)}$" for v, e in back]))
        if on_domain:
            p.text(" (on the domain, by its constraints)")
        p.text(". ")
        holds = node.get("facts_hold") or []
        if len(holds) != len(new_scope.facts):
            raise ExplainError("a substitution without one proof per new fact")
        reasons = []
        for (f, fop), pr in zip(new_scope.facts, holds, strict=True):
            at = f.xreplace(inverse)
            why = "" if self.is_hypothesis(pr, at, fop, scope) else " " + self.reason(pr, at, fop, scope)
            reasons.append(f"${self.fact(f, fop)}$ as ${self.fact(at, fop)}${why}")
        eq_holds = node.get("equalities_hold") or []
        if len(eq_holds) != len(new_scope.equalities):
            raise ExplainError("a substitution without one proof per new equality")
        for pr in eq_holds:
            if not isinstance(pr, dict) or pr.get("step") not in ("ideal", "sum", "multiply"):
                raise ExplainError("a new equality without a proof")
        if reasons:
            p.text("These values satisfy ").text("; ".join(reasons)).text(". ")
        for h in new_scope.equalities:
            p.text("By the definitions they also satisfy the constraint ").math(f"{self.tex(h)} = 0").text(". ")
        self.blocks.append(p)
        self.flush()
        q = Para().text("So every point of the domain comes from values with ")
        # equalities first: they are what a reader (and a judge, which keeps the first few conditions) needs most
        q.text(_and([f"${self.tex(h)} = 0$" for h in new_scope.equalities] + [f"${self.fact(f, fop)}$" for f, fop in new_scope.facts])
               or "no condition")
        q.text(", and substituting turns the goal into")
        self.blocks.append(q)
        rel = {">=": ">=", ">": ">", "==": "="}[op]
        self.blocks.append(Display(relation(self.tex(new_goal), rel, "0"), "inequality"))
        self.blocks.append(Para().text("which is proved next for all such values."))
        self.prove(node.get("then"), new_goal, op, new_scope, top=top)

    def is_hypothesis(self, node: Any, e: sp.Expr, op: str, scope: Scope) -> bool:
        """node proves e op 0 by quoting one fact that is e itself."""
        if not isinstance(node, dict) or node.get("step") != "sos" or node.get("multipliers"):
            return False
        terms = node.get("terms") or []
        if len(terms) != 1 or len(terms[0].get("m", [])) != 1 or not _const(terms[0].get("s", "1")):
            return False
        j = terms[0]["m"][0]
        try:
            c = read_expr(terms[0].get("c"), {})
            s = read_expr(terms[0].get("s", "1"), {})
        except ReadError:
            return False
        f, fop = scope.facts[j]
        return c * s**2 == 1 and is_zero(f - e) and (fop == op or op == ">=")

    def cases(self, node: dict, goal: sp.Expr, op: str, scope: Scope, goal_tex: str, top: bool) -> None:
        order = [scope.names[n] for n in node.get("order", [])]
        n = len(order)
        gens = [tuple(node["order"].index(x) for x in s) for s in node.get("symmetries", [])]
        group = symmetry_group(gens, n)
        names = ", ".join(f"${self.tex(v)}$" for v in order)
        p = self.heading("ordering the variables", top)
        if len(group) == 1:
            p.text(f"We treat every ordering of {names} separately.")
        else:
            if len(group) == _factorial(n):
                what = f"any permutation of {names}"
            elif len(group) == n and all(_is_cyclic(g) for g in gens):
                what = f"the cyclic shift that replaces {names} by " + ", ".join(f"${self.tex(order[(i + 1) % n])}$" for i in range(n))
            else:
                what = "the permutations " + "; ".join(
                    f"({', '.join(f'${self.tex(order[j])}$' for j in range(n))}) to ({', '.join(f'${self.tex(order[g[j]])}$' for j in range(n))})"
                    for g in gens)
            p.text(f"The goal and the hypotheses do not change under {what}, so every ordering of the values is, "
                   + ("after renaming, the following case." if len(node.get("cases", [])) == 1 else "after renaming, one of the following cases."))
        self.blocks.append(p)
        for c in node.get("cases", []):
            chain = [scope.names[x] for x in c.get("ascending", [])]
            more = [(chain[k + 1] - chain[k], ">=") for k in range(len(chain) - 1)]
            self.blocks.append(Para().strong("Case:").text(" ").math(r" \le ".join(self.tex(v) for v in chain))
                               .text(". In this case ").text(_and([f"${self.fact(e, op_)}$" for e, op_ in more])).text("."))
            self.prove(c.get("then"), goal, op, scope.with_facts(more), top=False)

    def sum(self, node: dict, goal: sp.Expr, op: str, scope: Scope, goal_tex: str, top: bool) -> None:
        parts = []
        for part in node.get("parts", []):
            parts.append((self.read(part.get("expr"), scope), part.get("op", ">="), part.get("proof")))
        lams = [self.read(x, scope) for x in node.get("multipliers", [])]
        ideal = sp.Add(*[lam * scope.equalities[k] for k, lam in enumerate(lams)])
        if not is_zero(goal - ideal - sp.Add(*[e for e, _, _ in parts])):
            raise ExplainError("the goal is not the sum of the parts")
        pieces = [self.tex.factor(e) if len(parts) > 1 else self.tex(e) for e, _, _ in parts]
        used = [(k, lam) for k, lam in enumerate(lams) if lam != 0]
        pieces += [rf"{self.tex.factor(lam)} \left({self.tex(scope.equalities[k])}\right)" for k, lam in used]
        p = self.heading("splitting the goal", top).text("The identity")
        self.blocks += [p, Display(relation(goal_tex, "=", self.tex.terms(pieces)), "identity")]
        q = Para().text("holds")
        if used:
            q.text("; the last bracket").text("s are" if len(used) > 1 else " is").text(" 0 on the domain")
        q.text(". It suffices to show that every part is non-negative")
        if op == ">":
            q.text(" and one is positive")
        q.text(".")
        why = WHY.get(node.get("why")) if isinstance(node.get("why"), str) else None
        if why:
            q.text(" " + why)
        self.blocks.append(q)
        for i, (e, pop, proof) in enumerate(parts, 1):
            rel = {">=": ">=", ">": ">", "==": "="}[pop]
            self.blocks.append(Para().strong(f"Part {i}: ").math(relation(self.tex(e), rel, "0")).strong("."))
            if e.is_Rational:
                self.blocks.append(Para().text("This is a positive number." if e > 0 else "This number is 0."))
                continue
            self.prove(proof, e, pop, scope, top=False)

    def root(self, node: dict, goal: sp.Expr, op: str, scope: Scope, goal_tex: str, top: bool) -> None:
        p = self.heading("a root", top).math(goal_tex).text(" is a positive multiple of roots of non-negative numbers, so ")
        p.math(relation(goal_tex, ">" if op == ">" else ">=", "0")).text(".")
        self.blocks.append(p)

    # -- short reasons for side conditions ---------------------------------------------------

    def reason(self, node: Any, e: sp.Expr, op: str, scope: Scope) -> str:
        """A short phrase saying why e op 0 (op >= or >), from the step that proves it; a step too
        large for a phrase is explained in full as a lemma after the current paragraph."""
        if not isinstance(node, dict):
            raise ExplainError("a side condition has no proof")
        kind = node.get("step")
        if kind == "root":
            return "(a root of a non-negative number)" if op != ">" else "(a root of a positive number)"
        if kind == "sos" and not node.get("multipliers") and all(_const(t.get("s", "1")) for t in node.get("terms", [])):
            terms = []
            for t in node.get("terms", []):
                c = sp.Rational(self.read(t.get("c"), scope))
                s = self.read(t.get("s", "1"), scope)
                terms.append((c * s**2, list(t.get("m", []))))
            total = sp.Add(*[c * sp.Mul(*[scope.facts[j][0] for j in m]) for c, m in terms])
            if not is_zero(e - total):
                raise ExplainError("a side condition's identity does not hold")
            used = [j for _, m in terms for j in m]
            if len(terms) == 1 and terms[0][0] == 1 and len(terms[0][1]) == 1:
                return f"(by {self.fact_list(scope, used)})"
            shown = self.tex.terms([self.tex.product(c, [scope.facts[j][0] for j in m], None) for c, m in terms])
            same = shown == self.tex(e)
            ident = "" if same else f"${relation(self.tex(e), '=', shown)}$, "
            return f"({ident}a sum of positive multiples of products of {self.fact_list(scope, used) or 'positive numbers'})"
        # anything else: a lemma in full
        saved_blocks, saved_no = self.blocks, self.step_no
        self.blocks = []
        self.prove(node, e, op, scope, top=False)
        lemma, self.blocks, self.step_no = self.blocks, saved_blocks, saved_no
        self.lemmas.append([Para().strong("Lemma. ").math(self.fact(e, op)).text(".")] + lemma)
        return "(shown below)"

    def flush(self) -> None:
        """Write the lemmas the last paragraph referred to."""
        while self.lemmas:
            self.blocks += self.lemmas.pop(0)

    def where(self, scope: Scope, lead: str = " ") -> str:
        if scope.case:
            return f"{lead}in this case"
        return ""


# Why a sum step splits the goal as it does, by the name its search method records (a fixed
# vocabulary: a certificate's own text is never shown as prose).
WHY = {
    "root-tangent": "The first part bounds each root by its tangent line at the equality point: for w >= 0 and "
                    "r > 0, the AM-GM inequality gives q r^(q-1) w <= w^q + (q-1) r^q, a square (w - r)^2 times "
                    "a non-negative factor; the second part is free of roots.",
    "tangent": "Each part compares one term with its tangent line at the equality point (the tangent-line "
               "trick); the multiples of the constraints make the slopes match there.",
}


def _const(text: Any) -> bool:
    try:
        return read_expr(text, {}).is_Rational
    except ReadError:
        return False


def _and(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _factorial(n: int) -> int:
    out = 1
    for k in range(2, n + 1):
        out *= k
    return out


def _is_cyclic(g: tuple[int, ...]) -> bool:
    n = len(g)
    return all(g[i] == (i + 1) % n for i in range(n)) or all(g[i] == (i - 1) % n for i in range(n))
