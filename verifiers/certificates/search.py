"""Find a certificate for a claim: methods in order of cost, each result re-verified by the checker.

`find_certificate(claim, ...)` works in this process; `find_certificate_bounded` runs it in a
forked child killed at a hard deadline. A method's output that the checker rejects is recorded as
a failed attempt and never returned.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from qed.verifiers.certificates import FORMAT
from qed.verifiers.certificates.bounded import run_bounded
from qed.verifiers.certificates.check import ReadError, check_certificate, read_expr
from qed.verifiers.certificates.claim import Claim, ClaimError
from qed.verifiers.certificates.exact import surd_parts
from qed.verifiers.certificates.ordered import ordered_certificate
from qed.verifiers.certificates.poly import PolyProblem, leaf
from qed.verifiers.certificates.products import direct_coefficients, lp_certificate
from qed.verifiers.certificates.reduce import ReduceError, reduce_claim
from qed.verifiers.certificates.witness import (
    domain_point,
    limit_families,
    none_points,
    optimality,
    point_text,
    read_point,
    symmetric_points,
)

CHECK_SECONDS = 60.0
# The most of the budget each method may take, so that one slow method leaves time for the others.
SHARE = {"homogenized": 0.3, "coefficients": 0.1, "ordered": 0.3, "products": 0.2, "classic": 0.2, "squared-sides": 0.3, "term-split": 0.4, "root-tangent": 0.3, "squared": 0.3, "sos": 0.5, "conjugate": 0.4, "sos-multiplied": 0.4}


class MethodCut(BaseException):
    """A method ran past its time: raised by the alarm of `_cut_at`. A BaseException, so that no
    `except Exception` inside a method swallows it."""


# A method may overrun its share by this factor (plus a second) before it is cut, so that one
# method that ignores its budget no longer takes the whole search down with it.
CUT_FACTOR = 1.25


@contextlib.contextmanager
def _cut_at(seconds: float) -> Iterator[None]:
    """Raise MethodCut after `seconds` of wall time (SIGALRM, main thread only; elsewhere no cut)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def _cut(signum, frame):  # noqa: ARG001 - signal handler signature
        raise MethodCut()

    outer, _ = signal.getitimer(signal.ITIMER_REAL)  # a caller's own alarm is put back afterwards
    start = time.monotonic()
    old = signal.signal(signal.SIGALRM, _cut)
    signal.setitimer(signal.ITIMER_REAL, max(0.01, min(seconds, outer) if outer else seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(0.001, outer - (time.monotonic() - start)))


@dataclass
class MethodBudget:
    """One time budget per method, shared by the candidates it runs on (the changes of variables
    and the problem itself): each candidate gets an equal part of what is left, and time a
    candidate does not use passes to the next, so the plain problem never waits behind the
    transformed attempts that failed before it."""

    total: float
    candidates: int
    used: float = 0.0
    done: int = 0

    def next_share(self) -> float:
        left = max(0.0, self.total - self.used)
        return left / max(1, self.candidates - self.done)  # the caller grants at least 1 s

    def spent(self, seconds: float) -> None:
        self.used += seconds
        self.done += 1


@dataclass
class SearchResult:
    certificate: dict | None
    method: str | None = None
    attempts: list[dict] = field(default_factory=list)
    reason: str | None = None
    seconds: float = 0.0

    @property
    def found(self) -> bool:
        return self.certificate is not None

    def describe(self) -> dict[str, Any]:
        return {"found": self.found, "method": self.method, "attempts": self.attempts, "reason": self.reason, "seconds": round(self.seconds, 2)}


def _coefficients(problem: PolyProblem, seconds: float) -> dict | None:
    if problem.equalities or problem.op == "==":
        return None
    found = direct_coefficients(problem)
    if found is None or (problem.op == ">" and found[1] is None):
        return None
    return leaf(problem, found[0], [], found[1] if problem.op == ">" else None)


def _products(problem: PolyProblem, seconds: float) -> dict | None:
    if problem.op == "==":
        return _ideal(problem)
    lp = lp_certificate(problem, seconds=seconds)
    if lp is None:
        return None
    return leaf(problem, lp[0], lp[1], lp[2] if problem.op == ">" else None)


def _ideal(problem: PolyProblem) -> dict | None:
    """goal = Σ λ h (for "="): reduce by a Gröbner basis of the equalities, with the cofactors."""
    if problem.goal == 0:
        return {"step": "ideal"}
    if not problem.equalities:
        return None
    gens = [e.expr for e in problem.equalities]
    try:
        quotients, rem = sp.reduced(problem.goal, gens, *problem.variables)
    except (sp.PolynomialError, ValueError):
        return None
    if sp.expand(rem) != 0:
        return None
    node = leaf(problem, [], quotients)
    node["step"] = "ideal"
    node.pop("terms", None)
    return node


def _ordered(problem: PolyProblem, seconds: float) -> dict | None:
    return ordered_certificate(problem, seconds=seconds)


def _sos(problem: PolyProblem, seconds: float) -> dict | None:
    from qed.verifiers.certificates.sdp import sos_certificate

    return sos_certificate(problem, seconds=seconds)


def _sos_multiplied(problem: PolyProblem, seconds: float) -> dict | None:
    """goal · F is a sum of squares for a factor F > 0 (the Positivstellensatz with a multiplier):
    the sum of the variables, or goal + 2k when goal = L - k with L a positive linear form."""
    from qed.verifiers.certificates.classic import is_homogeneous, sos_times

    if problem.op != ">=":
        return None
    t0 = time.monotonic()
    vs = problem.variables
    goal = sp.expand(problem.goal)
    candidates = []
    const = goal.as_coeff_Add()[0]
    if const < 0 and sp.Poly(goal, *vs).total_degree() == 1:
        candidates.append(sp.expand(goal - 2 * const))
    candidates.append(sp.Add(*vs))
    if not is_homogeneous(goal, vs):
        candidates.append(1 + sp.Add(*vs))  # a goal that is not homogeneous: the constant term helps
    for factor in candidates:
        left = seconds - (time.monotonic() - t0)
        if left < 1.0:
            return None
        node = sos_times(problem, factor, left)
        if node is not None:
            return node
    return None


def _root_tangent(problem: PolyProblem, seconds: float) -> dict | None:
    from qed.verifiers.certificates.root_bounds import root_tangent_certificate

    return root_tangent_certificate(problem, seconds=seconds)


def _conjugate(problem: PolyProblem, seconds: float) -> dict | None:
    from qed.verifiers.certificates.conjugate import conjugate_certificate

    return conjugate_certificate(problem, seconds=seconds)


def _homogenized(problem: PolyProblem, seconds: float) -> dict | None:
    """Under q = k with q homogeneous of degree r, P equals its homogenisation
    P_hom = Σ_j P_j·(q/k)^((d-j)/r) on the domain (P - P_hom = λ·(q - k) exactly); P_hom >= 0 is
    then proved by the ordered-variable substitution or a sum of squares, with no equality."""
    from qed.verifiers.certificates.sdp import sos_certificate
    from qed.verifiers.certificates.text import to_text

    if problem.op == "==" or len(problem.equalities) != 1 or problem.equalities[0].scale != 1:
        return None
    vs = problem.variables
    eq = problem.equalities[0]
    hp = sp.Poly(eq.expr, *vs)
    k = -hp.coeff_monomial(1)
    q = sp.expand(eq.expr + k)
    qp = sp.Poly(q, *vs)
    degs = {sum(m) for m in qp.monoms()}
    if k == 0 or len(degs) != 1:
        return None
    r = degs.pop()
    gp = sp.Poly(problem.goal, *vs)
    d = gp.total_degree()
    parts: dict[int, sp.Expr] = {}
    for mono, c in gp.terms():
        parts[sum(mono)] = parts.get(sum(mono), 0) + c * sp.Mul(*[v**e for v, e in zip(vs, mono, strict=True)])
    if any((d - j) % r for j in parts):
        return None
    p_hom = sp.expand(sum(pj * (q / k) ** ((d - j) // r) for j, pj in parts.items()))
    lam, rem = sp.div(sp.expand(problem.goal - p_hom), eq.expr, *vs)
    if rem != 0:
        return None
    sub = PolyProblem(vs, p_hom, problem.op, problem.facts, [], problem.domain_facts, problem.domain_equalities)
    t0 = time.monotonic()
    child = ordered_certificate(sub, seconds=seconds / 2)
    if child is None and problem.op == ">=":
        child = sos_certificate(sub, seconds=max(1.0, seconds - (time.monotonic() - t0)))
    if child is None:
        return None
    mult = ["0"] * eq.index + [to_text(lam)]
    return {"step": "sum", "multipliers": mult, "parts": [{"expr": to_text(p_hom), "op": problem.op, "proof": child}]}


def _squared_homogenized(problem: PolyProblem, seconds: float) -> dict | None:
    """goal = A - B with A, B the positive and negative parts (both sums of positive monomials):
    multiplying by A + B > 0 gives A² - B², whose degrees may all match a homogeneous constraint
    q = k when the goal's do not (ab/c + bc/a + ca/b >= 3 under a² + b² + c² = 3), so that the
    homogenisation above applies to it."""
    from qed.verifiers.certificates.reduce import prove_positive
    from qed.verifiers.certificates.text import to_text

    if problem.op not in (">=", ">") or len(problem.equalities) != 1:
        return None
    goal = sp.expand(problem.goal)
    terms = sp.Add.make_args(goal)
    plus = sp.Add(*[t for t in terms if t.as_coeff_Mul()[0] > 0])
    minus = -sp.Add(*[t for t in terms if t.as_coeff_Mul()[0] < 0])
    if plus == 0 or minus == 0:
        return None
    factor = sp.expand(plus + minus)
    proof = prove_positive(factor, problem)
    if proof is None:
        return None
    new_goal = sp.expand(plus**2 - minus**2)
    child = _homogenized(problem.with_goal(new_goal), seconds)
    if child is None:
        return None
    return {"step": "multiply", "factors": [{"factor": to_text(factor), "proof": proof}], "goal": to_text(new_goal), "then": child}


Method = Callable[[PolyProblem, float], dict | None]
METHODS: list[tuple[str, Method | None]] = [
    ("coefficients", _coefficients),
    # at once when the goal holds no single product of square roots; when it does, squaring is
    # usually the proof, and the methods before it would spend its time on a doubled degree
    ("squared-sides", None),
    ("ordered", _ordered),
    ("products", _products),
    ("homogenized", _homogenized),
    ("classic", None),
    ("root-tangent", _root_tangent),
    ("squared", _squared_homogenized),
    ("sos", _sos),
    ("conjugate", _conjugate),
    ("sos-multiplied", _sos_multiplied),
]


def _base(claim: Claim) -> dict:
    return {"format": FORMAT, "claim": claim.data, "verdict": "holds"}


def find_certificate(claim: Claim, hints: dict | None = None, seconds: float = 60.0, methods: list[str] | None = None,
                     exclude: Collection[str] = ()) -> SearchResult:
    """The first certificate that re-verifies, trying the methods in order within `seconds`
    (`exclude` names methods not to try, on any change of variables: say one whose proof a
    reader could not follow)."""
    t0 = time.monotonic()
    hints = hints or {}
    result = SearchResult(None)
    if claim.relation == "none":
        pts = none_points(claim, hints.get("points", []))
        if pts is None:
            result.reason = "no two exact points of opposite sign"
        else:
            _accept(result, dict(_base(claim), points=pts, method="points"), "points", t0)
        result.seconds = time.monotonic() - t0
        return result
    opt = None
    if claim.constant is not None:
        fams = []
        for w in hints.get("limits", []):
            fams += limit_families(claim, w.get("point", {}), w.get("limits", {}))
        opt = optimality(claim, hints.get("points", []), fams)
        if opt is None:
            result.reason = "no exact point or family where the constant is attained"
            result.seconds = time.monotonic() - t0
            return result
    try:
        red = reduce_claim(claim)
    except (ReduceError, ClaimError, TypeError, ValueError, sp.PolynomialError) as e:
        result.reason = f"reduction: {e}"
        result.seconds = time.monotonic() - t0
        return result
    candidates = _candidates(red)
    known = _known_points(claim, opt, hints)
    for _, problem, wrap in candidates:
        problem.points = carry_points(known, wrap, problem)
    for name, method in METHODS:
        if name in exclude:
            continue
        if method is None:  # a step on the claim itself, not on its polynomial form
            step = _claim_level if name == "classic" else _squared_sides
            if _selected(name, "", methods) and step(result, claim, opt, seconds, t0, known):
                break
            continue
        done = False
        chosen = [c for c in candidates if _selected(name, c[0], methods)]
        budget = MethodBudget(min(seconds - (time.monotonic() - t0), SHARE.get(name, 1.0) * seconds), len(chosen))
        for label, problem, wrap in chosen:
            full = f"{label}+{name}" if label else name
            left = min(seconds - (time.monotonic() - t0), max(1.0, budget.next_share()))
            if left < 1.0:
                result.attempts.append({"method": full, "outcome": "no time left"})
                budget.spent(0.0)
                continue
            m0 = time.monotonic()
            try:
                with _cut_at(CUT_FACTOR * left + 1.0):
                    node = method(problem, left)
            except MethodCut:
                result.attempts.append({"method": full, "outcome": "cut at its time limit", "seconds": round(time.monotonic() - m0, 2)})
                budget.spent(time.monotonic() - m0)
                continue
            except (ReduceError, ArithmeticError, ValueError, TypeError, sp.PolynomialError, sp.CoercionFailed) as e:
                result.attempts.append({"method": full, "outcome": f"error: {type(e).__name__}: {str(e)[:200]}", "seconds": round(time.monotonic() - m0, 2)})
                budget.spent(time.monotonic() - m0)
                continue
            budget.spent(time.monotonic() - m0)
            if node is None:
                result.attempts.append({"method": full, "outcome": "not found", "seconds": round(time.monotonic() - m0, 2)})
                continue
            cert = dict(_base(claim), proof=wrap(node), method=full)
            _complete(cert, claim, opt, hints)
            if _accept(result, cert, full, m0):
                done = True
                break
        if done:
            break
    if not result.found and result.reason is None:
        result.reason = "; ".join(f"{a['method']}: {a['outcome']}" for a in result.attempts) or "no method applies"
    result.seconds = time.monotonic() - t0
    return result


def _selected(name: str, label: str, methods: list[str] | None) -> bool:
    """A method runs when no list is given, or the list names it (on the problem itself), its
    change of variables (with any method), or both ("ratios+ordered")."""
    if methods is None:
        return True
    if not label:
        return name in methods
    return label in methods or f"{label}+{name}" in methods


def _candidates(red) -> list[tuple[str, PolyProblem, Callable[[dict], dict]]]:
    """The reduced problem and every change of variables of it (changed ones first: with a
    constraint they are usually the easier problem)."""
    from qed.verifiers.certificates.constraints import transforms

    out = []
    for t in transforms(red.problem):
        out.append((t.label, t.problem, (lambda w: lambda child: red.wrap(w(child)))(t.wrap)))
    out.append(("", red.problem, red.wrap))
    return out


def _known_points(claim: Claim, opt: dict | None, hints: dict) -> list[dict[sp.Symbol, sp.Expr]]:
    """Exact points of the claim's domain where the goal may vanish: the optimality point and the
    engine's equality points (the SDP restricts its bases to polynomials vanishing there)."""
    raws = ([opt["point"]] if opt and "point" in opt else []) + list(hints.get("points", []))
    out = []
    for raw in raws:
        pt = read_point(raw, claim) if isinstance(raw, dict) else None
        if pt is not None and pt not in out:
            out.append(pt)
    return out + [pt for pt in symmetric_points(claim) if pt not in out]


def carry_points(points: list[dict[sp.Symbol, sp.Expr]], wrap: Callable[[dict], dict], problem: PolyProblem) -> list[dict[sp.Symbol, sp.Rational]]:
    """The points in the problem's variables: each substitute step on the way from the claim to the
    problem maps a point by its inverse. Only points with coordinates p + q·sqrt(d) (rational p,
    q; one d) are kept: the SDP's facial reduction reads those exactly."""
    hole = {"step": "hole"}
    tree = wrap(hole)
    out = []
    for pt in points:
        node, cur = tree, {str(k): v for k, v in pt.items()}
        try:
            while isinstance(node, dict) and node is not hole:
                if node.get("step") == "substitute":
                    names = {k: sp.Symbol(k) for k in cur}
                    at = {names[k]: v for k, v in cur.items()}
                    cur = {k: sp.radsimp(sp.expand(read_expr(t, names, radicals=True).xreplace(at))) for k, t in node["inverse"].items()}
                node = node.get("then")
        except (ReadError, KeyError, TypeError, ValueError, ZeroDivisionError):
            continue
        by_name = {str(v): v for v in problem.variables}
        if set(cur) == set(by_name) and all(surd_parts(v) is not None for v in cur.values()):
            mapped = {by_name[k]: v for k, v in cur.items()}
            if mapped not in out:
                out.append(mapped)
    return out


def _claim_level(result: SearchResult, claim: Claim, opt: dict | None, seconds: float, t0: float, points: list | None = None) -> bool:
    """The classical steps that work on the claim itself (tangent line), before the SDP."""
    from qed.verifiers.certificates.classic import lagrange_split, tangent_line, term_split

    left = seconds - (time.monotonic() - t0)
    if left < 2.0:
        return False

    def find() -> dict | None:
        share = min(left, SHARE["classic"] * seconds)
        with _cut_at(CUT_FACTOR * share + 1.0):
            node = tangent_line(claim, seconds=share)
        if node is None and points:
            share = min(seconds - (time.monotonic() - t0), SHARE["classic"] * seconds)
            with _cut_at(CUT_FACTOR * share + 1.0):
                node = lagrange_split(claim, points, seconds=share)
            if node is None and points:
                share = min(seconds - (time.monotonic() - t0), SHARE["term-split"] * seconds)
                with _cut_at(CUT_FACTOR * share + 1.0):
                    node = term_split(claim, points, seconds=share)
        return node

    return _proof_node_method(result, claim, opt, "classic", find)


def _squared_sides(result: SearchResult, claim: Claim, opt: dict | None, seconds: float, t0: float, points: list | None = None) -> bool:
    """Both sides squared, with the product of square roots as one variable (squared_sides.py)."""
    from qed.verifiers.certificates.squared_sides import squared_sides

    share = min(seconds - (time.monotonic() - t0), SHARE["squared-sides"] * seconds)
    if share < 2.0:
        return False

    def find() -> dict | None:
        with _cut_at(CUT_FACTOR * share + 1.0):
            return squared_sides(claim, seconds=share)

    return _proof_node_method(result, claim, opt, "squared-sides", find)


def _proof_node_method(result: SearchResult, claim: Claim, opt: dict | None, name: str,
                       find: Callable[[], dict | None]) -> bool:
    """Run a method that returns a proof node (or None), record its attempt, accept what it found."""
    m0 = time.monotonic()
    try:
        node = find()
    except MethodCut:
        result.attempts.append({"method": name, "outcome": "cut at its time limit", "seconds": round(time.monotonic() - m0, 2)})
        return False
    except (ReduceError, ArithmeticError, ValueError, TypeError, sp.PolynomialError) as e:
        result.attempts.append({"method": name, "outcome": f"error: {type(e).__name__}: {str(e)[:200]}"})
        return False
    if node is None:
        result.attempts.append({"method": name, "outcome": "not found", "seconds": round(time.monotonic() - m0, 2)})
        return False
    cert = dict(_base(claim), proof=node, method=name)
    _complete(cert, claim, opt, {})
    return _accept(result, cert, name, m0)


def _complete(cert: dict, claim: Claim, opt: dict | None, hints: dict) -> None:
    """Add the optimality witness, and a point showing that the domain is not empty."""
    if opt is not None:
        cert["optimality"] = opt
        return
    point = domain_point(claim, hints.get("points", []))
    if point is not None:
        cert["domain_point"] = point


def _accept(result: SearchResult, cert: dict, name: str, m0: float) -> bool:
    verdict = check_certificate(cert, seconds=CHECK_SECONDS)
    attempt = {"method": name, "outcome": "valid" if verdict.valid else f"rejected by the checker: {verdict.summary()}", "seconds": round(time.monotonic() - m0, 2)}
    result.attempts.append(attempt)
    if verdict.valid:
        result.certificate, result.method = cert, name
        result.reason = None
    return verdict.valid


def find_certificate_bounded(claim: Claim, hints: dict | None = None, seconds: float = 60.0, grace: float = 10.0,
                             methods: list[str] | None = None, exclude: Collection[str] = ()) -> SearchResult:
    """find_certificate in a forked child, killed after seconds + grace."""
    status, out = run_bounded(find_certificate, (claim, hints, seconds, methods, tuple(exclude)), seconds + grace)
    if status == "ok":
        return out
    return SearchResult(None, reason=f"search {status}: {str(out).splitlines()[0] if out else ''}", seconds=seconds + grace)


def counterexample_certificate(claim: Claim, points: list[dict[str, str]]) -> dict | None:
    """A "fails" certificate from the first candidate point the checker accepts."""
    for raw in points:
        pt = read_point(raw, claim)
        if pt is None:
            continue
        text = point_text(pt)
        if text is None:
            continue
        cert = {"format": FORMAT, "claim": claim.data, "verdict": "fails", "counterexample": text}
        if check_certificate(cert, seconds=CHECK_SECONDS).valid:
            return cert
    return None
