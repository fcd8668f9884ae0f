r"""Toy-case judge: a general claim concluded from special cases, with no step that argues in general.

No model is involved (toy_case_model asks one about what this shape does not show). A toy-case
argument has a shape computation can see: the text fixes the variables (`for $a = 1, b = 2$`,
`taking $a = b = c = t$`, `at $x = 2$`), computes at those cases, and then concludes for all values
("so it holds in general", "hence the inequality is proved"). For each sentence that concludes the
general claim the judge reads the argument before it (back to the previous such conclusion):

- a special case is a sentence that fixes variables of the problem (values, or several equal to one
  another) and the relations computed under it;
- a general step is a relation in the problem's variables (or in letters the proof defines from
  them) written while none is fixed, and that is not the problem's claim restated.

A conclusion supported by at least one special case and no general step fails, naming the cases. A
conclusion after a general step is checked and passes; a text with no general conclusion is not
judged by this shape (not applicable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp
from qed.problems.record import Problem
from qed.verifiers.judges.assumptions import read_assumptions
from qed.verifiers.judges.bounded_check import bounded_verdict, with_refusals
from qed.verifiers.judges.extract import _SENTENCE_END as SENTENCE_END
from qed.verifiers.judges.extract import (
    MathSegment,
    Relation,
    Step,
    find_math,
    relations_in,
    split_steps,
    step_of,
)
from qed.verifiers.judges.judge import Judge, JudgeContext
from qed.verifiers.judges.reading import parse_all, readable
from qed.verifiers.judges.relcheck import ParsedRelation
from qed.verifiers.judges.sampling import NUMERIC_ERRORS
from qed.verifiers.judges.stated_points import EQUALITY_CASE, problem_claim
from qed.verifiers.judges.verdict import Coverage, Finding, JudgeVerdict

NAME = "toy_case"

# "... holds in general", "true for all ...", "hence the inequality is proved", "the claim always holds"
_GENERAL = re.compile(
    r"\b(holds?|is true|true|is valid|valid|is satisfied|follows|is proved|is proven|is established)\b[^.;]{0,50}?"
    r"\b(in general|for all|for every|for any|for each|always|in every case|in all cases|generally)\b"
    r"|\b(in general|always holds|holds always|is always true|must hold for all|generali[sz]es)\b"
    r"|\b(hence|therefore|thus|so|consequently)\b[^.;]{0,60}?\b(inequality|claim|statement|result|identity|"
    r"bound|assertion)\b[^.;]{0,30}?\b(holds|is true|is proved|is proven|follows|is established)\b"
    # "therefore <formula> for all positive a, b, c": the formula (masked as X) restated with a quantifier
    r"|\b(hence|therefore|thus|so|consequently)\b\W*(?:(?:we|one)\s+(?:get|have|obtain|conclude)\s+(?:that\s+)?)?"
    r"X+\W*(?:holds\s+|is true\s+)?(for all|for every|for any|for each|always|in general)\b",
    re.I)
# a sentence that fixes variables: "for $a = 1$", "taking $a = b = c$", "at $x = 2$", "if $n = 3$"
_FIXING = re.compile(r"\b(for|when|at|if|taking|take|setting|set|put|putting|plugging|plug|substituting|"
                     r"choosing|choose|try|trying|testing|test|checking|check|with|let|consider|considering|"
                     r"case|say|e\.g\.|example)\b", re.I)
_INDUCTION = re.compile(r"\binduct(ion|ive|ively)\b|\bbase case\b|\bn\s*\+\s*1\b|\bk\s*\+\s*1\b", re.I)
# a sentence that starts over in general: the case of the sentence before it does not carry into it
_FRESH = re.compile(r"^\W*(assume|suppose|now|in general|conversely|next|for (all|any|every|arbitrary)|let)\b", re.I)
_TO_SHOW = re.compile(r"\b(show|prove|verify|check|need|want|must|suffices|claim|enough)\b[^.]{0,40}$", re.I)
_REDUCTION = re.compile(r"without lo(ss|se) of generality|\bw\.?l\.?o\.?g\b|we may assume|suffices to consider|"
                        r"consider only|need only consider|reduces to", re.I)
_LETTER = re.compile(r"(?<![\\A-Za-z])([a-zA-Z])(?![A-Za-z])")
_MAX_CONCLUSIONS = 40


@dataclass
class Sentence:
    index: int
    step: int
    text: str  # with formulas masked
    relations: list[int] = field(default_factory=list)
    written: str = ""  # as written, formulas included: what a finding quotes
    fixed: list[str] = field(default_factory=list)  # what it fixes: "a = 1", "a = b = c"


def _judge(problem: Problem | None, proof: str, context: JudgeContext) -> JudgeVerdict:
    """The shape of the argument before each general conclusion, read in a bounded child."""
    return bounded_verdict(NAME, check_in_process, proof, problem)


JUDGE = Judge(NAME, None, "a general claim concluded from special cases only (no model)", _judge, stepwise=True)


def check_in_process(text: str, problem: Problem | str | None = None) -> JudgeVerdict:
    """The judge without the child process: for callers that bound the work themselves."""
    statement = problem.statement if isinstance(problem, Problem) else problem
    steps = split_steps(text)
    segments = find_math(text, steps)
    rels = relations_in(text, segments)
    parsed = parse_all(rels)
    variables = _problem_variables(statement, parsed)
    claim = problem_claim(statement, parsed)
    sentences = _sentences(text, steps, segments, rels, parsed, variables)
    conclusions = [s for s in sentences.values() if _GENERAL.search(s.text)][:_MAX_CONCLUSIONS]
    findings: list[Finding] = []
    since = -1
    for c in conclusions:
        support = [s for k, s in sorted(sentences.items()) if since < k <= c.index]
        findings.append(_judge_conclusion(c, support, rels, parsed, variables, claim, text))
        since = c.index
    wrong = [f for f in findings if f.status == "flaw"]
    coverage = Coverage("general conclusions", len(conclusions), len(conclusions),
                        sum(f.checked for f in findings))
    stats = {"conclusions": len(conclusions), "special_cases": sum(len(s.fixed) > 0 for s in sentences.values())}
    if wrong:
        first = wrong[0]
        verdict = JudgeVerdict(NAME, "fail", f"toy case: {first.reason}", step=first.step, quote=first.quote,
                               findings=findings, stats=stats, coverage=coverage)
    elif not conclusions:
        verdict = JudgeVerdict(NAME, "not_checked", "no sentence concludes a general claim", stats=stats,
                               applicable=False, coverage=coverage)
    elif not coverage.checked:  # conclusions argued in words only: the shape it reads is not there
        verdict = JudgeVerdict(NAME, "not_checked", f"does not apply: {coverage.text()}, with no argument in "
                               "formulas before them", findings=findings, stats=stats, applicable=False,
                               coverage=coverage)
    else:
        verdict = JudgeVerdict(NAME, "pass", f"each general conclusion follows a general step: {coverage.text()}",
                               findings=findings, stats=stats, coverage=coverage)
    return with_refusals(verdict, segments)


def _problem_variables(statement: str | None, parsed: list[ParsedRelation | None]) -> set[str]:
    """The names that stand for the problem's general values: the statement's variables, and letters
    the proof defines from them (`x = a/b`)."""
    names: set[str] = set()
    if statement:
        a = read_assumptions(statement)
        names |= set(a.declared) | set(a.bounds)
        for _r, p in readable(relations_in(statement)):
            names |= {s.name for s in p.free if s.name != "C"}
        for seg in find_math(statement):  # `$a, b \in A$`: the letters the statement writes
            names |= set(_LETTER.findall(seg.content)) - {"C"}
    for p in parsed:  # a change of variables keeps the argument general: x = a + b, or a = x / y
        if p is None or p.op != "=":
            continue
        for side, other in ((p.lhs.expr, p.rhs.expr), (p.rhs.expr, p.lhs.expr)):
            if not isinstance(side, sp.Symbol) or isinstance(other, sp.Symbol) or not other.free_symbols:
                continue
            if {s.name for s in other.free_symbols} & names:
                names.add(side.name)
            elif side.name in names:
                names |= {s.name for s in other.free_symbols}
    return names


def _sentences(text: str, steps: list[Step], segments: list[MathSegment], rels: list[Relation],
               parsed: list[ParsedRelation | None], variables: set[str]) -> dict[int, Sentence]:
    """Every sentence (numbered as extract numbers the formulas' sentences), with its relations and
    what it fixes."""
    masked = list(text)
    for seg in segments:
        for k in range(seg.outer[0], seg.outer[1]):
            if masked[k] != "\n":
                masked[k] = "X"
    flat = "".join(masked)
    bounds = [0] + [m.end() for m in SENTENCE_END.finditer(flat)] + [len(text) + 1]
    starts = [st.start for st in steps]
    out: dict[int, Sentence] = {}
    for k in range(len(bounds) - 1):
        body = " ".join(flat[bounds[k] : bounds[k + 1]].split())
        if body:
            out[k] = Sentence(k, step_of(steps, bounds[k], starts), body,
                              written=" ".join(text[bounds[k] : bounds[k + 1]].split()))
    for seg in segments:
        out.setdefault(seg.sentence, Sentence(seg.sentence, seg.step, seg.sentence_text, written=seg.sentence_text))
    for i, r in enumerate(rels):
        s = out[r.segment.sentence]
        s.relations.append(i)
    for s in out.values():
        s.fixed = _fixed(s, rels, parsed, variables)
    return out


def _fixed(s: Sentence, rels: list[Relation], parsed: list[ParsedRelation | None], variables: set[str]) -> list[str]:
    """What the sentence fixes: problem variables set to values, or several set equal (a = b = c)."""
    if not _FIXING.search(s.text) or _INDUCTION.search(s.text) or EQUALITY_CASE.search(s.text) \
            or _REDUCTION.search(s.text):
        return []  # an equality case describes where a proved bound is tight; a reduction is argued for
    values: list[str] = []
    linked: set[str] = set()
    for i in s.relations:
        p = parsed[i]
        if p is None or p.op != "=":
            continue
        lhs, rhs = p.lhs.expr, p.rhs.expr
        for side, other in ((lhs, rhs), (rhs, lhs)):
            if isinstance(side, sp.Symbol) and (side.name in variables or not variables):
                if not other.free_symbols:
                    values.append(f"{side.name} = {other}")
                    break
                if isinstance(other, sp.Symbol):
                    linked |= {side.name, other.name}
                    break
    out = values
    if len(linked & variables if variables else linked) >= 2:
        out = [*out, " = ".join(sorted(linked))]
    return out


def _judge_conclusion(c: Sentence, support: list[Sentence], rels: list[Relation],
                      parsed: list[ParsedRelation | None], variables: set[str], claim, text: str) -> Finding:  # noqa: ANN001
    """Is the conclusion in sentence c argued in general, or only at special cases?"""
    cases: list[str] = []
    general: list[int] = []
    previous: Sentence | None = None
    for s in support:
        if s.fixed:
            cases.append(", ".join(s.fixed))
        # under a special case: the sentence fixes variables, or the one before it in the same step did
        under_case = bool(s.fixed) or (previous is not None and bool(previous.fixed) and previous.step == s.step
                                       and not _FRESH.search(s.text))
        for i in s.relations:
            p = parsed[i]
            if p is None or not p.free or s is c or _is_assignment(p):
                continue
            if under_case and _only_fixed(p, variables):
                continue
            if _TO_SHOW.search(rels[i].segment.lead) and _is_claim(p, claim):
                continue  # "we must show that ...": the claim restated, not an argument for it
            general.append(i)
        if s.relations:
            previous = s
    quote = " ".join((c.written or c.text).split())[:200]
    if general:
        g = rels[general[0]]
        return Finding("verified", quote, f"a general step precedes the conclusion: `{g.quote(text)[:80]}`", c.step,
                       checked=True, how=f"general step before the conclusion ({len(general)} relation(s) in the "
                       "problem's variables)")
    if cases:
        shown = "; ".join(dict.fromkeys(cases))
        return Finding("flaw", quote, f"the general conclusion rests on {len(cases)} special case(s) ({shown[:160]}) "
                       "and no step argues for general values", c.step, checked=True,
                       how=f"{len(cases)} special case(s), no general step", evidence={"cases": cases})
    return Finding("unchecked", quote, "no argument in formulas before this conclusion", c.step,
                   how="no formula argues for or against it")


def _only_fixed(p: ParsedRelation, variables: set[str]) -> bool:
    """A relation computed under a special case: its variables are all problem variables (now fixed)."""
    return {s.name for s in p.free} <= variables


def _is_assignment(p: ParsedRelation) -> bool:
    lhs, rhs = p.lhs.expr, p.rhs.expr
    return p.op == "=" and (isinstance(lhs, sp.Symbol) or isinstance(rhs, sp.Symbol))


def _is_claim(p: ParsedRelation, claim) -> bool:  # noqa: ANN001
    """The problem's own claim restated (`we must show a + b >= 2\\sqrt{ab}`): not an argument for it."""
    if claim is None or claim.rhs is None:
        return False
    import numpy as np

    names = sorted({s.name for s in p.free} | {s.name for s in claim.lhs.free_symbols | claim.rhs.free_symbols})
    syms = {n: sp.Symbol(n) for n in names}
    try:
        mine = (p.lhs.expr - p.rhs.expr).xreplace({s: syms[s.name] for s in p.free})
        theirs = (claim.lhs - claim.rhs).xreplace({s: syms[s.name] for s in claim.lhs.free_symbols | claim.rhs.free_symbols})
        f = sp.lambdify([syms[n] for n in names], mine - theirs, "numpy")
        g = sp.lambdify([syms[n] for n in names], mine + theirs, "numpy")
        rng = np.random.default_rng(7)
        for _ in range(6):
            args = rng.uniform(0.3, 3.0, len(names))
            with np.errstate(all="ignore"):
                if abs(complex(f(*args))) > 1e-8 and abs(complex(g(*args))) > 1e-8:
                    return False
        return True
    except (*NUMERIC_ERRORS, SyntaxError):
        return False
