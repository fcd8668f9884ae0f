r"""Theorem-use judge: a relation credited to AM-GM, Cauchy-Schwarz or Schur must be an instance of it.

No model is involved. A misapplied theorem is the most common gap in olympiad proofs, and whether
`x + \frac{4}{x} \ge 2\sqrt{4}` is AM-GM on the terms x and 4/x is a computation (theorem_forms):
the judge finds each citation ("by AM-GM", "$AM \geq GM$", "Cauchy-Schwarz", "Schur"), the
inequalities it is attached to (the formulas after it in its sentence or display, or the formula it
follows), and for each one looks for the theorem's instance: the terms and weights (AM-GM), the
pairing (Cauchy-Schwarz, in its product and Engel forms), the exponent (Schur), the direction. It
then checks an equality condition stated with the citation against the instance (AM-GM: the weighted
terms are equal there).

A citation fails only with positive evidence: its relation is no instance and is false at a point
where the theorem's hypotheses hold (every term nonnegative, the problem's conditions met), so the
theorem cannot give it (reversed direction, wrong weights or constant, wrong pairing); or the stated
equality case is not the instance's. A relation that is no instance in the forms read but not shown
false (a sum of instances, a weaker consequence) is read, not checked; a text whose citations are all
of that kind is outside this judge's reach (not applicable, each citation listed with why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import sympy as sp
from qed.problems.record import Problem
from qed.verifiers.judges.assumptions import Assumptions, read_assumptions
from qed.verifiers.judges.bounded_check import bounded_verdict, with_refusals
from qed.verifiers.judges.extract import Relation, find_math, relations_in
from qed.verifiers.judges.judge import Judge, JudgeContext
from qed.verifiers.judges.reading import parse_all, readable
from qed.verifiers.judges.relcheck import ParsedRelation
from qed.verifiers.judges.stated_points import _simple_bound, sentence_points
from qed.verifiers.judges.theorem_forms import Instance, Numeric, find_instance
from qed.verifiers.judges.verdict import Coverage, Finding, JudgeVerdict

NAME = "theorem_use"
_WINDOW = 600  # how far after a citation its formula may start
_MAX_CITATIONS = 80

THEOREMS: dict[str, re.Pattern] = {
    "AM-GM": re.compile(r"\bAM\s*[-\u2013\u2014/]?\s*GM\b|\bA\s*M\s*(?:\\geq?|\\geqslant|\u2265|>=)\s*G\s*M\b|"
                        r"arithmetic[- ]geometric|\bAM\s*[-\u2013]\s*GM\b|Cauchy's inequality for means", re.I),
    "Cauchy-Schwarz": re.compile(r"Cauchy\s*[-\u2013\u2014]?\s*(?:Schwar(?:z|tz)|Bunyakovsky)|\bC\s*[-\u2013]?\s*S\b"
                                 r"(?=\W+(?:inequality|we|gives|yields))|\bCBS\b|Titu|Engel\s+form|"
                                 r"\bT2\b|Sedrakyan", re.I),
    # Schur's inequality, not Schur complements, polynomials or functions
    "Schur": re.compile(r"\bSchur'?s?\s+(inequality|ineq)\b|\bby\s+Schur\b(?!'?s?\s+(complement|polynomial|function|"
                        r"lemma|product|decomposition|theorem|test|form))", re.I),
}
_INEQ = ("<", ">", "<=", ">=")
_HYPOTHETICAL = re.compile(r"\b(suppose|assume|assuming|contrary|contradiction|absurd|impossible|otherwise)\b", re.I)
_EQUALITY = re.compile(r"\bequality\b[^.;]{0,40}?\b(holds?|occurs?|iff|if and only if|when|for|at|is attained)\b",
                       re.I)


@dataclass
class Citation:
    theorem: str
    at: int  # offset of the citation in the text
    quote: str
    relations: list[int]  # indices of the relations it is attached to


def _judge(problem: Problem | None, proof: str, context: JudgeContext) -> JudgeVerdict:
    """The citations' instances, computed in a bounded child (judges.bounded_check)."""
    return bounded_verdict(NAME, check_in_process, proof, problem)


JUDGE = Judge(NAME, None, "AM-GM, Cauchy-Schwarz, Schur applied to an instance of the theorem (no model)",
              _judge, stepwise=True)


def citations(text: str, rels: list[Relation]) -> list[Citation]:
    """Each theorem citation with the inequalities it is attached to."""
    found: list[tuple[int, int, str]] = []
    for theorem, pattern in THEOREMS.items():
        for m in pattern.finditer(text):
            found.append((m.start(), m.end(), theorem))
    found.sort()
    out: list[Citation] = []
    for k, (start, end, theorem) in enumerate(found[:_MAX_CITATIONS]):
        if out and out[-1].theorem == theorem and start - out[-1].at < 40:
            continue  # "AM-GM (AM \geq GM)": one citation
        nxt = found[k + 1][0] if k + 1 < len(found) else len(text)
        attached = _after(text, rels, end, min(nxt, end + _WINDOW)) or _before(text, rels, start)
        attached = [i for i in attached if not (rels[i].start < end and rels[i].end > start)]
        out.append(Citation(theorem, start, " ".join(text[start:end].split()), attached))
    return out


