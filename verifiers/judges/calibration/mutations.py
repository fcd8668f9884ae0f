"""Plant one flaw of a given type in a reference solution, deterministically and honestly.

- wrong_number: change a number inside a computation the checker verified true; kept only if
  the changed relation is then demonstrably false (exactly for closed relations, by a
  counterexample in the problem's own domain and conditions otherwise).
- flipped_sign: turn a verified inequality around; kept only if the flipped one is false.
- decimal: replace an exact value that has no short decimal expansion (1/3, sqrt 2) by its
  3-place rounding, so an exact claim now rests on an approximation.
- toy_case: replace the argument by checks of a few special cases, then claim the general result.
- missing_justification: delete the step (or displayed derivation) that justifies a claim the
  proof goes on to use.
- equality_value: change a value of a stated equality case (`equality holds iff a = b = c = 1`) so the
  problem's inequality is no longer tight there (checked exactly, with the known answer for a
  constant C), or the point leaves the problem's condition: a wrong value at the equality point.
- non_instance: take an inequality credited to AM-GM, Cauchy-Schwarz or Schur that is an instance of
  it, and reverse its direction, change the constant of its smaller side (AM-GM's weights) or a letter
  of its smaller side (Cauchy-Schwarz's pairing); kept only if the result is false in the problem's
  own setting (a counterexample), so no instance of the theorem can give it.
Every mutation records what was changed, where, and the evidence that it is a flaw.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp
from qed.verifiers.judges.assumptions import Assumptions, read_assumptions
from qed.verifiers.judges.calibration.defaults import FLAW_TYPES
from qed.verifiers.judges.calibration.references import Reference
from qed.verifiers.judges.extract import find_math, relations_in, split_steps
from qed.verifiers.judges.numeric_computation import (
    CheckedRelation,
    check_relations,
    context_builder,
)
from qed.verifiers.judges.reading import INEQUALITIES, blank_relation, parse_all, readable
from qed.verifiers.judges.relcheck import (
    ParsedRelation,
    check_closed,
    closed_value,
    parse_relation,
)
from qed.verifiers.judges.sampling import INTEGER_NAMES, NUMERIC_ERRORS, Context, sample
from qed.verifiers.judges.stated_points import EQUALITY_CASE, sentence_points
from qed.verifiers.latex import LatexError, read_formula

_FLIP = {r"\geqslant": r"\leqslant", r"\leqslant": r"\geqslant", r"\geq": r"\leq", r"\leq": r"\geq",
         r"\ge": r"\le", r"\le": r"\ge", r"\gt": r"\lt", r"\lt": r"\gt", "≥": "≤", "≤": "≥", ">=": "<=",
         "<=": ">=", ">": "<", "<": ">"}
_JUSTIFY = re.compile(r"\b(by|since|because|using|applying|apply|from|thanks to|follows|hence|thus|"
                      r"am-gm|cauchy|jensen|schur|chebyshev|holder|h\u00f6lder|muirhead|lemma|inequality)\b", re.I)


@dataclass
class Mutation:
    ref_id: str
    flaw: str
    text: str
    description: str
    before: str = ""
    after: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)


def _rng(*parts: str) -> np.random.Generator:
    seed = int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest()[:8], "little")
    return np.random.default_rng(seed)


class Mutator:
    """Mutations of one reference; the reference's relations are checked once and shared."""

    def __init__(self, ref: Reference):
        self.ref = ref
        self.text = ref.text
        self.assumptions: Assumptions = read_assumptions(ref.problem.statement)
        self._checked: list[CheckedRelation] | None = None
        self._builder = None

    @property
    def checked(self) -> list[CheckedRelation]:
        if self._checked is None:
            self._checked = check_relations(self.text, self.assumptions, self.ref.problem.statement)
        return self._checked

    def mutate(self, flaw: str) -> Mutation | None:
        if flaw not in FLAW_TYPES:
            raise ValueError(f"unknown flaw type {flaw!r}; choose from {', '.join(FLAW_TYPES)}")
        return getattr(self, f"_{flaw}")()

    # --- computation flaws, validated by computation ------------------------------------------

    def _verified(self, ops: tuple[str, ...]) -> list[CheckedRelation]:
        out = [c for c in self.checked if c.result.status == "true" and c.parsed is not None and c.parsed.op in ops]
        order = _rng(self.ref.id, "order", ",".join(ops)).permutation(len(out))
        return [out[i] for i in order]

    def _wrong_number(self) -> Mutation | None:
        for c in self._verified(("=", "<", ">", "<=", ">=")):
            tokens = [t for t in (*c.relation.lhs, *c.relation.rhs) if t.kind == "num"]
            order = _rng(self.ref.id, "number", str(c.relation.start)).permutation(len(tokens))
            for k in order:
                tok = tokens[int(k)]
                if self.text[tok.start : tok.end] != tok.text:
                    continue
                for new in _changed_numbers(tok.text):
                    text = self.text[: tok.start] + new + self.text[tok.end :]
                    verdict = self._is_false_after(text, c, tok.start, len(new) - len(tok.text))
                    if verdict is not None:
                        return Mutation(
                            self.ref.id, "wrong_number", text,
                            f"changed {tok.text} to {new} in `{c.relation.quote(self.text)[:160]}`",
                            tok.text, new, {"original": c.result.reason, "mutated": verdict, "offset": tok.start},
                        )
        return None

    def _flipped_sign(self) -> Mutation | None:
        for c in self._verified(("<", ">", "<=", ">=")):
            gap_start, gap_end = c.relation.lhs[-1].end, c.relation.rhs[0].start
            gap = self.text[gap_start:gap_end]
            m = re.search(r"\\geqslant|\\leqslant|\\geq|\\leq|\\ge(?![a-z])|\\le(?![a-z])|\\gt|\\lt|≥|≤|>=|<=|>|<", gap)
            if not m:
                continue
            new = _FLIP[m.group(0)]
            at = gap_start + m.start()
            text = self.text[:at] + new + self.text[at + len(m.group(0)) :]
            verdict = self._is_false_after(text, c, at, len(new) - len(m.group(0)))
            if verdict is not None:
                return Mutation(self.ref.id, "flipped_sign", text,
                                f"flipped {m.group(0)} to {new} in `{c.relation.quote(self.text)[:160]}`",
                                m.group(0), new, {"original": c.result.reason, "mutated": verdict, "offset": at})
        return None

    def _is_false_after(self, text: str, original: CheckedRelation, at: int, shift: int) -> str | None:
        """Re-read the changed relation in the new text; its refutation, or None if it is not false.

        A relation with variables is refuted in the domain where the original was verified.
        """
        domain = original.result.evidence.get("domain")
        index = next(k for k, c in enumerate(self.checked) if c is original)
        original = original.relation
        start = original.start
        end = original.end + shift
        for r in relations_in(text, find_math(text)):
            if r.start == start and r.end == end and r.link == original.link:
                try:
                    p = parse_relation(r.lhs, r.op, r.rhs)
                except (LatexError, ValueError):
                    return None
                if not p.free:
                    return refute(p, self.assumptions, domain)
                # false where the proof says it holds: within everything the text states up to it
                if self._builder is None:
                    self._builder = context_builder(self.text, self.assumptions, self.ref.problem.statement)
                setting = self._builder.stated(index, domain or self.assumptions.domains_to_try()[0])
                return refute(p, self.assumptions, domain, setting)
        return None

    def _decimal(self) -> Mutation | None:
        candidates = []
        for r in relations_in(self.text, find_math(self.text)):
            spans = [(side[0].start, side[-1].end) for side in (r.rhs, r.lhs)]
            spans += _closed_terms(self.text, r.start, r.end)
            for span in spans:
                src = self.text[span[0] : span[1]]
                try:
                    value = read_formula(src).expr
                except (LatexError, ValueError):
                    continue
                if value.free_symbols or not value.is_number or "." in src:
                    continue
                approx = _rounded(value)
                if approx is None:
                    continue
                candidates.append((span, src, approx, value))
        if not candidates:
            return None
        pick = candidates[int(_rng(self.ref.id, "decimal").integers(0, len(candidates)))]
        (a, b), src, approx, value = pick
        text = self.text[:a] + approx + self.text[b:]
        return Mutation(self.ref.id, "decimal", text, f"replaced the exact value {src} by the decimal {approx}",
                        src, approx, {"exact": str(value), "difference": f"{float(abs(sp.Rational(approx) - value)):.2e}"})

    # --- argument flaws, planted by rewriting ---------------------------------------------------

    def _toy_case(self) -> Mutation | None:
        steps = split_steps(self.text)
        if len(steps) < 2:
            return None
        rng = _rng(self.ref.id, "toy")
        cases = self._special_cases(int(rng.integers(0, len(_CASE_FORMS))))
        keep_last = steps[-1].text
        opening, closing = _TOY_FRAMES[int(rng.integers(0, len(_TOY_FRAMES)))]
        body = f"{opening} {' '.join(cases)} {closing}"
        text = body + "\n\n" + keep_last
        return Mutation(self.ref.id, "toy_case", text,
                        f"replaced {len(steps) - 1} step(s) of argument by {len(cases)} special case check(s)",
                        self.text[: steps[-1].start][:200], body[:200], {"cases": cases})

    def _special_cases(self, form: int = 0) -> list[str]:
        """Sentences checking the problem at a few admissible points, with computed values if possible."""
        claim = _main_claim(self.ref.problem.statement)
        names = sorted(self.assumptions.declared) or _letters(self.ref.problem.statement)
        if claim is None:
            vars_ = names[:4] or ["n"]
            return [f"For ${' = '.join(vars_)} = 1$ the statement can be verified directly, and it also holds "
                    f"for ${vars_[0]} = 2$" + (" with the others equal to $1$" if len(vars_) > 1 else "") + "."]
        lhs, rhs = claim
        syms = sorted(lhs.free_symbols | rhs.free_symbols, key=lambda s: s.name)
        domain = self.assumptions.domain or "positive"
        ctx = Context(domain, tuple(sorted((k, lo, hi) for k, (lo, hi) in self.assumptions.bounds.items())),
                      tuple(self.assumptions.equalities), (), tuple(self.assumptions.filters), "toy",
                      frozenset(s.name for s in syms if s.name in INTEGER_NAMES))
        points = sample(ctx, syms, n=3).points
        out = []
        for pt in points[:3]:
            try:
                lv = float(lhs.subs(pt))
                rv = float(rhs.subs(pt))
            except NUMERIC_ERRORS:
                continue
            if not (math.isfinite(lv) and math.isfinite(rv)):
                continue
            where = ", ".join(f"{s.name} = {pt[s]:.3g}" for s in syms if s in pt)
            out.append(_CASE_FORMS[form].format(where=where, lv=f"{lv:.4g}", rv=f"{rv:.4g}"))
        return out or [f"For ${' = '.join(s.name for s in syms)} = 1$ both sides can be compared directly."]

    def _missing_justification(self) -> Mutation | None:
        steps = split_steps(self.text)
        segments = find_math(self.text, steps)
        rel_count = {s.index: 0 for s in steps}
        for r in relations_in(self.text, segments):
            rel_count[r.step] = rel_count.get(r.step, 0) + 1
        if len(steps) >= 3:
            middle = [s for s in steps[:-1] if rel_count.get(s.index, 0) > 0 and _JUSTIFY.search(s.text)]
            middle = middle or [s for s in steps[:-1] if rel_count.get(s.index, 0) > 0]
            if middle and len(middle) < len(steps):
                best = max(rel_count.get(s.index, 0) for s in middle)
                pool = [s for s in middle if rel_count.get(s.index, 0) == best]
                s = pool[int(_rng(self.ref.id, "gap").integers(0, len(pool)))]
                text = (self.text[: s.start] + self.text[s.end :]).strip()
                return Mutation(self.ref.id, "missing_justification", text,
                                f"deleted step {s.index + 1} ({rel_count[s.index]} relation(s)), which justified what follows",
                                s.text[:300], "", {"deleted_chars": len(s.text)})
        displays = [g for g in segments if g.display]
        if len(displays) >= 2:
            g = max(displays[:-1], key=lambda d: len(d.content))
            a, b = g.outer
            lead = max(self.text.rfind(".", 0, a), self.text.rfind("\n\n", 0, a)) + 1
            text = (self.text[:lead] + self.text[b:]).strip()
            return Mutation(self.ref.id, "missing_justification", text,
                            "deleted a displayed derivation and the sentence introducing it",
                            self.text[lead:b][:300], "", {"deleted_chars": b - lead})
        return None


    # --- equality cases and theorem instances ----------------------------------------------------

    def _equality_value(self) -> Mutation | None:
        """Change one value of a stated equality case so the problem's inequality is not tight there."""
        claim = _claim_with_answer(self.ref.problem)
        segments = find_math(self.text)
        rels = relations_in(self.text, segments)
        parsed = parse_all(rels)
        points = sentence_points(rels, parsed)
        candidates = []
        for _sentence, pts in sorted(points.items()):
            last, point = pts[-1]
            if not point.values or not EQUALITY_CASE.search(rels[last].segment.sentence_text):
                continue
            tokens = [t for j in point.members for t in rels[j].rhs + rels[j].lhs if t.kind == "num"]
            candidates += [(point, t) for t in tokens if self.text[t.start:t.end] == t.text]
        order = _rng(self.ref.id, "equality").permutation(len(candidates))
        for k in order:
            point, tok = candidates[int(k)]
            for new in _changed_numbers(tok.text):
                text = self.text[: tok.start] + new + self.text[tok.end :]
                moved = _point_after(text, tok.start, point)
                if moved is None:
                    continue
                why = _not_an_equality_case(moved, claim, self.assumptions)
                if why:
                    return Mutation(self.ref.id, "equality_value", text,
                                    f"changed {tok.text} to {new} in the stated equality case ({point.text()})",
                                    tok.text, new, {"point": {str(k): str(v) for k, v in moved.items()}, "why": why,
                                                    "offset": tok.start})
        return None

    def _non_instance(self) -> Mutation | None:
        """Reverse, reweight or re-pair an inequality credited to a theorem, keeping only false results."""
        from qed.verifiers.judges.theorem_forms import Numeric, find_instance
        from qed.verifiers.judges.theorem_use import citations

        segments = find_math(self.text)
        rels = relations_in(self.text, segments)
        found = []
        for c in citations(self.text, rels):
            for i in c.relations:
                r = rels[i]
                try:
                    p = parse_relation(r.lhs, r.op, r.rhs)
                except (LatexError, ValueError):
                    continue
                if p.free and find_instance(c.theorem, p, Numeric(self.assumptions, p)).status == "instance":
                    found.append((c.theorem, i, p))
        order = _rng(self.ref.id, "instance").permutation(len(found))
        for k in order:
            theorem, i, p = found[int(k)]
            r = rels[i]
            kinds = ["reversed", "constant", "pairing"]
            start = int(_rng(self.ref.id, "instance-kind", str(i)).integers(0, len(kinds)))
            for kind in kinds[start:] + kinds[:start]:
                for text, before, after in _instance_edits(self.text, r, p, kind):
                    evidence = self._false_in_setting(text, r.start)
                    if evidence is None:
                        continue
                    if kind == "pairing" and theorem != "Cauchy-Schwarz":
                        kind = "terms"
                    return Mutation(self.ref.id, "non_instance", text,
                                    f"{kind}: `{before}` became `{after}` in the {theorem} step "
                                    f"`{r.quote(self.text)[:120]}`", before, after,
                                    {"theorem": theorem, "kind": kind, "mutated": evidence, "offset": r.start})
        return None

    def _false_in_setting(self, text: str, start: int) -> str | None:
        """The counterexample to the relation starting at `start` in the changed text, in the problem's setting."""
        for r in relations_in(text, find_math(text)):
            if r.start != start:
                continue
            try:
                p = parse_relation(r.lhs, r.op, r.rhs)
            except (LatexError, ValueError):
                return None
            return refute(p, self.assumptions)
        return None


