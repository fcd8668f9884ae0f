r"""Notation that can be read more than one way, and the one way QED reads it: the decision table.

Every reading choice the LaTeX reader makes where a careful person could have meant something
else is a row of DECISIONS, with the reason. Where the front-ends read differently, the row says
so, and the presets below are the only place that choice is set:

- STATEMENT (`read_statement`, the formalizer): one reading is taken. A statement that is read
  wrongly is a wrong problem, so the choice is the one problem texts mean; where the choice
  cannot be made safely the reader refuses.
- FORMULA (`read_formula`, the judges and memory): one reading is taken and every ambiguity met
  is flagged, with the other reading available (`Readings.flipped`). A judge never calls a
  relation false unless it is false under each reading the flags allow.
- ANSWER (`read_formula(..., ANSWER)`, final answers): as FORMULA, except that `e` is Euler's
  number, because an answer is a value, not a claim about variables.

Rows with `choice` set are the ones a front-end can flip; the other rows are one reading for
everyone (tests/verifiers/test_latex_ambiguity.py pins each row).
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Readings:
    """How the ambiguous notations are read; each field is a row of DECISIONS with `choice` set."""

    slash: str = "product"  # a/bc: "product" a/(bc), "factor" (a/b)c
    script_digits: str = "first"  # x^23: "first" x^2·3 (as LaTeX sets it), "all" x^{23}
    function_argument: str = "run"  # \sin 2x \sqrt{3}: "run" sin(2x)·√3, "product" sin(2x√3)
    e: str = "variable"  # a bare e: "euler", "variable", "declared" (a variable if introduced)
    odd_root: str = "real"  # \sqrt[3]{t}: "real" root; "real_numbers" real for numbers only

    def flipped(self, kind: str) -> Readings | None:
        """The other reading of one flagged notation (None when there is none to try)."""
        other = _OTHER.get((kind, getattr(self, kind, None)))
        return None if other is None else replace(self, **{kind: other})


_OTHER = {
    ("slash", "product"): "factor", ("slash", "factor"): "product",
    ("script_digits", "first"): "all", ("script_digits", "all"): "first",
    ("function_argument", "run"): "product", ("function_argument", "product"): "run",
    ("e", "variable"): "euler", ("e", "euler"): "variable",
}

STATEMENT = Readings(e="declared", odd_root="real_numbers")
FORMULA = Readings()
ANSWER = Readings(e="euler")


@dataclass(frozen=True)
class Ambiguity:
    """One place a formula can be read another way: which choice (a Readings field), and where."""

    kind: str
    start: int
    end: int
    note: str


@dataclass(frozen=True)
class Decision:
    notation: str
    reading: str
    other: str  # what a writer may have meant instead
    front_ends: str  # how each front-end uses the row
    reason: str
    choice: str | None = None  # the Readings field, when the reading can be flipped


DECISIONS: tuple[Decision, ...] = (
    Decision(
        "a/bc, 1/2x, a \\div bc", "a/(bc), 1/(2x): the juxtaposed product is the denominator",
        "(a/b)c, x/2",
        "all read a/(bc); FORMULA and ANSWER flag it",
        "juxtaposition binds tighter than a written slash in olympiad texts (1/2x is 1/(2x)); the "
        "formalizer read it so and the judges tried it second; it is now the one reading",
        "slash"),
    Decision(
        "x^23, x_12", "x^2·3, x_1·2: a script without braces takes one digit", "x^{23}, x_{12}",
        "all read one digit; FORMULA and ANSWER flag a split number",
        "that is how LaTeX sets it, so it is what the reader of the rendered text saw",
        "script_digits"),
    Decision(
        "\\frac123, \\sqrt23", "(1/2)·3, √2·3: an argument without braces is one digit", "12/3, √23",
        "all", "as LaTeX sets it; `\\frac12` is 1/2"),
    Decision(
        "x^2.5, x^-1", "refused: an unbraced decimal or signed exponent", "x^{2.5}, x^{-1}",
        "all", "LaTeX sets x^-1 as x⁻1; what was meant cannot be told"),
    Decision(
        "a^b^c", "refused", "(a^b)^c or a^(b^c)", "all",
        "LaTeX itself refuses a double superscript"),
    Decision(
        "\\sin 2x \\sqrt{3}, \\sin x (y+1)",
        "sin(2x)·√3: a bare argument is a run of numbers, letters and Greek letters (with their "
        "scripts), after a first factor of any kind (\\sin\\frac{A}{2})", "sin(2x√3)",
        "all read the run; FORMULA and ANSWER flag a run followed by another factor",
        "the judges' reading; the formalizer took the whole product, which no sample statement "
        "needs and which swallows a factor a writer put after the argument",
        "function_argument"),
    Decision(
        "\\sin^2 x, \\log^2 x, \\ln(1+x)^2", "(sin x)^2, (log x)^2, (ln(1+x))^2", "sin(x^2), ln((1+x)^2)",
        "all", "the power of a function's name or of its bracketed argument is the power of its value"),
    Decision(
        "\\sin^{-1} x", "refused", "arcsin x or 1/sin x", "all",
        "both are in use; the judges used to read 1/sin x silently"),
    Decision(
        "\\log x", "the natural logarithm (\\lg is base 10, \\log_b base b)", "log base 10", "all",
        "olympiad texts mean ln; a base is written when it matters"),
    Decision(
        "e", "a variable, or Euler's number", "the other one",
        "STATEMENT: Euler's number unless the statement introduces e (a, b, c, d, e > 0); "
        "FORMULA: a variable, flagged; ANSWER: Euler's number, flagged; `\\mathrm{e}` is always Euler's",
        "a statement says which e it means by declaring it or not; a proof's e is usually the "
        "problem's variable, and an answer is a value", "e"),
    Decision(
        "i", "a variable or an index, never the imaginary unit", "√-1", "all",
        "inequalities are about real numbers"),
    Decision(
        "\\sqrt[3]{t}", "the real cube root (∛-8 = -2; odd roots of negatives are negative)",
        "the principal complex root",
        "FORMULA and ANSWER: real for every radicand (sign(t)·|t|^(1/3)); STATEMENT: real for "
        "numbers, the power t^(1/3) for a symbolic radicand",
        "texts mean the real root; the formalizer keeps a closed power the engine and solvers "
        "handle, and its sanity check refuses points where a value is not real",
        "odd_root"),
    Decision(
        "|a|b|c|, |a||b|", "|a|·b·|c|, |a|·|b|: a bar after an operand closes the open absolute "
        "value, any other bar opens one", "|a·|b|·c|", "all",
        "the formalizer's rule; the judges refused both forms"),
    Decision(
        "2 3, 1\\,000", "23, 1000: digits apart only by spacing are one number", "2·3", "all",
        "as LaTeX sets them; the formalizer used to read 2 3 as 6"),
    Decision(
        "a(b+c), f(x), \\varphi(t)", "a product a·(b+c); f(x) is a call",
        "a call of a / a product f·x",
        "STATEMENT: a call when the statement defines the function (f(x) = ...), else a "
        "product; FORMULA and ANSWER: a product, refused for letters that usually name "
        "functions (f g h F G H P Q φ ψ Φ Ψ)",
        "a statement says what it defines; a proof's f(x) cannot be evaluated"),
    Decision(
        "\\sum_{cyc}, \\sum without limits, \\cdots", "expanded over the statement's variables",
        "", "STATEMENT: expanded (a sum without limits is read as cyclic, with a note); FORMULA and "
        "ANSWER: refused", "only a statement says what the terms range over"),
    Decision(
        "\\infty", "infinity", "", "STATEMENT: infinity (intervals, limits); FORMULA and ANSWER: "
        "refused", "it is not a number to compute with"),
    Decision(
        "\\mathrm{lcm}, \\text{cyc}, \\triangle ABC", "prose: a word, never a product of letters",
        "l·c·m", "STATEMENT: a mention or a sum's label; FORMULA: refused (the judges split "
        "statements at \\text)", "upright letters name a word; `\\mathrm{d}` is the letter d"),
    Decision(
        "\\boxed{x}, \\color{red}{x}, \\mathbf{x}", "x: style only", "", "all",
        "the formalizer used to refuse them"),
    Decision(
        "\\langle, \\lfloor, \\|, \\mid", "refused (\\mid is a relation, never a bar)", "brackets, |",
        "all", "an inner product, a floor or a norm is not a bracket; the formalizer used to drop "
        "\\langle and read \\| as |"),
    Decision(
        "(a, b], [a, b)", "a half-open interval after \\in; elsewhere brackets must match", "",
        "all", "a mismatched bracket outside an interval is a typo"),
)
