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
from qed.verifiers.judges.calibration.references import Reference
from qed.verifiers.judges.extract import find_math, relations_in, split_steps
from qed.verifiers.judges.numeric_computation import (
    CheckedRelation,
    check_relations,
    context_builder,
)
from qed.verifiers.judges.relcheck import (
    ParsedRelation,
    check_closed,
    closed_value,
    parse_relation,
)
from qed.verifiers.judges.sampling import INTEGER_NAMES, NUMERIC_ERRORS, Context, sample
from qed.verifiers.latex import LatexError, read_formula

FLAW_TYPES: tuple[str, ...] = ("wrong_number", "decimal", "toy_case", "missing_justification", "flipped_sign")
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
        cases = self._special_cases()
        keep_last = steps[-1].text
        body = (
            "We verify the claim on several admissible values. "
            + " ".join(cases)
            + " Since the claim holds in all of these cases, it holds in general."
        )
        text = body + "\n\n" + keep_last
        return Mutation(self.ref.id, "toy_case", text,
                        f"replaced {len(steps) - 1} step(s) of argument by {len(cases)} special case check(s)",
                        self.text[: steps[-1].start][:200], body[:200], {"cases": cases})

    def _special_cases(self) -> list[str]:
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
            out.append(f"For ${where}$ the left side is ${lv:.4g}$ and the right side is ${rv:.4g}$.")
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
    for seg in find_math(statement):
        content = seg.content
        if "()" in content.replace(" ", ""):
            parts = re.split(r"\\quad\s*\(\s*\)\s*\\quad|\(\s*\)", content)
            if len(parts) == 2:
                try:
                    return read_formula(parts[0].strip().rstrip(".")).expr, read_formula(parts[1].strip().rstrip(". ")).expr
                except (LatexError, ValueError):
                    return None
    for r in relations_in(statement):
        if r.op not in ("<", ">", "<=", ">="):
            continue
        try:
            p = parse_relation(r.lhs, r.op, r.rhs)
        except (LatexError, ValueError):
            continue
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