_TOY_FRAMES = (
    ("We verify the claim on several admissible values.", "Since the claim holds in all of these cases, it holds in general."),
    ("Let us test a few cases.", "The pattern is clear, so the inequality is true for all admissible values."),
    ("Checking some typical values:", "Hence the statement holds for every choice of the variables."),
    ("It suffices to look at examples.", "In each case the inequality is satisfied; therefore it always holds."),
    ("Consider some concrete values first.", "Thus the inequality is proved."),
)
_CASE_FORMS = (
    "For ${where}$ the left side is ${lv}$ and the right side is ${rv}$.",
    "Taking ${where}$ gives ${lv}$ on the left against ${rv}$ on the right.",
    "At ${where}$ we get $L = {lv}$ and $R = {rv}$.",
    "If ${where}$, the two sides are ${lv}$ and ${rv}$.",
)


def _point_after(text: str, at: int, before) -> dict[sp.Symbol, sp.Expr] | None:  # noqa: ANN001
    """The equality-case point of the changed text that holds offset `at` (re-read from the text)."""
    rels = relations_in(text, find_math(text))
    parsed = parse_all(rels)
    for _sentence, pts in sentence_points(rels, parsed).items():
        _last, point = pts[-1]
        if (any(rels[j].start <= at <= rels[j].end for j in point.members) and point.values
                and set(point.values) == set(before.values)):
            return point.values
    return None


