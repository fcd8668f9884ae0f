"""Numerical-computation judge: recompute every equality, inequality and evaluation a proof writes.

No model is involved. Closed relations are evaluated exactly (to 50 digits); relations with
variables are tested at sampled points in the contexts the problem and the proof make plausible
(see relcheck). Only what is demonstrably wrong fails the proof. A relation is never called
wrong when it is introduced as an assumption or case ("if", "let", "when" ...), when it is
announced as false ("a contradiction"), or when it involves a symbol that neither the problem
nor the proof defines in a formula (it may be a named quantity such as an area).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

import sympy as sp
from qed.problems.record import Problem
from qed.verifiers.judges.assumptions import (
    BARE_LIST,
    NAMED_QUANTITIES,
    Assumptions,
    read_assumptions,
    read_variable_lists,
)
from qed.verifiers.judges.bounded_check import bounded_verdict, with_refusals
from qed.verifiers.judges.extract import Relation, find_math, relations_in, split_steps
from qed.verifiers.judges.judge import Judge, JudgeContext
from qed.verifiers.judges.reading import parse_all
from qed.verifiers.judges.relcheck import (
    ParsedRelation,
    PointCache,
    RelationCheck,
    check_relation,
    is_definition_like,
)
from qed.verifiers.judges.sampling import INTEGER_NAMES, Context, by_name, relational
from qed.verifiers.judges.stated_points import StatedPoints
from qed.verifiers.judges.verdict import Coverage, Finding, JudgeVerdict
from qed.verifiers.latex import LatexError, read_formula, symbol

NAME = "numeric_computation"
_MAX_CONDITIONS = 6
_MAX_POINT_GROUPS = 6
_MAX_RELATIONS = 600  # a very long document is checked up to this many relations

_ASSUMPTION_CUE = re.compile(
    r"\b(assume|assuming|suppose|supposing|let|if|when|whenever|where|wlog|w\.l\.o\.g|"
    r"without loss of generality|such that|given|provided|setting|set|put|denote|define|"
    r"substituting|substitute|plugging|taking|take|case|holds|occurs|attained|achieved|iff|"
    r"condition|constraint|hypothesis|normali[sz]e|at the point|for|unless|otherwise|"
    r"roots? of|solutions? of|equation|satisf(y|ies|ying)|with)"
    r"(\s+(that|now|also|then|again|here|wlog))?\W*$",
    re.I,
)
_NEGATED_CUE = re.compile(
    r"^\W*(is|would be|which is|that is|this is|a|gives a|yields a)?\s*"
    r"(contradict|impossible|absurd|false|not true|never|cannot|fails|wrong|incorrect)",
    re.I,
)
_NEGATED_LEAD = re.compile(r"\b(not|never|cannot|no longer|fails? to|contradicts?)\W*$", re.I)
_TRIANGLE = re.compile(r"\btriangle\b", re.I)
_CONTRADICTION = re.compile(r"contradict|absurd|impossible", re.I)
# words that cite a formula as a known fact: it is claimed outright, whatever the step supposes
_FACT_CUE = re.compile(r"\b(taking into account|bearing in mind|recall(?:ing)?|remember(?:ing)?|we know|"
                       r"(?:well[- ])?known|it is clear|clearly|obviously|always)(?:\s+that)?\W*$", re.I)
_HYPOTHETICAL = re.compile(r"\b(suppose|assume|assuming|if)\b[^.]*\b(not|false|contrary|otherwise)\b|"
                           r"\bcontrary\b|\bcontradiction\b|\babsurd\b", re.I)


@lru_cache(maxsize=4096)
def _in_sentence(pattern: re.Pattern, sentence: str) -> bool:
    """pattern found in a sentence; many formulas share one sentence, so each is searched once."""
    return pattern.search(sentence) is not None


def is_assumption(lead: str) -> bool:
    """The words before a formula introduce it as an assumption, a case or a definition."""
    return bool(_ASSUMPTION_CUE.search(lead.strip()[-60:]))


def is_denied(lead: str, trail: str) -> bool:
    """The text says the formula is false ("..., a contradiction", "is not")."""
    return bool(_NEGATED_CUE.search(trail)) or bool(_NEGATED_LEAD.search(lead.strip()[-30:]))


@dataclass
class CheckedRelation:
    relation: Relation
    result: RelationCheck
    parsed: ParsedRelation | None


def _judge(problem: Problem | None, proof: str, context: JudgeContext) -> JudgeVerdict:
    """The proof's computations, read in a bounded child (judges.bounded_check): a limit gives a
    no_verdict saying so. The problem supplies the domain and side conditions."""
    return bounded_verdict(NAME, check_in_process, proof, problem)


JUDGE = Judge(NAME, None, "recomputes equalities, inequalities and evaluations (sympy)", _judge, stepwise=True)


def check_in_process(text: str, problem: Problem | str | None = None) -> JudgeVerdict:
    """The judge without the child process: for callers that bound the work themselves."""
    statement = problem.statement if isinstance(problem, Problem) else problem
    checked = check_relations(text, read_assumptions(statement), statement)
    segments = find_math(text)
    verdict = verdict_from(checked, text)
    if len(checked) >= _MAX_RELATIONS:
        total = len(relations_in(text, segments))
        if total > len(checked):
            verdict.stats["relations_in_text"] = total
            verdict.reason += f"; only the first {len(checked):,} of its {total:,} relations were checked"
            if verdict.coverage is not None:
                verdict.coverage.total += total - len(checked)  # the rest were never looked at
    return with_refusals(verdict, segments)


def context_builder(text: str, assumptions: Assumptions, statement: str | None = None) -> _ContextBuilder:
    """The relations of a text, read, with what the text assumes around each of them."""
    steps = split_steps(text)
    segments = find_math(text, steps)
    rels = relations_in(text, segments)[:_MAX_RELATIONS]
    parsed = parse_all(rels)
    builder = _ContextBuilder(assumptions, rels, parsed, _assumed(rels, parsed), (statement or "") + "\n" + text,
                              _memberships(segments), _spoken_conditions(segments))
    builder.families = _families(_family_definitions(statement or ""))
    return builder


_DEFINING = re.compile(r"\bdefine|\bfor (each|all|every|any)\b|\blet\b", re.I)


def _family_definitions(statement: str) -> list[ParsedRelation | None]:
    """The relations of the statement's defining sentences ("define $b_k = ...$ for each $k$"): in a proof
    `a_n = 1/n` is as often the value of the last term as a rule for every term, so only these count."""
    return parse_all([r for r in relations_in(statement) if _in_sentence(_DEFINING, r.segment.sentence_text)])


_INDEXED = re.compile(r"^([A-Za-z]+)_([a-z]|\d+)$")


def _families(parsed: list[ParsedRelation | None]) -> dict[str, tuple[sp.Symbol, sp.Expr]]:
    """Definitions of a whole family, `b_k = 2^k (1 + a_k^{2^k})`: base name -> (index, formula)."""
    out: dict[str, tuple[sp.Symbol, sp.Expr]] = {}
    for p in parsed:
        if p is None or p.op != "=":
            continue
        for side, other in ((p.lhs.expr, p.rhs.expr), (p.rhs.expr, p.lhs.expr)):
            m = _INDEXED.match(side.name) if isinstance(side, sp.Symbol) else None
            if m and m.group(2).isalpha() and side not in other.free_symbols and other.free_symbols:
                out.setdefault(m.group(1), (symbol(m.group(2)), other))
                break
    return out


def _whole_families(values: dict[sp.Symbol, sp.Expr], p: ParsedRelation | None) -> dict[sp.Symbol, sp.Expr]:
    """`a_1 = a_2 = \\cdots = a_n = 1/n` sets every member: the relation's a_i gets the same value."""
    shared: dict[str, set[sp.Expr]] = {}
    members: dict[str, int] = {}
    for s, v in values.items():
        m = _INDEXED.match(s.name)
        if m:
            members[m.group(1)] = members.get(m.group(1), 0) + 1
            if not (isinstance(v, sp.Symbol) and _INDEXED.match(v.name)):  # a_1 = a_2: a link, not a value
                shared.setdefault(m.group(1), set()).add(v)
    out = dict(values)
    for s in (p.free if p is not None else ()):
        m = _INDEXED.match(s.name)
        if s not in out and m and members.get(m.group(1), 0) >= 2 and len(shared.get(m.group(1), ())) == 1:
            out[s] = next(iter(shared[m.group(1)]))
    return out