def _after(text: str, rels: list[Relation], end: int, limit: int) -> list[int]:
    """The inequalities of the first formula after the citation that has one, and of its sentence."""
    first = next((i for i, r in enumerate(rels) if r.op in _INEQ and end <= r.segment.start < limit), None)
    if first is None:
        return []
    seg = rels[first].segment
    between = text[end:seg.outer[0]]
    if re.search(r"(?<=[.!?])\s+[A-Z]", between) and not re.search(r":\s*$|we (get|have|obtain)", between):
        return []  # a later sentence that does not continue the citation's
    return [i for i, r in enumerate(rels) if r.op in _INEQ and r.segment.sentence == seg.sentence
            and r.segment.start >= seg.start]


def _before(text: str, rels: list[Relation], start: int) -> list[int]:
    """`..., which holds by AM-GM`: the inequalities of the formula just before, in the same sentence."""
    before = [i for i, r in enumerate(rels) if r.op in _INEQ and r.segment.outer[1] <= start]
    if not before:
        return []
    seg = rels[before[-1]].segment
    gap = text[seg.outer[1]:start]
    if len(gap) > 120 or re.search(r"[.!?]\s", gap):
        return []
    return [i for i in before if rels[i].segment is seg]


def check_in_process(text: str, problem: Problem | str | None = None) -> JudgeVerdict:
    """The judge without the child process: for callers that bound the work themselves."""
    statement = problem.statement if isinstance(problem, Problem) else problem
    assumptions = read_assumptions(statement)
    segments = find_math(text)
    rels = relations_in(text, segments)
    parsed = parse_all(rels, (*_INEQ, "="))
    cites = citations(text, rels)
    points = sentence_points(rels, parsed)
    known = _known_names(statement, assumptions)
    findings: list[Finding] = []
    read = checked = 0
    for c in cites:
        finding = _judge_citation(c, text, rels, parsed, assumptions, points, known)
        findings.append(finding)
        read += bool(c.relations) and any(parsed[i] is not None for i in c.relations)
        checked += finding.checked
    coverage = Coverage("theorem citations", len(cites), read, checked)
    wrong = [f for f in findings if f.status == "wrong"]
    stats = {"citations": len(cites), "instances": sum(f.status == "verified" for f in findings), "wrong": len(wrong)}
    if wrong:
        first = wrong[0]
        more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
        verdict = JudgeVerdict(NAME, "fail", f"misapplied theorem: {first.reason}{more}", step=first.step,
                               quote=first.quote, findings=findings, stats=stats, coverage=coverage)
    elif not cites:
        verdict = JudgeVerdict(NAME, "not_checked", "no AM-GM, Cauchy-Schwarz or Schur citation in the text",
                               stats=stats, applicable=False, coverage=coverage)
    elif not checked:  # citations in forms it does not read: outside this judge's scope, said per step
        verdict = JudgeVerdict(NAME, "not_checked", f"does not apply: {coverage.text()}, none in a form it reads "
                               "(AM-GM of a sum, Cauchy-Schwarz product or Engel form, Schur)", findings=findings,
                               stats=stats, applicable=False, coverage=coverage)
    else:
        verdict = JudgeVerdict(NAME, "pass", f"every checked citation is an instance: {coverage.text()}",
                               findings=findings, stats=stats, coverage=coverage)
    return with_refusals(verdict, segments)