def _claim_with_answer(problem) -> tuple[sp.Expr, sp.Expr] | None:  # noqa: ANN001
    """The problem's two sides, with a bound problem's constant C set to its known answer."""
    claim = _main_claim(problem.statement)
    answer = _answer_value(problem.answer)
    for _r, p in readable(relations_in(problem.statement), INEQUALITIES):
        c = next((s for s in p.free if s.name == "C"), None)
        if c is not None:
            if answer is None:
                return None
            return p.lhs.expr.xreplace({c: answer}), p.rhs.expr.xreplace({c: answer})
    return claim


def _answer_value(answer: str | None) -> sp.Expr | None:
    if not answer:
        return None
    m = re.search(r"=\s*(.+?)\s*\$", answer) or re.search(r"\$+\s*(.+?)\s*\$+", answer)
    src = m.group(1) if m else answer
    src = src.split("=")[-1].strip()
    try:
        v = read_formula(src).expr
    except (LatexError, ValueError):
        return None
    return v if not v.free_symbols else None


def _not_an_equality_case(point: dict[sp.Symbol, sp.Expr], claim, assumptions: Assumptions) -> str | None:  # noqa: ANN001
    """Why the point is not where the problem's inequality is tight (exactly, to 30 digits), or None."""
    names = {s.name: v for s, v in point.items()}
    for e in assumptions.equalities:
        if e.free_symbols and all(s.name in names for s in e.free_symbols):
            value = sp.N(e.xreplace({s: names[s.name] for s in e.free_symbols}), 30)
            if value.is_number and abs(value) > 1e-20:
                return f"the point breaks the problem's condition {e} = 0"
    if claim is None:
        return None
    lhs, rhs = claim
    free = lhs.free_symbols | rhs.free_symbols
    if not free or not all(s.name in names for s in free):
        return None
    sub = {s: names[s.name] for s in free}
    a, b = sp.N(lhs.xreplace(sub), 30), sp.N(rhs.xreplace(sub), 30)
    if not (a.is_real and b.is_real):
        return None
    if abs(a - b) > 1e-20 * max(1, abs(a), abs(b)):
        return f"there the problem's sides are {float(a):.8g} and {float(b):.8g}"
    return None