def _instance(s: sp.Symbol, families: dict[str, tuple[sp.Symbol, sp.Expr]]) -> sp.Expr | None:
    """`b_n` (or `b_1`) from the family definition `b_k = ...`, with every k-indexed symbol re-indexed."""
    m = _INDEXED.match(s.name)
    if not m or m.group(1) not in families:
        return None
    index, formula = families[m.group(1)]
    new = sp.Integer(int(m.group(2))) if m.group(2).isdigit() else symbol(m.group(2))
    if new == index:
        return None
    moves: dict[sp.Symbol, sp.Expr] = {index: new}
    for f in formula.free_symbols:
        fm = _INDEXED.match(f.name)
        if fm and fm.group(2) == index.name:
            moves[f] = symbol(f"{fm.group(1)}_{m.group(2)}")
    return formula.xreplace(moves)


def check_relations(text: str, assumptions: Assumptions, statement: str | None = None) -> list[CheckedRelation]:
    """Every relation of the text with its check, in reading order."""
    steps = split_steps(text)
    builder = context_builder(text, assumptions, statement)
    rels, parsed, assumed = builder.rels, builder.parsed, builder.assumed
    known, listed_at = _known_symbols(statement, assumptions, parsed, text)
    # a_i when the problem has a_1, ..., a_n; b_n when it defines every b_k
    bases = {m.group(1) for s in known if (m := _INDEXED.match(s.name))} | set(builder.families)
    known |= {s for p in parsed if p is not None for s in p.free
              if (m := _INDEXED.match(s.name)) and m.group(1) in bases}
    cache = PointCache()
    declared = frozenset(assumptions.declared)
    segments = find_math(text, steps)
    unreadable_cases = _unreadable_case_sentences(segments, parsed, rels)
    hypothetical = {st.index for st in steps if _HYPOTHETICAL.search(st.text)}
    points = StatedPoints(text, segments, rels, parsed, assumptions, statement)
    out: list[CheckedRelation] = []
    for i, r in enumerate(rels):
        p0 = parsed[i]
        at_point = points.check(i)  # an evaluation at a point the sentence states, or its equality case
        if at_point is not None:
            out.append(CheckedRelation(r, at_point, p0))
            builder.statuses[i] = at_point.status
            continue
        if assumed[i]:
            out.append(CheckedRelation(r, RelationCheck("assumption", "introduced as an assumption, case or definition"), p0))
            continue
        if p0 is not None and (is_denied(r.segment.lead, r.segment.trail)
                               or _in_sentence(_CONTRADICTION, r.segment.sentence_text)):
            out.append(CheckedRelation(r, RelationCheck("unchecked", "the text itself says this is false"), p0))
            continue
        result, p = check_relation(r.lhs, r.op, r.rhs, builder.contexts_for(i), cache, declared)
        if result.status == "false" and p is not None and p.free:
            known_here = known - {v for v, at in listed_at.items() if at > r.segment.start}
            result = _soften(result, p, known_here, r, unreadable_cases, hypothetical, assumptions.discrete)
        out.append(CheckedRelation(r, result, p))
        builder.statuses[i] = result.status
        if result.status == "true" and p is not None and p.op == "=" and p.free:
            builder.mark_identity(i)
    return out


