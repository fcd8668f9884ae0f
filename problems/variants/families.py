r"""Families of inequality problems whose answers are known by construction.

Each family is a classical inequality (AM-GM, power means, Nesbitt's, Weitzenböck's, the
triangle's trigonometric bounds, ...) with its parameters exposed: the constant, the exponent,
the number of variables, the domain words, the triangle's kind, the equality constraint. The
answer is the closed form the classical proof gives for those parameters (2^(1-p), (S/n)^n,
3/(1+k), ...), with the reason in `why`; nothing here runs the engine. Statements are written in
IneqMath's style, in this project's own words.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

RELATION_TAIL = (
    "\nDetermine the correct inequality relation to fill in the blank.\n\nOptions:\n\n"
    "(A) $\\leq$ \n\n(B) $\\geq$\n\n(C) $=$ \n\n(D) $<$\n\n(E) $>$\n\n(F) None of the above"
)
OPTIONS = {"A": "(A) $\\leq$", "B": "(B) $\\geq$", "C": "(C) $=$", "D": "(D) $<$", "E": "(E) $>$",
           "F": "(F) None of the above"}
FLIP = {"A": "B", "B": "A", "C": "C", "D": "E", "E": "D", "F": "F"}

TRIPLES = (("a", "b", "c"), ("x", "y", "z"), ("p", "q", "r"), ("u", "v", "w"))
PAIRS = (("a", "b"), ("x", "y"), ("p", "q"), ("s", "t"))
QUADS = (("a", "b", "c", "d"), ("x", "y", "z", "w"), ("p", "q", "r", "s"))


@dataclass
class Variant:
    family: str
    kind: str  # "bound" or "relation"
    statement: str
    answer: str  # IneqMath's format: "$$C = ...$$" or "(B) $\\geq$"
    why: str


def names_for(rng: random.Random, n: int) -> tuple[str, ...]:
    pool = {2: PAIRS, 3: TRIPLES, 4: QUADS}[n]
    return rng.choice(pool)


def listing(names: tuple[str, ...]) -> str:
    return ", ".join(names)


def domain_phrase(rng: random.Random, names: tuple[str, ...], domain: str) -> str:
    """'Let $a, b, c$ be positive real numbers' in one of several wordings."""
    n = listing(names)
    forms = {
        "positive": [f"Let ${n}$ be positive real numbers", f"Let ${n} > 0$", f"Let ${n}$ be positive reals",
                     f"Let ${n} \\in \\mathbb{{R}}^{{+}}$"],
        "nonnegative": [f"Let ${n}$ be non-negative real numbers", f"Let ${n} \\geq 0$",
                        f"Let ${n}$ be nonnegative reals"],
        "real": [f"Let ${n}$ be real numbers", f"Let ${n} \\in \\mathbb{{R}}$"],
        "distinct positive": [f"Let ${n}$ be distinct positive real numbers",
                              f"Let ${n}$ be pairwise distinct positive reals"],
        "distinct real": [f"Let ${n}$ be distinct real numbers"],
    }[domain]
    return rng.choice(forms)


def relation(statement_head: str, lhs: str, rhs: str, letter: str, family: str, why: str, swap: bool) -> Variant:
    if swap:
        lhs, rhs, letter = rhs, lhs, FLIP[letter]
    text = f"{statement_head} Consider the following inequality:\n$$\n{lhs} \\quad () \\quad {rhs}\n$$" + RELATION_TAIL
    return Variant(family, "relation", text, OPTIONS[letter], why)


def bound(statement_head: str, inequality: str, value: sp.Expr, family: str, why: str, asked: str, names: str) -> Variant:
    word = {"largest": ["largest", "maximal", "greatest"], "smallest": ["smallest", "minimal", "least"]}[asked]
    text = (f"{statement_head} Find the {word[len(statement_head) % len(word)]} constant $C$ such that the "
            f"following inequality holds for all {names}:\n$$\n{inequality}\n$$")
    return Variant(family, "bound", text, f"$$C = {sp.latex(sp.nsimplify(value))}$$", why)


def sym_sum(terms: list[str]) -> str:
    return " + ".join(terms)


# -- bound families ------------------------------------------------------------------------------


def power_mean(rng: random.Random) -> Variant:
    n = rng.choice([2, 3])
    p = rng.choice([2, 3, 4, 5] if n == 2 else [2, 3, 4])
    names = names_for(rng, n)
    lhs = sym_sum([f"{v}^{{{p}}}" for v in names])
    ineq = f"{lhs} \\geq C \\left({' + '.join(names)}\\right)^{{{p}}}"
    head = domain_phrase(rng, names, "positive") + "."
    return bound(head, ineq, sp.Integer(n) ** (1 - p), "power_mean", f"power mean: sum x^{p} >= n^(1-{p}) (sum x)^{p}, equality all equal", "largest", f"${listing(names)}$")


def am_gm_product(rng: random.Random) -> Variant:
    n = rng.choice([2, 3, 4])
    s = rng.choice([1, 2, 3, 4, 6])
    names = names_for(rng, n)
    head = domain_phrase(rng, names, "positive") + f" such that ${' + '.join(names)} = {s}$."
    ineq = f"{''.join(names)} \\leq C"
    return bound(head, ineq, sp.Rational(s, n) ** n, "am_gm_product", "AM-GM: product <= (S/n)^n at all equal", "smallest", f"${listing(names)}$ satisfying the condition")


def squares_with_sum(rng: random.Random) -> Variant:
    n = rng.choice([2, 3, 4])
    s = rng.choice([1, 2, 3, 6])
    names = names_for(rng, n)
    dom = rng.choice(["positive", "nonnegative", "real"])
    head = domain_phrase(rng, names, dom) + f" with ${' + '.join(names)} = {s}$."
    ineq = f"{sym_sum([f'{v}^{{2}}' for v in names])} \\geq C"
    return bound(head, ineq, sp.Rational(s * s, n), "squares_with_sum", "QM-AM: sum of squares >= S^2/n at all equal", "largest", f"${listing(names)}$")


def x_plus_k_over_x(rng: random.Random) -> Variant:
    k = rng.choice([1, 2, 3, 4, 5, 7, 9])
    v = rng.choice(["x", "t", "a"])
    head = rng.choice([f"Let ${v} > 0$.", f"Let ${v}$ be a positive real number."])
    ineq = f"{v} + \\frac{{{k}}}{{{v}}} \\geq C"
    return bound(head, ineq, 2 * sp.sqrt(k), "x_plus_k_over_x", f"AM-GM: x + {k}/x >= 2 sqrt({k}) at x = sqrt({k})", "largest", f"${v}$")


def nesbitt_k(rng: random.Random) -> Variant:
    k = rng.choice([sp.Integer(1), sp.Integer(2), sp.Integer(3), sp.Rational(1, 2)])
    a, b, c = names_for(rng, 3)
    kk = "" if k == 1 else sp.latex(k) + " "
    terms = [f"\\frac{{{a}}}{{{b} + {kk}{c}}}", f"\\frac{{{b}}}{{{c} + {kk}{a}}}", f"\\frac{{{c}}}{{{a} + {kk}{b}}}"]
    head = domain_phrase(rng, (a, b, c), "positive") + "."
    return bound(head, f"{sym_sum(terms)} \\geq C", 3 / (1 + k), "nesbitt_k", "Cauchy-Schwarz: sum a/(b + k c) >= 3/(1 + k) at a = b = c", "largest", f"${a}, {b}, {c}$")


def constant_inside_power(rng: random.Random) -> Variant:
    """The constant raised with its factor: (C (x + y))^p, read as one bracket to the power p."""
    n = rng.choice([2, 3])
    p = rng.choice([2, 3, 4])
    names = names_for(rng, n)
    lhs = sym_sum([f"{v}^{{{p}}}" for v in names])
    bracket = rng.choice([("\\left(", "\\right)"), ("(", ")")])
    ineq = f"{lhs} \\geq {bracket[0]}C\\left({' + '.join(names)}\\right){bracket[1]}^{{{p}}}"
    head = domain_phrase(rng, names, "positive") + "."
    value = sp.Integer(n) ** sp.Rational(1 - p, p)
    return bound(head, ineq, value, "constant_inside_power",
                 f"power mean: (sum x^{p} / n)^(1/{p}) >= sum x / n, so C = n^(1/{p} - 1), all equal", "largest", f"${listing(names)}$")


def sum_times_reciprocals(rng: random.Random) -> Variant:
    n = rng.choice([2, 3, 4])
    names = names_for(rng, n)
    reciprocals = " + ".join("\\frac{1}{" + v + "}" for v in names)
    left = f"\\left({' + '.join(names)}\\right)\\left({reciprocals}\\right)"
    head = domain_phrase(rng, names, "positive") + "."
    return bound(head, f"{left} \\geq C", sp.Integer(n * n), "sum_times_reciprocals", "Cauchy-Schwarz: (sum x)(sum 1/x) >= n^2", "largest", f"${listing(names)}$")


def product_fixed(rng: random.Random) -> Variant:
    n = rng.choice([2, 3])
    k = rng.choice([1, 2, 3])
    names = names_for(rng, n)
    head = domain_phrase(rng, names, "positive") + f" such that ${''.join(names)} = {k ** n}$."
    return bound(head, f"{' + '.join(names)} \\geq C", sp.Integer(n * k), "product_fixed", "AM-GM: sum >= n (product)^(1/n)", "largest", f"${listing(names)}$")


def quadratic_form(rng: random.Random) -> Variant:
    k = rng.choice([1, 2, 3, 4])
    x, y = names_for(rng, 2)
    dom = rng.choice(["positive", "real"])
    kk = "" if k == 1 else str(k) + " "
    head = domain_phrase(rng, (x, y), dom) + "."
    return bound(head, f"{x}^{{2}} + {kk}{y}^{{2}} \\geq C {x} {y}", 2 * sp.sqrt(k), "quadratic_form",
                 f"AM-GM: x^2 + {k} y^2 >= 2 sqrt({k}) |xy|; over the reals xy < 0 only bounds C from below", "largest", f"${x}, {y}$")


def triangle_trig_bound(rng: random.Random) -> Variant:
    which = rng.choice(["sin", "cos", "tan", "cosprod", "sinprod"])
    head = rng.choice(["Let $A, B, C$ be the angles of a triangle.", "In a triangle with angles $A, B, C$,"])
    if which == "tan":
        head = rng.choice(["Let $A, B, C$ be the angles of an acute triangle.", "In an acute triangle with angles $A, B, C$,"])
    # the constant is named K here: C is an angle
    table = {
        "sin": ("\\sin A + \\sin B + \\sin C \\leq K", 3 * sp.sqrt(3) / 2, "smallest", "Jensen: sin is concave on (0, pi)"),
        "cos": ("\\cos A + \\cos B + \\cos C \\leq K", sp.Rational(3, 2), "smallest", "cos A + cos B + cos C = 1 + r/R <= 3/2"),
        "tan": ("\\tan A + \\tan B + \\tan C \\geq K", 3 * sp.sqrt(3), "largest", "Jensen: tan is convex on (0, pi/2)"),
        "cosprod": ("\\cos A \\cos B \\cos C \\leq K", sp.Rational(1, 8), "smallest", "product of cosines <= 1/8, equilateral"),
        "sinprod": ("\\sin A \\sin B \\sin C \\leq K", 3 * sp.sqrt(3) / 8, "smallest", "AM-GM with Jensen, equilateral"),
    }
    ineq, value, asked, why = table[which]
    word = "largest" if asked == "largest" else "smallest"
    text = f"{head} Find the {word} constant $K$ such that the following inequality holds for all such triangles:\n$$\n{ineq}\n$$"
    return Variant("triangle_trig_bound", "bound", text, f"$$K = {sp.latex(value)}$$", why)


def triangle_sides_bound(rng: random.Random) -> Variant:
    which = rng.choice(["weitzenbock", "right", "sum_square_low", "sum_square_high"])
    a, b, c = rng.choice([("a", "b", "c"), ("x", "y", "z")])
    if which == "weitzenbock":
        head = f"Let ${a}, {b}, {c}$ be the side lengths of a triangle and let $S$ be its area."
        return bound(head, f"{a}^{{2}} + {b}^{{2}} + {c}^{{2}} \\geq C S", 4 * sp.sqrt(3), "triangle_sides_bound", "Weitzenboeck, equilateral", "largest", "triangles")
    if which == "right":
        head = f"Let ${a}, {b}, {c}$ be the side lengths of a right triangle with hypotenuse ${c}$."
        return bound(head, f"{a} + {b} \\leq C {c}", sp.sqrt(2), "triangle_sides_bound", "QM-AM on the legs, isosceles right triangle", "smallest", "such triangles")
    head = f"Let ${a}, {b}, {c}$ be the side lengths of a triangle."
    left = f"\\left({a} + {b} + {c}\\right)^{{2}}"
    right = f"{a} {b} + {b} {c} + {c} {a}"
    if which == "sum_square_low":
        return bound(head, f"{left} \\geq C \\left({right}\\right)", sp.Integer(3), "triangle_sides_bound", "a^2+b^2+c^2 >= ab+bc+ca, equilateral", "largest", "triangles")
    return bound(head, f"{left} \\leq C \\left({right}\\right)", sp.Integer(4), "triangle_sides_bound", "a^2+b^2+c^2 < 2(ab+bc+ca), approached by degenerate triangles", "smallest", "triangles")


def constant_named_like_an_angle(rng: random.Random) -> Variant:
    f = rng.choice(["\\sin A + \\sin B", "\\sin A \\sin B"])
    value = 2 if "+" in f else 1
    text = ("Let $A, B, C$ be the angles of a triangle. Find the smallest constant $C$ such that the following "
            f"inequality holds for all such triangles:\n$$\n{f} \\leq C\n$$")
    return Variant("constant_named_like_an_angle", "bound", text, f"$$C = {value}$$",
                   "the constant C is not the angle C; the bound is approached as the angle C tends to 0")


def real_parameter(rng: random.Random) -> Variant:
    """The constant as a function of a real parameter k of the statement."""
    which = rng.choice(["quadratic", "reciprocal", "low_range", "high_range", "power"])
    x, y = names_for(rng, 2)
    k = sp.Symbol("k", positive=True)
    if which == "quadratic":
        head = f"Let $k > 0$ be a real number. Find the largest constant $C$, depending on $k$, such that for all positive reals ${x}, {y}$:"
        return Variant("real_parameter", "bound", f"{head}\n$$\n{x}^{{2}} + k {y}^{{2}} \\geq C {x} {y}\n$$",
                       f"$$C = {sp.latex(2 * sp.sqrt(k))}$$", "AM-GM: x^2 + k y^2 >= 2 sqrt(k) xy")
    if which == "reciprocal":
        head = f"Let $k$ be a fixed positive real number. Find the largest constant $C$ such that for all ${x} > 0$:"
        return Variant("real_parameter", "bound", f"{head}\n$$\n{x} + \\frac{{k}}{{{x}}} \\geq C\n$$",
                       f"$$C = {sp.latex(2 * sp.sqrt(k))}$$", "AM-GM at x = sqrt(k)")
    if which in ("low_range", "high_range"):
        rng_text, value, why = (("[0, 2]", (2 + k) / 4, "the minimum of the ratio is at a = b when k <= 2") if which == "low_range"
                                else ("[2, 5]", sp.Integer(1), "for k >= 2 the ratio exceeds 1 and tends to 1 as one variable tends to 0"))
        head = f"Let $k \\in {rng_text}$ and let ${x}, {y}$ be positive reals. Find the largest constant $C$ such that the following inequality holds for all ${x}, {y}$:"
        return Variant("real_parameter", "bound", f"{head}\n$$\n{x}^{{2}} + {y}^{{2}} + k {x} {y} \\geq C \\left({x} + {y}\\right)^{{2}}\n$$",
                       f"$$C = {sp.latex(value)}$$", why)
    head = f"Let $k \\geq 1$ be a real number. Find the largest constant $C$, depending on $k$, such that for all positive reals ${x}, {y}$:"
    return Variant("real_parameter", "bound", f"{head}\n$$\n{x}^{{k}} + {y}^{{k}} \\geq C \\left({x} + {y}\\right)^{{k}}\n$$",
                   f"$$C = {sp.latex(2 ** (1 - k))}$$", "power mean with exponent k >= 1, equality x = y")


# -- relation families ---------------------------------------------------------------------------


def two_squares(rng: random.Random) -> Variant:
    x, y = names_for(rng, 2)
    dom = rng.choice(["positive", "real", "nonnegative"])
    head = domain_phrase(rng, (x, y), dom) + "."
    return relation(head, f"{x}^{{2}} + {y}^{{2}}", f"2 {x} {y}", "B", "two_squares", "(x - y)^2 >= 0, equality x = y", rng.random() < 0.5)


def with_margin(rng: random.Random) -> Variant:
    x, y = names_for(rng, 2)
    k = rng.choice(["1", "2", "\\frac{1}{2}", "3"])
    head = domain_phrase(rng, (x, y), "real") + "."
    return relation(head, f"{x}^{{2}} + {y}^{{2}} + {k}", f"2 {x} {y}", "E", "with_margin", "(x - y)^2 + k > 0 with a margin: strict, not tight", rng.random() < 0.5)


def both_signs(rng: random.Random) -> Variant:
    x = rng.choice(["x", "t", "a"])
    k = rng.choice([3, 4, 5])
    head = rng.choice([f"Let ${x} > 0$.", f"Let ${x}$ be a positive real number."])
    return relation(head, f"{x} + \\frac{{1}}{{{x}}}", str(k), "F", "both_signs", f"x + 1/x takes every value >= 2, so both sides of {k}", rng.random() < 0.5)


def zero_is_allowed(rng: random.Random) -> Variant:
    x, y = names_for(rng, 2)
    dom = rng.choice(["positive", "nonnegative"])
    form = rng.choice([(f"{x}^{{2}} + {y}^{{2}}", f"{x} {y}"), (f"{x}^{{3}} + {y}^{{3}}", f"{x}^{{2}} {y}")])
    head = domain_phrase(rng, (x, y), dom) + "."
    letter = "B" if dom == "nonnegative" else "E"
    return relation(head, form[0], form[1], letter, "zero_is_allowed",
                    "lhs - rhs > 0 except at x = y = 0, where both sides vanish: an equality point only if 0 is allowed", rng.random() < 0.5)


def distinct_variables(rng: random.Random) -> Variant:
    a, b, c = names_for(rng, 3)
    dom = rng.choice(["positive", "distinct positive", "real", "distinct real"])
    head = domain_phrase(rng, (a, b, c), dom) + "."
    letter = "E" if "distinct" in dom else "B"
    return relation(head, f"{a}^{{2}} + {b}^{{2}} + {c}^{{2}}", f"{a} {b} + {b} {c} + {c} {a}", letter, "distinct_variables",
                    "sum of squares of differences / 2 >= 0, zero only when all are equal", rng.random() < 0.5)


def triangle_relations(rng: random.Random) -> Variant:
    a, b, c = rng.choice([("a", "b", "c"), ("x", "y", "z")])
    which = rng.choice(["degenerate", "heron", "acute_sq", "plain_sq", "right_sq"])
    if which == "degenerate":
        head = f"Let ${a}, {b}, {c}$ be the side lengths of a triangle."
        return relation(head, f"{a}^{{2}} + {b}^{{2}} + {c}^{{2}}", f"2\\left({a} {b} + {b} {c} + {c} {a}\\right)", "D", "triangle_relations",
                        "Ravi: the difference is -4(xy + yz + zx) < 0, closing only for degenerate triangles", rng.random() < 0.5)
    if which == "heron":
        head = f"Let ${a}, {b}, {c}$ be the side lengths of a triangle."
        return relation(head, f"\\left({a} + {b} - {c}\\right)\\left({b} + {c} - {a}\\right)\\left({c} + {a} - {b}\\right)", f"{a} {b} {c}", "A", "triangle_relations",
                        "Padoa: (a+b-c)(b+c-a)(c+a-b) <= abc, equilateral", rng.random() < 0.5)
    kind = {"acute_sq": "an acute", "plain_sq": "a", "right_sq": "a right"}[which]
    tail = f" with hypotenuse ${c}$" if which == "right_sq" else ""
    head = f"Let ${a}, {b}, {c}$ be the side lengths of {kind} triangle{tail}."
    letter = {"acute_sq": "E", "plain_sq": "F", "right_sq": "C"}[which]
    why = {"acute_sq": "law of cosines: cos of the angle opposite c is positive", "plain_sq": "the angle opposite c may be acute or obtuse",
           "right_sq": "Pythagoras"}[which]
    return relation(head, f"{a}^{{2}} + {b}^{{2}}", f"{c}^{{2}}", letter, "triangle_relations", why, rng.random() < 0.5)


def triangle_angles_relation(rng: random.Random) -> Variant:
    which = rng.choice(["tan_acute", "tan_any", "cos", "sin"])
    if which.startswith("tan"):
        kind = "an acute triangle" if which == "tan_acute" else "a triangle"
        head = rng.choice([f"In {kind} $ABC$,", f"Let $A, B, C$ be the angles of {kind}."])
        letter = "B" if which == "tan_acute" else "F"
        why = "tan convex on (0, pi/2)" if which == "tan_acute" else "an obtuse angle makes the sum of tangents negative"
        return relation(head, "\\tan A + \\tan B + \\tan C", "3\\sqrt{3}", letter, "triangle_angles_relation", why, rng.random() < 0.5)
    head = rng.choice(["In a triangle $ABC$,", "Let $A, B, C$ be the angles of a triangle."])
    if which == "cos":
        return relation(head, "\\cos A + \\cos B + \\cos C", "\\frac{3}{2}", "A", "triangle_angles_relation", "1 + r/R <= 3/2", rng.random() < 0.5)
    return relation(head, "\\sin A + \\sin B + \\sin C", "\\frac{3\\sqrt{3}}{2}", "A", "triangle_angles_relation", "Jensen", rng.random() < 0.5)


def squared_product(rng: random.Random) -> Variant:
    """A letter times a bracket, all squared: (a(b + c))^2 = a^2 (b + c)^2 >= 4 a^2 b c."""
    a, b, c = names_for(rng, 3)
    head = domain_phrase(rng, (a, b, c), "positive") + "."
    return relation(head, f"\\left({a}\\left({b} + {c}\\right)\\right)^{{2}}", f"4 {a}^{{2}} {b} {c}", "B", "squared_product",
                    "a^2 (b + c)^2 - 4 a^2 b c = a^2 (b - c)^2 >= 0, equality b = c", rng.random() < 0.5)


def with_constraint(rng: random.Random) -> Variant:
    names = names_for(rng, 3)
    a, b, c = names
    s = rng.choice([3, 6])
    m = sp.Rational(s, 3)
    head = domain_phrase(rng, names, "positive") + f" such that ${a} + {b} + {c} = {s}$."
    which = rng.choice(["pairs", "product", "squares"])
    if which == "pairs":
        return relation(head, f"{a} {b} + {b} {c} + {c} {a}", sp.latex(3 * m**2), "A", "with_constraint", "ab+bc+ca <= (a+b+c)^2/3", rng.random() < 0.5)
    if which == "product":
        return relation(head, f"{a} {b} {c}", sp.latex(m**3), "A", "with_constraint", "AM-GM", rng.random() < 0.5)
    return relation(head, f"{a}^{{2}} + {b}^{{2}} + {c}^{{2}}", sp.latex(3 * m**2), "B", "with_constraint", "QM-AM", rng.random() < 0.5)


def ordered(rng: random.Random) -> Variant:
    a, b, c = rng.choice(TRIPLES)
    strict = rng.random() < 0.5
    op = ">" if strict else "\\geq"
    head = f"Let ${a} {op} {b} {op} {c} > 0$ be real numbers."
    return relation(head, f"\\left({a} - {b}\\right)\\left({b} - {c}\\right)", "0", "E" if strict else "B", "ordered",
                    "a product of two non-negative factors, zero only if two variables are equal", rng.random() < 0.5)


def cyclic_limit(rng: random.Random) -> Variant:
    a, b, c = names_for(rng, 3)
    head = domain_phrase(rng, (a, b, c), "positive") + "."
    lhs = f"\\frac{{{a}}}{{{a} + {b}}} + \\frac{{{b}}}{{{b} + {c}}} + \\frac{{{c}}}{{{c} + {a}}}"
    upper = rng.random() < 0.5
    return relation(head, lhs, "2" if upper else "1", "D" if upper else "E", "cyclic_limit",
                    "each term lies in (0, 1) and the sum lies strictly between 1 and 2; both ends are approached only in limits", rng.random() < 0.5)


def square_of_sum(rng: random.Random) -> Variant:
    n = rng.choice([2, 3, 4])
    names = names_for(rng, n)
    dom = rng.choice(["real", "positive"])
    head = domain_phrase(rng, names, dom) + "."
    return relation(head, f"\\left({' + '.join(names)}\\right)^{{2}}", f"{n}\\left({sym_sum([f'{v}^{{2}}' for v in names])}\\right)", "A",
                    "square_of_sum", "Cauchy-Schwarz, equality all equal", rng.random() < 0.5)


def shifted_squares_product(rng: random.Random) -> Variant:
    """prod (x_j^2 + p) = |prod (x_j + i sqrt(p))|^2 = Re^2 + Im^2 for real x_j: either square alone
    bounds the product (Im^2 = p * I^2 with I a polynomial), and the other one's zero set, where the
    first is not 0, makes the bound tight. Degree 6 or 8 in three or four variables, and the
    difference at the best constant is a square (z3 alone needs longer than the engine gives it)."""
    n = rng.choice([3, 4])
    names = names_for(rng, n)
    p = rng.choice([sp.Integer(1), sp.Integer(2), sp.Integer(3), sp.Rational(1, 2)])
    xs = sp.symbols(" ".join(names), real=True)
    s = sp.Dummy("s", positive=True)  # sqrt(p), eliminated below
    z = sp.expand(sp.prod([x + sp.I * s for x in xs]))
    re, im = (sp.expand(part.subs(s**2, p)) for part in (sp.re(z), sp.im(z) / s))
    im = sp.expand(sp.expand(im).subs(s**2, p))
    pl = sp.latex(p)
    head = domain_phrase(rng, names, "real") + "."
    lhs = "".join(f"\\left({v}^{{2}} + {pl}\\right)" for v in names)
    if rng.random() < 0.5:
        rhs, value = im, p
        why = f"the product minus {p}*({im})^2 is ({re})^2, which vanishes where ({im}) does not"
    else:
        rhs, value = re, sp.Integer(1)
        why = f"the product minus ({re})^2 is {p}*({im})^2, which vanishes where ({re}) does not"
    return bound(head, f"{lhs} \\geq C \\left({sp.latex(rhs)}\\right)^{{2}}", value, "shifted_squares_product", why,
                 "largest", f"${listing(names)}$")


def count_family(rng: random.Random) -> Variant:
    s = rng.choice(["x", "t"])
    low = rng.choice([2, 3])
    head = f"Let $n \\geq {low}$ be an integer and let ${s}_1, {s}_2, \\ldots, {s}_n$ be positive real numbers such that ${s}_1 + {s}_2 + \\cdots + {s}_n = n$."
    return relation(head, f"{s}_1^{{2}} + {s}_2^{{2}} + \\cdots + {s}_n^{{2}}", "n", "B", "count_family", "QM-AM for every n", rng.random() < 0.5)


FAMILIES: dict[str, Callable[[random.Random], Variant]] = {
    f.__name__: f
    for f in (
        power_mean, constant_inside_power, am_gm_product, squares_with_sum, x_plus_k_over_x, nesbitt_k, sum_times_reciprocals,
        product_fixed, quadratic_form, triangle_trig_bound, triangle_sides_bound, constant_named_like_an_angle,
        real_parameter,
        two_squares, with_margin, both_signs, zero_is_allowed, distinct_variables, triangle_relations,
        triangle_angles_relation, squared_product, with_constraint, ordered, cyclic_limit, square_of_sum, count_family,
        shifted_squares_product,
    )
}