def _instance_edits(text: str, r, p: ParsedRelation, kind: str) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """Candidate texts for one kind of edit of relation r: (new text, what was there, what is there now)."""
    small = r.rhs if p.op in (">", ">=") else r.lhs
    out: list[tuple[str, str, str]] = []
    if kind == "reversed":
        gap_start, gap_end = r.lhs[-1].end, r.rhs[0].start
        m = re.search(r"\\geqslant|\\leqslant|\\geq|\\leq|\\ge(?![a-z])|\\le(?![a-z])|\\gt|\\lt|≥|≤|>=|<=|>|<",
                      text[gap_start:gap_end])
        if m:
            at = gap_start + m.start()
            new = _FLIP[m.group(0)]
            out.append((text[:at] + new + text[at + len(m.group(0)):], m.group(0), new))
    elif kind == "constant":
        t = small[0]
        if t.kind == "num" and text[t.start:t.end] == t.text:  # the leading constant: AM-GM's W, or a factor
            for new in _changed_numbers(t.text):
                out.append((text[:t.start] + new + text[t.end:], t.text, new))
        else:  # `\sqrt{ab}` for `2\sqrt{ab}`: a constant where the theorem has another
            out.append((text[:t.start] + "3" + text[t.start:], "", "3"))
    elif kind == "pairing":
        letters = [t for t in small if t.kind == "sym"]
        names = sorted({t.text for t in letters})
        if len(names) >= 2:
            for t in letters[1:3]:
                other = next(n for n in names if n != t.text)
                out.append((text[:t.start] + other + text[t.end:], t.text, other))
    return out