_CONJUNCTION = re.compile(r"^\W*(and|or|as well as|also|with|while|but)?\W*$", re.I)


def _assumed(rels: list[Relation], parsed: list[ParsedRelation | None]) -> list[bool]:
    """Which relations the text introduces as assumptions; `if $x=1$ and $y=2$` assumes both."""
    out: list[bool] = []
    for i, (r, p) in enumerate(zip(rels, parsed, strict=True)):
        mine = p is not None and bool(p.free) and is_assumption(r.segment.lead)
        if not mine and p is not None and p.free and _CONJUNCTION.match(r.segment.lead):
            mine = any(out[j] and rels[j].segment.sentence == r.segment.sentence for j in range(i))
        out.append(mine)
    return out


_MEMBERSHIP = re.compile(
    r"((?:[A-Za-z](?:_\{?\w+\}?)?|\\[a-z]+)(?:\s*,\s*(?:[A-Za-z](?:_\{?\w+\}?)?|\\[a-z]+))*)\s*\\in\s*"
    r"(\(|\[|\\left\(|\\left\[)\s*([^,;]+?)\s*,\s*([^,;]+?)\s*(\)|\]|\\right\)|\\right\])")


def _memberships(segments) -> list[tuple[int, int, list[sp.Basic]]]:  # noqa: ANN001
    """Ranges the proof states, `x \\in (0, 1)` or `a, b, c > 0`: (position, step, conditions)."""
    out = []
    for seg in segments:
        stated = Assumptions()
        read_variable_lists(seg.content, stated)
        ranges: list[sp.Basic] = []
        for name, (lo, hi) in stated.bounds.items():
            v = symbol(name)
            if lo is not None:
                ranges.append(relational(">=", v, sp.nsimplify(lo)))
            if hi is not None:
                ranges.append(relational("<=", v, sp.nsimplify(hi)))
        if ranges:
            out.append((seg.start, seg.step, ranges))
        for m in _MEMBERSHIP.finditer(seg.content):
            names = [n.strip().lstrip("\\") for n in m.group(1).split(",")]
            try:
                lo = None if "infty" in m.group(3) else read_formula(m.group(3)).expr
                hi = None if "infty" in m.group(4) else read_formula(m.group(4)).expr
            except (LatexError, ValueError):
                continue
            conds: list[sp.Basic] = []
            for n in names:
                v = symbol(n.replace("{", "").replace("}", ""))
                if lo is not None:
                    conds.append(relational(">" if "(" in m.group(2) else ">=", v, lo))
                if hi is not None:
                    conds.append(relational("<" if ")" in m.group(5) else "<=", v, hi))
            if conds:
                out.append((seg.start, seg.step, conds))
    return out


_SPOKEN = re.compile(r"^(?:all\s+)?(?:have|has|with|having|whose)\s+(?:a\s+|the\s+|their\s+)?(product|sum)"
                     r"(?:\s+(?:is|equal to|equals|of))?\s*(?:(-?\d+(?:\.\d+)?)(?![\d.]*\w)|\W*$)", re.I)
_EXTREME = re.compile(r"^(?:is\s+|be\s+)?the\s+(minimum|smallest|least|minimal|maximum|greatest|largest|biggest|"
                      r"maximal)\s+(?:one\s+)?(?:among|of|from|in)(?:\s+the\s+numbers)?\W*$", re.I)
_LISTED = re.compile(r"[A-Za-z](?:_\{?\w+\}?)?")