def _judge_citation(c: Citation, text: str, rels: list[Relation], parsed: list[ParsedRelation | None],
                    assumptions: Assumptions, points: dict, known: set[str] | None) -> Finding:  # noqa: ANN001
    """An instance among the attached inequalities passes the citation; it fails only when every one of
    them is shown misapplied (a chain's other links may be other steps)."""
    step = rels[c.relations[0]].step if c.relations else _step_at(text, c.at)
    if not c.relations:
        return Finding("unchecked", c.quote, f"{c.theorem}: no inequality attached to the citation", step,
                       how=f"{c.theorem}: no inequality found with the citation")
    misapplied: list[tuple[int, Instance]] = []
    others: list[tuple[int, Instance]] = []
    instance: Finding | None = None
    for i in c.relations:
        p = parsed[i]
        if p is None or not p.free or _simple_bound(p):
            continue
        p = _with_definitions(p, parsed[:i])
        inst = find_instance(c.theorem, p, Numeric(assumptions, p))
        quote = rels[i].quote(text)
        if inst.status == "instance":
            eq = _equality_condition(c, i, rels, points, inst)
            if eq is not None:
                return Finding("wrong", quote, eq, rels[i].step, evidence={"theorem": c.theorem, **inst.evidence},
                               checked=True, how=f"{c.theorem}: equality case checked against the instance")
            instance = instance or Finding("verified", quote, f"an instance of {c.theorem}: {inst.how}", rels[i].step,
                                           evidence={"theorem": c.theorem, **inst.evidence}, checked=True,
                                           how=f"instance of {c.theorem}: {inst.how}")
            continue
        trusted = known is None or {x.name for x in p.free} <= known
        hypothetical = _HYPOTHETICAL.search(rels[i].segment.sentence_text)
        if inst.status == "misapplied" and (trusted or inst.evidence.get("diagnosis")) and not hypothetical:
            misapplied.append((i, inst))
        else:
            others.append((i, inst))
    diagnosed = [m for m in misapplied if m[1].evidence.get("diagnosis")]
    if misapplied:  # reversed, reweighted, or false where the theorem's hypotheses hold: whatever the other links
        i, inst = (diagnosed or misapplied)[0]
        quote = rels[i].quote(text)
        return Finding("wrong", quote, f"`{quote[:80]}` is credited to {c.theorem} but {inst.how}", rels[i].step,
                       evidence={"theorem": c.theorem, **inst.evidence}, checked=True,
                       how=f"{c.theorem}: not an instance, and false where its hypotheses hold")
    if instance is not None:
        return instance
    if not others:
        return Finding("unchecked", c.quote, f"{c.theorem}: the attached formula was not read", step,
                       how=f"{c.theorem}: formula not read")
    i, inst = (others or misapplied)[0]
    return Finding("unchecked", rels[i].quote(text), f"{c.theorem}: {inst.how}", rels[i].step,
                   how=f"{c.theorem}: not read as an instance")


def _with_definitions(p: ParsedRelation, before: list[ParsedRelation | None]) -> ParsedRelation:
    """The relation with the letters the proof defined before it (`A = ...`) written out."""
    defs: dict[sp.Symbol, sp.Expr] = {}
    for q in before:
        if q is None or q.op != "=":
            continue
        lhs, rhs = q.lhs.expr, q.rhs.expr
        if isinstance(lhs, sp.Symbol) and not isinstance(rhs, sp.Symbol) and rhs.free_symbols \
                and lhs not in rhs.free_symbols:
            defs[lhs] = rhs
    if not defs or not (p.free & set(defs)):
        return p
    lhs, rhs = p.lhs.expr, p.rhs.expr
    for _ in range(3):
        lhs, rhs = lhs.xreplace(defs), rhs.xreplace(defs)
    return ParsedRelation(replace(p.lhs, expr=lhs), p.op, replace(p.rhs, expr=rhs))


def _known_names(statement: str | None, assumptions: Assumptions) -> set[str] | None:
    """The statement's variables (None without a statement: then nothing limits which claims are judged)."""
    if not statement:
        return None
    names = set(assumptions.declared) | set(assumptions.bounds)
    for _r, q in readable(relations_in(statement)):
        names |= {x.name for x in q.free}
    for seg in find_math(statement):
        names |= set(re.findall(r"(?<![\\A-Za-z])([a-zA-Z])(?![A-Za-z])", seg.content))
    return names


def _step_at(text: str, offset: int) -> int:
    from qed.verifiers.judges.extract import split_steps, step_of

    return step_of(split_steps(text), offset)


def _equality_condition(c: Citation, i: int, rels: list[Relation], points: dict, inst: Instance) -> str | None:  # noqa: ANN001
    """An equality case stated with the citation (its sentence or the next) that the instance denies."""
    if not inst.equal_terms:
        return None
    sentence = rels[i].segment.sentence
    for s in (sentence, sentence + 1):
        pts = points.get(s, [])
        if not pts:
            continue
        seg_text = rels[pts[-1][0]].segment.sentence_text
        if not _EQUALITY.search(seg_text):
            continue
        values = pts[-1][1].values
        if not values or not all(sym in values for t in inst.equal_terms for sym in t.free_symbols):
            continue
        shown = [sp.nsimplify(t.xreplace(values)) for t in inst.equal_terms]
        nums = []
        for v in shown:
            try:
                nums.append(float(sp.N(v, 30)))
            except (TypeError, ValueError):
                return None
        if max(nums) - min(nums) > 1e-9 * max(1.0, max(abs(x) for x in nums)):
            terms = ", ".join(str(t) for t in inst.equal_terms[:4])
            vals = ", ".join(f"{x:.6g}" for x in nums[:4])
            where = ", ".join(f"{k} = {v}" for k, v in values.items())
            return (f"equality in {c.theorem} needs its terms equal ({terms}), but at the stated equality case "
                    f"{where} they are {vals}")
    return None