def refute(p: ParsedRelation, assumptions: Assumptions, domain: str | None = None,
           setting: Context | None = None) -> str | None:
    """Evidence that a relation is false in the problem's own setting (in `domain`, within `setting`
    when given), or None."""
    if not p.free:
        r = check_closed(p)
        return r.reason if r.status == "false" else None
    domains = [domain] if domain else assumptions.domains_to_try()
    bounds = tuple(sorted((k, lo, hi) for k, (lo, hi) in assumptions.bounds.items()))
    integers = frozenset(s.name for s in p.free if s.name in INTEGER_NAMES) | frozenset(assumptions.integer_symbols)
    for d in domains:
        ctx = setting or Context(d, bounds, tuple(assumptions.equalities), (), tuple(assumptions.filters), "problem",
                                 integers)
        pts = sample(ctx, sorted(p.free, key=lambda s: s.name), n=120, max_tries=1200).points
        try:
            fl = sp.lambdify(sorted(p.free, key=lambda s: s.name), p.lhs.expr, "numpy")
            fr = sp.lambdify(sorted(p.free, key=lambda s: s.name), p.rhs.expr, "numpy")
        except (*NUMERIC_ERRORS, SyntaxError):
            return None
        for pt in pts:
            args = [pt.get(s, 0.0) for s in sorted(p.free, key=lambda s: s.name)]
            try:
                with np.errstate(all="ignore"):
                    a, b = complex(fl(*args)), complex(fr(*args))
            except NUMERIC_ERRORS:
                continue
            if abs(a.imag) > 1e-9 or abs(b.imag) > 1e-9 or not (math.isfinite(a.real) and math.isfinite(b.real)):
                continue
            x, y = a.real, b.real
            margin = 1e-6 * max(1.0, abs(x), abs(y))
            broken = {"=": abs(x - y) > margin, "<=": x > y + margin, ">=": x < y - margin,
                      "<": x >= y + margin, ">": x <= y - margin}.get(p.op, False)
            if broken:
                where = ", ".join(f"{k.name}={v:.4g}" for k, v in pt.items() if k in p.free)
                return f"fails at {where}: left {x:.6g}, right {y:.6g}"
    return None