def _listed_symbols(content: str) -> list[sp.Symbol]:
    """The letters (with subscripts) a formula names, in order: `a, b_{1}, c` -> a, b_1, c."""
    return [symbol(v.replace("{", "").replace("}", "")) for v in _LISTED.findall(content)]

Spoken = tuple[int, int, list[sp.Expr], list[sp.Basic]]  # position, sentence, equalities (= 0), filters


def _spoken_conditions(segments) -> list[Spoken]:  # noqa: ANN001
    """Conditions said in words: `$a, b, c, d$ have product 1`, `$d$ the minimum among $a, b, c, d$`."""
    out: list[Spoken] = []
    for k, seg in enumerate(segments):
        nxt = segments[k + 1] if k + 1 < len(segments) and segments[k + 1].sentence == seg.sentence else None
        names = _listed_symbols(seg.content)
        extreme = _EXTREME.match(seg.trail.strip())
        if extreme and len(names) == 1 and _LISTED.fullmatch(seg.content.strip()) and nxt is not None \
                and BARE_LIST.match(nxt.content):
            op = "<=" if extreme.group(1).lower() in ("minimum", "smallest", "least", "minimal") else ">="
            others = _listed_symbols(nxt.content)
            out.append((seg.start, seg.sentence, [], [relational(op, names[0], o) for o in others if o != names[0]]))
            continue
        m = _SPOKEN.match(seg.trail.strip())
        if not m or not BARE_LIST.match(seg.content):
            continue
        value_src = m.group(2) if m.group(2) is not None else (nxt.content if nxt is not None else None)
        if value_src is None:
            continue
        try:
            value = read_formula(value_src).expr
        except (LatexError, ValueError):
            continue
        combined = sp.Mul(*names) if m.group(1).lower() == "product" else sp.Add(*names)
        out.append((seg.start, seg.sentence, [combined - value], []))
    return out


def _soften(result: RelationCheck, p: ParsedRelation, known: set[sp.Symbol], r: Relation,
            unreadable_cases: set[int], hypothetical: set[int], discrete: bool = False) -> RelationCheck:
    """A failing relation with variables stays 'false' only if nothing in the text excuses it."""
    opaque = sorted(s.name for s in p.free if s not in known)
    if discrete:
        why = "the problem is about integers or sequences, where sampling real values cannot refute a claim"
    elif opaque:
        why = (f"{', '.join(opaque)} is not defined by a formula (it may name a quantity defined in "
               "words)")
    elif r.segment.sentence in unreadable_cases:
        why = "its sentence assumes a case or value that could not be read"
    elif r.step in hypothetical and not _FACT_CUE.search(r.segment.lead.strip()[-60:]):
        why = "its step argues under a hypothesis (by contradiction or by cases)"
    else:
        return result
    return RelationCheck("conditional", f"fails as written, but {why}", result.evidence)


def _unreadable_case_sentences(segments, parsed, rels) -> set[int]:  # noqa: ANN001
    """Sentences where a formula introduced as an assumption or case could not be read."""
    readable_segments = {id(r.segment) for r, p in zip(rels, parsed, strict=True) if p is not None}
    by_start = {r.segment.start: r.segment for r in rels}
    out: set[int] = set()
    for seg in segments:
        if not is_assumption(seg.lead):
            continue
        seg_rel = by_start.get(seg.start)
        if seg_rel is not None and id(seg_rel) not in readable_segments:
            out.add(seg.sentence)
    return out


def _known_symbols(statement: str | None, assumptions: Assumptions, parsed: list[ParsedRelation | None],
                   text: str) -> tuple[set[sp.Symbol], dict[sp.Symbol, int]]:
    """Symbols a claim may be refuted over: the problem's, and those the proof defines by a formula.

    Also returns, for symbols the proof only lists (`$k, m, n$ are ...`), where that list first
    appears: before it, such a symbol is not yet a variable (`= k(abc)^2 + m abc + n, where ...`)."""
    known: set[sp.Symbol] = set()
    listed_at: dict[sp.Symbol, int] = {}
    if statement and assumptions.geometric:
        known |= {symbol(n) for n in assumptions.declared}
    elif statement:
        for seg in find_math(statement):
            for m in re.finditer(r"\\?[A-Za-z]+(?:_\{?[\w+-]+\}?)?", seg.content):
                tok = m.group(0)
                if tok.startswith("\\"):
                    known.add(symbol(tok[1:].split("_")[0]))
                    continue
                if "_" in tok:
                    known.add(symbol(tok.replace("{", "").replace("}", "")))
                    index = tok.split("_", 1)[1].strip("{}")
                    if len(index) == 1 and index.isalpha():
                        known.add(symbol(index))  # the n of a_n ranges too
                    tok = tok.split("_")[0]
                for ch in tok:
                    known.add(symbol(ch))
    from_statement = set(known)
    for seg in find_math(text):
        if BARE_LIST.match(seg.content) and not (assumptions.geometric and NAMED_QUANTITIES.match(seg.trail)):
            listed = set(_listed_symbols(seg.content))
        else:
            # `for every $x, y \in \mathbb{R}^+$`, `$x, y > 0$`: the proof introduces variables with a domain
            ranged = Assumptions()
            read_variable_lists(seg.content, ranged)
            listed = {symbol(n) for n in ranged.bounds}
        for v in listed - from_statement:
            listed_at.setdefault(v, seg.start)
        known |= listed
    stated = set(known)
    defined: set[sp.Symbol] = set()
    for _ in range(3):  # a = xy, then y = \tan(\beta/2): a parameter of a parameter is a variable too
        before = len(known)
        for p in parsed:
            if p is None or p.op != "=":
                continue
            for side, other in ((p.lhs.expr, p.rhs.expr), (p.rhs.expr, p.lhs.expr)):
                if isinstance(side, sp.Symbol) and side not in other.free_symbols and not isinstance(other, sp.Symbol):
                    if side in stated:
                        defined |= other.free_symbols  # `a = x+y`: x, y are introduced here, not later in words
                        # `a = x^2`: x parametrizes a problem variable. In a figure only a polynomial in new
                        # letters does (Ravi's a = x+y); `a = 2R\sin A` ties R and A to the rest of the figure.
                        if not assumptions.geometric or (other.is_polynomial() and not other.free_symbols & stated):
                            known |= other.free_symbols
                    known.add(side)
                    defined.add(side)
        if assumptions.geometric or len(known) == before:
            break
        stated |= defined & known
    if _TRIANGLE.search(statement or text):
        known |= {symbol(n) for n in ("alpha", "beta", "gamma")}
    return known, {v: at for v, at in listed_at.items() if v not in defined}


