"""A certificate as a proof document a person can read: claim, proof steps, equality, optimality.

Everything said comes from the certificate: the claim from its claim, the steps from its proof
tree (steps.py), the equality case from points where the goal is exactly 0, the optimality of a
constant from its witness point or family, "none of the above" from its two points, a refutation
from its counterexample. Values at points are computed exactly and re-checked before they are
written. The certificate must already be valid (verifiers/certificates/check.py); `explain`
does not replace the checker, it says in words what the checker verified.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from qed.verifiers.certificates.check import ReadError, read_expr
from qed.verifiers.certificates.claim import LETTER_RELATION, Claim, ClaimError, read_claim
from qed.verifiers.certificates.witness import symmetric_points
from qed.verifiers.proofs.doc import Display, Heading, Para, ProofDoc
from qed.verifiers.proofs.latex import NameBook, TexPrinter, at_point, relation
from qed.verifiers.proofs.steps import Explainer, ExplainError, Scope


def exact_zero(value: sp.Expr) -> bool:
    """A closed real value is exactly 0 (rationals and radicals: by its minimal polynomial)."""
    value = sp.sympify(value, strict=True)
    if value.free_symbols:
        return False
    if value.is_Rational:
        return value == 0
    x = sp.Dummy("x")
    try:
        return sp.Poly(sp.minimal_polynomial(value, x), x).as_expr() == x
    except (NotImplementedError, ValueError, sp.PolynomialError):
        return False


def exact_sign(value: sp.Expr) -> int | None:
    if exact_zero(value):
        return 0
    try:
        num = sp.sympify(value, strict=True).evalf(50, strict=True)
    except Exception:  # noqa: BLE001 - sympy's precision errors have several types
        return None
    if not num.is_real or num == 0:
        return None
    return 1 if num > 0 else -1


def simplest(value: sp.Expr) -> sp.Expr:
    """A short exact form of a closed value (verified equal)."""
    for form in (sp.nsimplify(value, rational=False), sp.radsimp(value), sp.simplify(value)):
        try:
            if not form.free_symbols and exact_zero(form - value):
                return form
        except (TypeError, ValueError):
            continue
    return value


class Document:
    """Builds the ProofDoc for one valid certificate."""

    def __init__(self, cert: dict, title: str | None = None, answer_kind: str | None = None) -> None:
        self.answer_kind = answer_kind  # "bound" / "relation": end with the answer in IneqMath's form
        try:
            self.claim: Claim = read_claim(cert["claim"])
        except (ClaimError, KeyError, TypeError) as e:
            raise ExplainError(f"the claim does not read: {e}") from None
        self.cert = cert
        self.book = NameBook()
        for v in self.claim.variables:
            self.book.add(v)
        if self.claim.constant is not None:
            self.book.add(self.claim.constant)
        self.tex = TexPrinter(self.book)
        self.doc = ProofDoc(title or ("Refutation" if cert.get("verdict") == "fails" else "Proof"))
        self.ex = Explainer(self.tex)

    # -- pieces -------------------------------------------------------------------------

    def at_value(self, e: sp.Expr) -> sp.Expr:
        c = self.claim
        return e.xreplace({c.constant: c.value}) if c.constant is not None else e

    def domain_words(self) -> Para:
        c = self.claim
        names = ", ".join(self.tex(v) for v in c.variables)
        p = Para().text("Let ").math(names).text(f" be real number{'s' if len(c.variables) > 1 else ''}")
        conds = [f"${self.ex.fact(f, op)}$" for f, op in c.facts] + [f"${self.ex.fact(h, '=')}$" for h in c.equalities]
        if conds:
            p.text(" with ").text(", ".join(conds[:-1]) + (" and " if len(conds) > 1 else "") + conds[-1])
        return p.text(".")

    def point_words(self, pt: dict[sp.Symbol, sp.Expr]) -> str:
        return ", ".join(f"${self.tex(v)} = {self.tex(pt[v])}$" for v in self.claim.variables)

    def read_point(self, raw: Any) -> dict[sp.Symbol, sp.Expr]:
        if not isinstance(raw, dict):
            raise ExplainError("a point is not an object")
        try:
            return {v: read_expr(raw[str(v)], {}, radicals=True) for v in self.claim.variables}
        except (ReadError, KeyError) as e:
            raise ExplainError(f"a point does not read: {e}") from None

    def in_domain(self, pt: dict[sp.Symbol, sp.Expr]) -> bool:
        for f, op in self.claim.facts:
            s = exact_sign(f.xreplace(pt))
            if s is None or (op == ">" and s <= 0) or (op == ">=" and s < 0) or (op == "!=" and s == 0):
                return False
        return all(exact_zero(h.xreplace(pt)) for h in self.claim.equalities)

    def side_values(self, pt: dict[sp.Symbol, sp.Expr]) -> tuple[sp.Expr, sp.Expr]:
        lhs, rhs = self.at_value(self.claim.lhs), self.at_value(self.claim.rhs)
        return simplest(lhs.xreplace(pt)), simplest(rhs.xreplace(pt))

    def value_display(self, side: sp.Expr, pt: dict[sp.Symbol, sp.Expr], value: sp.Expr) -> str:
        if not exact_zero(side.xreplace(pt) - value):
            raise ExplainError("a value at a point does not verify")
        return relation(at_point(self.tex, side, pt), "=", self.tex(value))

    # -- sections -----------------------------------------------------------------------

    def build(self) -> ProofDoc:
        c, cert = self.claim, self.cert
        self.doc.add(Heading(2, "Claim"), self.domain_words())
        verdict = cert.get("verdict")
        lhs_tex, rhs_tex = self.tex(self.at_value(c.lhs)), self.tex(self.at_value(c.rhs))
        if verdict == "fails":
            self.doc.add(Para().text("The claim ").math(relation(self.tex(c.lhs), c.relation, self.tex(c.rhs)) if c.relation != "none" else "")
                         .text(" is false: it fails at a point of the domain."))
            self.counterexample()
        elif c.relation == "none":
            self.doc.add(Para().text("Neither ").math(self.tex(c.lhs)).text(" is always at most ").math(self.tex(c.rhs))
                         .text(" nor always at least it: the answer is none of the relations."))
            self.none_points()
        else:
            self.doc.add(Para().text("Then"), Display(relation(lhs_tex, c.relation, rhs_tex), "claim"))
            if c.constant is not None:
                word = "largest" if c.extreme == "largest" else "smallest"
                self.doc.add(Para().text("and ").math(f"{self.tex(c.constant)} = {self.tex(c.value)}")
                             .text(f" is the {word} constant for which the inequality holds for all such values."))
            self.proof(lhs_tex, rhs_tex)
            if c.constant is not None:
                self.optimality()
            elif c.relation in (">=", "<="):
                self.equality()
        if self.answer_kind is not None:
            self.answer_line()
        self.doc.add(Heading(2, "Certificate"))
        method = cert.get("method") or "—"
        self.doc.add(Para().text("Method: ").code(str(method)).text(". Every step above is recorded in ")
                     .code("certificate.json").text("; ").code("qed check certificate.json")
                     .text(" re-verifies it exactly from that file alone (sympy, no numerics)."))
        return self.doc

    def answer_line(self) -> None:
        """`The answer is $C = …$.` / `The answer is (B).`, from the claim, for the final-answer judge."""
        c = self.claim
        if self.answer_kind == "bound" and c.constant is not None:
            self.doc.add(Para().strong("Answer.").text(" The answer is ").math(f"{self.tex(c.constant)} = {self.tex(c.value)}").text("."))
        elif self.answer_kind == "relation" and self.cert.get("verdict") == "holds":
            letter = {rel: k for k, rel in LETTER_RELATION.items()}.get(c.relation)
            if letter:
                self.doc.add(Para().strong("Answer.").text(f" The answer is ({letter})."))

    def proof(self, lhs_tex: str, rhs_tex: str) -> None:
        c = self.claim
        flip = c.relation in ("<=", "<")
        a, b = (rhs_tex, lhs_tex) if flip else (lhs_tex, rhs_tex)
        b_side = self.at_value(c.lhs if flip else c.rhs)
        if b_side == 0:
            goal_tex = a
        else:
            b_wrapped = rf"\left({b}\right)" if isinstance(b_side, sp.Add) or b.startswith("-") else b
            goal_tex = f"{a} - {b_wrapped}"
        op = c.op
        self.doc.add(Heading(2, "Proof"))
        want = {">=": r"\ge 0", ">": "> 0", "==": "= 0"}[op]
        self.doc.add(Para().text("We show ").math(f"{goal_tex} {want}").text(" on the whole domain."))
        scope = Scope(list(c.variables), {str(v): v for v in c.variables}, list(c.facts), list(c.equalities))
        self.ex.prove(self.cert.get("proof"), c.goal, op, scope, goal_tex, top=True)
        self.doc.add(*self.ex.blocks)
        self.ex.blocks = []
        rel = c.relation
        self.doc.add(Para().text("Hence ").math(relation(lhs_tex, rel, rhs_tex)).text(" for all such values."))

    def equality(self) -> None:
        c = self.claim
        candidates = []
        if "domain_point" in self.cert:
            candidates.append(self.read_point(self.cert["domain_point"]))
        candidates += symmetric_points(c)
        for pt in candidates:
            if not self.in_domain(pt) or not exact_zero(c.goal.xreplace(pt)):
                continue
            lv, rv = self.side_values(pt)
            self.doc.add(Heading(2, "Equality"))
            p = Para().text("Equality holds when ").text(self.point_words(pt)).text(", a point of the domain: there both sides equal ")
            p.math(self.tex(lv)).text(",")
            chain = f"{at_point(self.tex, self.at_value(c.lhs), pt)} = {self.tex(lv)} = {at_point(self.tex, self.at_value(c.rhs), pt)}"
            self.doc.add(p, Display(chain, "value"), Para().text("so the inequality cannot be improved at this point."))
            return

    def optimality(self) -> None:
        c = self.claim
        opt = self.cert.get("optimality") or {}
        word = "larger" if c.extreme == "largest" else "smaller"
        self.doc.add(Heading(2, f"No {word} constant works"))
        if "point" in opt:
            pt = self.read_point(opt["point"])
            if not self.in_domain(pt):
                raise ExplainError("the optimality point is not in the domain")
            lv, rv = self.side_values(pt)
            if not exact_zero(lv - rv):
                raise ExplainError("the two sides differ at the optimality point")
            p = Para().text("Take ").text(self.point_words(pt)).text(", which satisfies the hypotheses. There both sides are equal at ")
            p.math(f"{self.tex(c.constant)} = {self.tex(c.value)}").text(":")
            self.doc.add(p, Display(relation(at_point(self.tex, self.at_value(c.lhs), pt), "=", self.tex(lv)), "value"),
                         Display(relation(at_point(self.tex, self.at_value(c.rhs), pt), "=", self.tex(rv)), "value"))
            slope = self.slope(pt)
            self.doc.add(Para().text(f"At this point the difference of the two sides is {'decreasing' if slope < 0 else 'increasing'} in ")
                         .math(self.tex(c.constant)).text(f", so for every {word} ").math(self.tex(c.constant))
                         .text(" the inequality fails there."))
            return
        fam = opt.get("family")
        if not isinstance(fam, dict):
            raise ExplainError("optimality has neither a point nor a family")
        t = sp.Symbol(str(fam.get("parameter")))
        self.book.add(t)
        try:
            pt = {v: read_expr(fam["point"][str(v)], {str(t): t}) for v in c.variables}
            lo = None if fam["interval"][0] == "-oo" else read_expr(fam["interval"][0], {})
            hi = None if fam["interval"][1] == "oo" else read_expr(fam["interval"][1], {})
        except (ReadError, KeyError, TypeError, IndexError) as e:
            raise ExplainError(f"the family does not read: {e}") from None
        end = lo if fam.get("limit") == "lo" else hi
        goal = (c.lhs - c.rhs) if c.relation in (">=", ">") else (c.rhs - c.lhs)
        g = sp.cancel(sp.together(goal.xreplace(pt)))
        num, den = sp.fraction(g)
        pn = sp.Poly(num, c.constant)
        if pn.degree() != 1:
            raise ExplainError("the goal on the family is not affine in the constant")
        beta, alpha = pn.all_coeffs()
        c_t = sp.cancel(-alpha / beta)
        side = "+" if fam.get("limit") == "lo" else "-"
        lim = sp.limit(c_t, t, end if end is not None else (sp.oo if fam.get("limit") == "hi" else -sp.oo), side if end is not None else "+")
        if not exact_zero(lim - c.value):
            raise ExplainError("the family's limit is not the constant")
        lo_tex = self.tex(lo) if lo is not None else r"-\infty"
        hi_tex = self.tex(hi) if hi is not None else r"\infty"
        interval = f"{lo_tex} < {self.tex(t)} < {hi_tex}"
        p = Para().text("For ").math(interval).text(" take ").text(self.point_words(pt))
        p.text(", which satisfy the hypotheses. There the two sides are equal exactly when ")
        p.math(f"{self.tex(c.constant)} = {self.tex(c_t)}").text(", and as ").math(self.tex(t))
        p.text(" tends to ").math(self.tex(end) if end is not None else r"\infty").text(" this value tends to ")
        p.math(self.tex(c.value)).text(f". So every {word} ").math(self.tex(c.constant))
        p.text(" fails for ").math(self.tex(t)).text(" close enough to that end.")
        self.doc.add(p)

    def slope(self, pt: dict[sp.Symbol, sp.Expr]) -> int:
        c = self.claim
        goal = (c.lhs - c.rhs) if c.relation in (">=", ">") else (c.rhs - c.lhs)
        beta = sp.diff(sp.expand(goal.xreplace(pt)), c.constant)
        s = exact_sign(beta)
        if s is None or s == 0:
            raise ExplainError("the goal does not depend on the constant at the point")
        return s

    def none_points(self) -> None:
        pts = self.cert.get("points") or {}
        self.doc.add(Heading(2, "Proof"))
        for key, rel in (("above", ">"), ("below", "<")):
            pt = self.read_point(pts.get(key))
            if not self.in_domain(pt):
                raise ExplainError("a point is not in the domain")
            lv, rv = self.side_values(pt)
            if exact_sign(lv - rv) != (1 if rel == ">" else -1):
                raise ExplainError("a point does not have the stated sign")
            self.doc.add(Para().text("At ").text(self.point_words(pt)).text(", which satisfies the hypotheses,"),
                         Display(relation(at_point(self.tex, self.claim.lhs, pt), "=", self.tex(lv)), "value"),
                         Display(relation(at_point(self.tex, self.claim.rhs, pt), "=", self.tex(rv)), "value"),
                         Para().text("and ").math(relation(self.tex(lv), rel, self.tex(rv))).text("."))
        self.doc.add(Para().text("So the left side is sometimes larger and sometimes smaller than the right side."))

    def counterexample(self) -> None:
        c = self.claim
        pt = self.read_point(self.cert.get("counterexample"))
        if not self.in_domain(pt):
            raise ExplainError("the counterexample is not in the domain")
        lv, rv = self.side_values(pt)
        s = exact_sign(lv - rv)
        holds = {">=": s is not None and s >= 0, ">": s == 1, "<=": s is not None and s <= 0, "<": s == -1, "=": s == 0}[c.relation]
        if s is None or holds:
            raise ExplainError("the counterexample does not refute the claim")
        actual = {1: ">", -1: "<", 0: "="}[s]
        self.doc.add(Heading(2, "Counterexample"),
                     Para().text("Take ").text(self.point_words(pt)).text(", which satisfies the hypotheses. There"),
                     Display(relation(at_point(self.tex, self.at_value(c.lhs), pt), "=", self.tex(lv)), "value"),
                     Display(relation(at_point(self.tex, self.at_value(c.rhs), pt), "=", self.tex(rv)), "value"),
                     Para().text("and ").math(relation(self.tex(lv), actual, self.tex(rv))).text(", so the claim fails at this point."))


def explain(cert: dict, title: str | None = None, answer_kind: str | None = None) -> ProofDoc:
    """The proof document of a valid certificate; ExplainError when a step cannot be explained.
    answer_kind "bound" or "relation" ends it with the problem's answer line."""
    try:
        return Document(cert, title, answer_kind).build()
    except ExplainError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, sp.PolynomialError) as e:
        raise ExplainError(f"{type(e).__name__}: {str(e)[:200]}") from None


__all__ = ["ExplainError", "explain", "exact_zero"]