_TERM = re.compile(r"\\(?:d|t)?frac\s*\{|\\sqrt\s*(?:\[[^\]]*\])?\s*\{")


def _closed_terms(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of `\\frac{..}{..}` and `\\sqrt{..}` terms inside a relation (candidates for rounding)."""
    out = []
    for m in _TERM.finditer(text, start, end):
        i, groups = m.end(), 2 if "frac" in m.group(0) else 1
        for g in range(groups):
            if g:
                while i < end and text[i] == " ":
                    i += 1
                if i >= end or text[i] != "{":
                    break
                i += 1
            depth = 1
            while i < end and depth:
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
        else:
            if i <= end:
                out.append((m.start(), i))
    return out


def _changed_numbers(text: str) -> list[str]:
    if "." in text:
        whole, frac = text.split(".", 1)
        last = int(frac[-1])
        return [f"{whole}.{frac[:-1]}{(last + 1) % 10}", f"{whole}.{frac[:-1]}{(last + 2) % 10}"]
    n = int(text)
    out = [str(n + 1), str(n + 2)]
    if n >= 2:
        out.append(str(n - 1))
    return out


def _rounded(value: sp.Expr) -> str | None:
    """A 3-place decimal that only approximates `value`; None if 3 places would be exact."""
    try:
        v = closed_value(value)
        if v is None:
            return None
        f = float(v)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f) or abs(f) > 1e6 or abs(f) < 1e-3:
        return None
    approx = f"{f:.3f}"
    if sp.Rational(approx) == value or value.is_Integer:
        return None
    if value.is_Rational and len(str(sp.Rational(value).q)) <= 3 and all(
            p in (2, 5) for p in sp.factorint(int(sp.Rational(value).q))):
        return None  # 1/8 = 0.125 is exact in decimals: no approximation to plant
    return approx


def _main_claim(statement: str) -> tuple[sp.Expr, sp.Expr] | None:
    """The two sides of the problem's inequality: `X () Y` (relation) or `X >= C Y` (bound)."""
    blank = blank_relation(find_math(statement))
    if blank is not None:
        return (blank.lhs, blank.rhs) if blank.lhs is not None and blank.rhs is not None else None
    for _r, p in readable(relations_in(statement), INEQUALITIES):
        names = {s.name for s in p.free}
        if "C" in names:
            c = sp.Symbol("C", real=True)
            return p.lhs.expr.subs(c, 1), p.rhs.expr.subs(c, 1)
    return None


def _letters(statement: str) -> list[str]:
    seen: list[str] = []
    for seg in find_math(statement):
        for ch in re.findall(r"(?<![\\A-Za-z])([a-z])(?![A-Za-z])", seg.content):
            if ch not in seen:
                seen.append(ch)
    return seen[:4]