_NOT_CLAIMS = ("assumption", "definition")  # what the text sets up, not what it claims
# contexts the judge chose, not the text: an earlier claim taken as a condition, integers read as reals
_BORROWED = ("the condition ", "real-valued parameters")


def _checked_as_stated(result: RelationCheck) -> bool:
    """A conditional relation that held at every point of a setting the text itself states here (the
    values of this sentence or step, its definitions, its assumptions so far): a check of the step in
    the proof's own terms. One that held only under a condition borrowed from elsewhere, or that fails
    as written and was excused, is read but not checked."""
    context = result.evidence.get("context")
    return (result.status == "conditional" and isinstance(context, str) and "trials" not in result.evidence
            and not context.startswith(_BORROWED))


def _how(result: RelationCheck) -> str:
    """How a relation was checked (exact, sampled at N points, at the stated values), or why it was not."""
    ev = result.evidence
    if ev.get("exact") and ev.get("point"):
        return f"exact at the stated point {ev['point']}"
    if result.status in ("true", "false", "approximate"):
        if "points" in ev:
            return f"sampled at {ev['points']} points"
        if ev.get("trials"):
            return f"sampled at {ev['trials'][0].get('valid', 0)} points in {len(ev['trials'])} settings"
        return "exact (50 digits)" if result.status != "approximate" else "exact, to the decimals written"
    if _checked_as_stated(result):
        return f"at {ev.get('points', 0)} points given {ev['context']}"
    if result.status == "conditional" and isinstance(ev.get("context"), str) and "trials" not in ev:
        return f"held only given {ev['context']}, which the text does not state for it"
    return result.reason


def verdict_from(checked: list[CheckedRelation], text: str) -> JudgeVerdict:
    counts: dict[str, int] = {}
    findings: list[Finding] = []
    claims = read = decided = stated = 0
    for c in checked:
        status = c.result.status
        counts[status] = counts.get(status, 0) + 1
        if status in _NOT_CLAIMS:
            continue
        claims += 1
        read += c.parsed is not None
        done = status in ("true", "false", "approximate") or _checked_as_stated(c.result)
        decided += done
        stated += done and status == "conditional"
        findings.append(Finding(
            status={"false": "wrong", "true": "verified"}.get(status, status),
            quote=c.relation.quote(text), reason=c.result.reason, step=c.relation.step,
            evidence=c.result.evidence, checked=done, how=_how(c.result),
        ))
    wrong = [f for f in findings if f.status == "wrong"]
    coverage = Coverage("relations", claims, read, decided)
    stats = {"relations": len(checked), **counts}
    if wrong:
        first = wrong[0]
        more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
        return JudgeVerdict(NAME, "fail", f"wrong computation: {first.quote} — {first.reason}{more}",
                            step=first.step, quote=first.quote, findings=findings, stats=stats, coverage=coverage)
    if not checked:
        why = "no relation in the text" if find_math(text) else "no formula in the text"
        return JudgeVerdict(NAME, "not_checked", why, stats=stats, applicable=False, coverage=coverage)
    if not claims:
        return JudgeVerdict(NAME, "not_checked", f"nothing to recompute: the {len(checked)} relation(s) are "
                            "assumptions or definitions", stats=stats, applicable=False, coverage=coverage)
    if not decided:
        held = counts.get("conditional", 0)
        detail = f"; {held} depend on a condition the text does not state there" if held else ""
        return JudgeVerdict(NAME, "not_checked", f"not checked ({coverage.text()}{detail})",
                            findings=findings, stats=stats, coverage=coverage)
    return JudgeVerdict(
        NAME, "pass",
        f"none demonstrably wrong: {coverage.text()} ({decided - stated} as written, {stated} under values or "
        "assumptions the text states)",
        findings=findings, stats=stats, coverage=coverage,
    )


_EQUALITY_CASE = re.compile(r"\bequality\b[^.;]{0,40}?\b(holds?|occurs?|is (attained|achieved|reached)|"
                            r"takes place|iff|if and only if|when|for|at)\b", re.I)


@dataclass
class _PointGroup:
    step: int
    values: dict[sp.Symbol, sp.Expr]
    start: int  # where its first value is written
    sentences: set[int]  # the sentences that write its values
    equality_case: bool


class _ContextBuilder:
    """The contexts a relation is tried in: the problem's, plus what the proof defines or assumes."""

    def __init__(self, assumptions: Assumptions, rels: list[Relation], parsed: list[ParsedRelation | None],
                 assumed: list[bool], text: str, memberships: list[tuple[int, int, list[sp.Basic]]] = (),
                 spoken: list[Spoken] = ()):
        self.assumptions = assumptions
        self.spoken = list(spoken)
        self.families: dict[str, tuple[sp.Symbol, sp.Expr]] = {}
        self.rels = rels
        self.parsed = parsed
        self.assumed = assumed
        self.memberships = list(memberships)
        self.statuses: dict[int, str] = {}
        self.identities: set[int] = set()
        self._condition_cache: dict[int, tuple[sp.Expr, str]] = {}
        syms: set[str] = set()
        for p in parsed:
            if p is not None:
                syms |= {s.name for s in p.free}
        self.integer_symbols = frozenset((syms & INTEGER_NAMES) | assumptions.integer_symbols)
        self.point_groups = self._point_groups()
        self.triangle = bool(_TRIANGLE.search(text)) and bool({"alpha", "beta", "gamma"} <= syms)

    def mark_identity(self, i: int) -> None:
        self.identities.add(i)

    def _base(self, domain: str, label: str = "base", *, equalities: Iterable[sp.Expr] = (),
              substitutions: Iterable[tuple[sp.Symbol, sp.Expr]] = (), filters: Iterable[sp.Basic] = ()) -> Context:
        a = self.assumptions
        return Context(
            domain=domain,
            bounds=tuple(sorted((k, lo, hi) for k, (lo, hi) in a.bounds.items())),
            equalities=tuple(a.equalities) + tuple(equalities),
            substitutions=tuple(substitutions),
            filters=tuple(a.filters) + tuple(filters),
            label=label,
            integer_symbols=self.integer_symbols,
        )

    def contexts_for(self, i: int) -> list[Context]:
        domains = self.assumptions.domains_to_try()
        step = self.rels[i].step
        defs = self._definitions_before(i)
        conditions = self._conditions_near(i, step)
        case_filters = self._case_filters(i, step)
        groups = self._groups_near(i)
        out: list[Context] = []
        for d in domains:
            out.append(self._base(d))
        sentence = self._sentence_assumptions(i)
        for d in domains:
            if sentence is not None:
                subs, eqs, flt = sentence
                out.append(self._base(d, "the assumptions of this sentence", equalities=eqs,
                                      substitutions=_order({**defs, **subs}, keep=subs), filters=flt))
                out.append(Context(d, out[-1].bounds, tuple(eqs), tuple(_order({**defs, **subs}, keep=subs)),
                                   tuple(flt), "the assumptions of this sentence alone", self.integer_symbols))
            if defs:
                out.append(self._base(d, "the proof's definitions", substitutions=_order(defs)))
                if self.assumptions.equalities:
                    out.append(Context(d, out[-1].bounds, (), tuple(_order(defs)), (),
                                       "the proof's definitions alone", self.integer_symbols))
            for label, group, later in groups:
                out.append(self._base(d, label, substitutions=_order({**defs, **group}, keep=group), filters=later))
            for expr, label in conditions:
                out.append(self._base(d, label, equalities=[expr], substitutions=_order(defs)))
                if self.assumptions.equalities:
                    # a normalization (xy = 1) may replace the problem's own condition
                    out.append(Context(d, out[-1].bounds, (expr,), tuple(_order(defs)), (),
                                       f"{label} alone", self.integer_symbols))
            if case_filters:
                out.append(self._base(d, "this step's case assumptions", filters=case_filters))
            so_far = self._assumed_so_far(i)
            if so_far is not None:
                subs, eqs, flt = so_far
                out.append(self._base(d, "the proof's assumptions so far", equalities=eqs,
                                      substitutions=_order({**defs, **subs}, keep=subs), filters=flt))
                if flt and (eqs or subs):
                    out.append(self._base(d, "the proof's inequality assumptions so far", filters=flt))
            if self.triangle:
                a, b, g = symbol("alpha"), symbol("beta"), symbol("gamma")
                out.append(self._base("positive", "the angles of a triangle", equalities=[a + b + g - sp.pi]))
        if self.integer_symbols:
            out.append(replace(self._base(domains[0]), label="real-valued parameters", integer_symbols=frozenset()))
        return out

    def stated(self, i: int, domain: str) -> Context:
        """The region relation i speaks about: the problem's setting with everything the text states
        up to it (definitions, assumptions so far, this sentence's and this step's cases)."""
        subs = dict(self._definitions_before(i))
        eqs: list[sp.Expr] = []
        flt: list[sp.Basic] = list(self._case_filters(i, self.rels[i].step))
        for part in (self._assumed_so_far(i), self._sentence_assumptions(i)):
            if part is not None:
                subs.update(part[0])
                eqs += part[1]
                flt += part[2]
        return self._base(domain, "the stated setting", equalities=eqs, substitutions=_order(subs, keep=subs),
                          filters=flt)

    def _sentence_assumptions(self, i: int):  # noqa: ANN202
        """What the same sentence assumed before this relation: values, conditions, cases."""
        seg = self.rels[i].segment
        subs: dict[sp.Symbol, sp.Expr] = {}
        eqs: list[sp.Expr] = []
        flt: list[sp.Basic] = []
        for j in range(i):
            r, p = self.rels[j], self.parsed[j]
            if p is None or r.segment.sentence != seg.sentence or r.segment.step != seg.step:
                continue
            if not (self.assumed[j] or is_definition_like(p)):
                continue
            lhs, rhs = p.lhs.expr, p.rhs.expr
            if p.op == "=":
                if isinstance(lhs, sp.Symbol) and lhs not in rhs.free_symbols:
                    subs.setdefault(lhs, rhs)
                elif isinstance(rhs, sp.Symbol) and rhs not in lhs.free_symbols:
                    subs.setdefault(rhs, lhs)
                else:
                    eqs.append(lhs - rhs)
            elif p.op in ("<", ">", "<=", ">="):
                flt.append(relational(p.op, lhs, rhs))
        for pos, sentence, said_eqs, said_filters in self.spoken:
            if sentence == seg.sentence and pos < seg.start:
                eqs += said_eqs
                flt += said_filters
        if not (subs or eqs or flt):
            return None
        return _whole_families(subs, self.parsed[i]), eqs, flt

    def _definitions_before(self, i: int) -> dict[sp.Symbol, sp.Expr]:
        """`x = \\frac{1}{bc}`-style definitions (a symbol on one side, a formula on the other)."""
        defs: dict[sp.Symbol, sp.Expr] = {}
        for j in range(i):
            p = self.parsed[j]
            if p is None or p.op != "=":
                continue
            for side, other in ((p.lhs.expr, p.rhs.expr), (p.rhs.expr, p.lhs.expr)):
                if (isinstance(side, sp.Symbol) and side not in other.free_symbols and other.free_symbols
                        and not isinstance(other, sp.Symbol)):
                    defs[side] = other
                    break
        p = self.parsed[i]
        for s in sorted(p.free if p is not None else (), key=by_name):
            if s not in defs:
                inst = _instance(s, self.families)
                if inst is not None:
                    defs[s] = inst  # b_n read through the statement's b_k = ...
        return defs

    def _point_groups(self) -> list[_PointGroup]:
        """Per step, the values it assigns (`a = b = c = 1`, `x = 2`): a point the text talks about.

        Values announced as the equality case ("equality holds iff a = b = c") form their own group:
        they say where the inequality is tight, not a case the argument goes on in."""
        groups: dict[tuple[int, bool], _PointGroup] = {}
        for j, r in enumerate(self.rels):
            p = self.parsed[j]
            if p is None or p.op != "=" or r.step is None:
                continue
            lhs, rhs = p.lhs.expr, p.rhs.expr
            tight = _in_sentence(_EQUALITY_CASE, r.segment.sentence_text)
            g = groups.setdefault((r.step, tight), _PointGroup(r.step, {}, r.segment.start, set(), tight))
            size = len(g.values)
            if isinstance(lhs, sp.Symbol) and lhs != rhs and (not rhs.free_symbols or isinstance(rhs, sp.Symbol)):
                if lhs not in g.values and not (isinstance(rhs, sp.Symbol) and g.values.get(rhs) == lhs):
                    g.values[lhs] = rhs
            elif isinstance(rhs, sp.Symbol) and not lhs.free_symbols and rhs not in g.values:
                g.values[rhs] = lhs
            if len(g.values) > size:
                if not g.sentences:
                    g.start = r.segment.start  # relations come in reading order: the first value is the earliest
                g.sentences.add(r.segment.sentence)
        return [g for _k, g in sorted(groups.items()) if g.values and str(g.step) != "C"]

    def _groups_near(self, i: int) -> list[tuple[str, dict[sp.Symbol, sp.Expr], list[sp.Basic]]]:
        """The value groups relation i may be read at, each with the assumptions made after it.

        Values speak for their step and the next one, not for the whole proof, and not for what the
        step wrote before them; an inequality assumed later (`now let z > 0` after `say z = 0`)
        ends their case."""
        r = self.rels[i]
        out = []
        for g in self.point_groups:
            if r.segment.sentence in g.sentences or (g.equality_case and r.segment.sentence == max(g.sentences) + 1):
                pass  # "Equality holds iff x = 1. Then f(1) = 2": the equality case speaks for the next sentence
            elif g.equality_case or g.step not in (r.step, r.step - 1) or g.start >= r.segment.start:
                continue
            later = [relational(p.op, p.lhs.expr, p.rhs.expr) for j, p in enumerate(self.parsed[:i])
                     if p is not None and self.assumed[j] and p.op in ("<", ">", "<=", ">=")
                     and self.rels[j].segment.start > g.start and self.rels[j].segment.sentence not in g.sentences]
            shown = ", ".join(f"{k} = {v}" for k, v in list(g.values.items())[:4])
            out.append((f"the values of step {g.step + 1} ({shown})", _whole_families(g.values, self.parsed[i]),
                        later))
            if len(out) >= _MAX_POINT_GROUPS:
                break
        return out

    def _conditions_near(self, i: int, step: int) -> list[tuple[sp.Expr, str]]:
        """Equalities with variables that are not identities: assumptions such as `a+b+c = 1`."""
        found: list[tuple[sp.Expr, str]] = []
        order = sorted(range(len(self.rels)), key=lambda j: (abs(j - i), j > i))
        for j in order:
            if j == i or j in self.identities:
                continue
            r = self.rels[j]
            if r.statement == self.rels[i].statement:
                continue  # the other links of the same chain are claims, not conditions
            if j > i and (r.step != step or not self.assumed[j]):
                continue
            # an earlier claim may serve as a condition only if it is not itself refuted
            if j < i and not self.assumed[j] and self.statuses.get(j) not in ("conditional", "assumption"):
                continue
            p = self.parsed[j]
            if p is None or p.op != "=" or not p.free or is_definition_like(p):
                continue
            if any(s.name == "C" for s in p.free):
                continue
            found.append(self._condition(j))
            if len(found) >= _MAX_CONDITIONS:
                break
        return found

    def _condition(self, j: int) -> tuple[sp.Expr, str]:
        if j not in self._condition_cache:
            p = self.parsed[j]
            assert p is not None
            # an assumption the text states ("suppose x + y = 2") or an earlier claim taken as a condition
            said = "the assumption" if self.assumed[j] else "the condition"
            self._condition_cache[j] = (p.lhs.expr - p.rhs.expr, f"{said} {p.lhs.expr} = {p.rhs.expr}")
        return self._condition_cache[j]

    def _case_filters(self, i: int, step: int) -> list[sp.Basic]:
        """Conditions this step and the one before state: bounds on one variable, assumed inequalities, ranges."""
        out: list[sp.Basic] = []
        for j, r in enumerate(self.rels):
            if j == i or r.step not in (step, step - 1):
                continue
            p = self.parsed[j]
            if p is None or p.op not in ("<", ">", "<=", ">=") or not p.free:
                continue
            if is_definition_like(p) or self.assumed[j]:
                out.append(relational(p.op, p.lhs.expr, p.rhs.expr))
        for _pos, st, conds in self.memberships:
            if st in (step, step - 1):
                out.extend(conds)
        return out

    def _assumed_so_far(self, i: int):  # noqa: ANN202
        """Everything the proof assumed before this relation (WLOG orderings, normalizations, ranges)."""
        subs: dict[sp.Symbol, sp.Expr] = {}
        eqs: list[sp.Expr] = []
        flt: list[sp.Basic] = []
        for j in range(i):
            p = self.parsed[j]
            if not self.assumed[j] or p is None:
                continue
            lhs, rhs = p.lhs.expr, p.rhs.expr
            if p.op == "=":
                if isinstance(lhs, sp.Symbol) and lhs not in rhs.free_symbols:
                    subs[lhs] = rhs
                elif isinstance(rhs, sp.Symbol) and rhs not in lhs.free_symbols:
                    subs[rhs] = lhs
                else:
                    eqs.append(lhs - rhs)
            elif p.op in ("<", ">", "<=", ">="):
                flt.append(relational(p.op, lhs, rhs))
        start = self.rels[i].segment.start
        for pos, _st, conds in self.memberships:
            if pos < start:
                flt.extend(conds)
        for pos, _sentence, said_eqs, said_filters in self.spoken:
            if pos < start:
                eqs += said_eqs
                flt += said_filters
        if not (subs or eqs or flt):
            return None
        return subs, eqs[-_MAX_CONDITIONS:], flt


def _order(defs: dict[sp.Symbol, sp.Expr], keep: Iterable[sp.Symbol] = ()) -> list[tuple[sp.Symbol, sp.Expr]]:
    """Definitions in an order where each right side only uses values already known.

    A cycle (`c = d` with `d = a + b + c`) is broken by dropping a definition not in `keep`
    (the values the current step assigns win over the proof's earlier definitions).
    """
    remaining = dict(defs)
    keep = set(keep)
    ordered: list[tuple[sp.Symbol, sp.Expr]] = []
    while remaining:
        ready = [s for s, e in remaining.items() if not (e.free_symbols & set(remaining))]
        if not ready:
            blocked = sorted(remaining, key=lambda s: (s in keep, str(s)))
            remaining.pop(blocked[0])
            continue
        for s in sorted(ready, key=by_name):
            ordered.append((s, remaining.pop(s)))
    return ordered
