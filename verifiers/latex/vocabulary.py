"""Every LaTeX command and character QED's reader knows, in one table: what each one is.

The lexer turns a command into a token by its category here, and the parser reads tokens by the
same names, so a command is added (or its meaning changed) in this file and nowhere else. A
command that is not in the table is read by nobody: the parser says so ("\\oint is not read").
"""

from __future__ import annotations

from dataclasses import dataclass

# -- commands, by category ------------------------------------------------------------------------

# Render nothing, or only change size, spacing or style: dropped by the lexer.
LAYOUT = (
    "left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
    "biggl", "biggr", "Biggl", "Biggr", "bigm", "Bigm", "displaystyle", "textstyle",
    "scriptstyle", "scriptscriptstyle", "limits", "nolimits", "nonumber", "notag", "hline",
    "allowbreak", "medspace", "thinspace", "thickspace", "negthinspace", "enspace", "hfill",
    "mathstrut", "strut", "medskip", "smallskip", "bigskip", "noindent", "space",
)
# Spacing that separates statements (`x = 1 \quad y = 2`): a `sep` token the judges split at.
WIDE_SPACES = ("quad", "qquad")
# Dropped together with their one braced argument (`\tag{1}`, `\color{red}`).
DROPPED_WITH_ARGUMENT = (
    "tag", "label", "color", "hspace", "vspace", "phantom", "hphantom", "vphantom", "textcolor",
)
# Style only: the argument is read as if written bare (`\mathbf{x}` is x, `\boxed{3}` is 3).
STYLE = (
    "mathbf", "mathit", "mathsf", "mathnormal", "boldsymbol", "bm", "boxed", "fbox", "underline",
)
# Prose: the braced argument is text (`\text{for all } x`), a `text` token.
TEXT = ("text", "textrm", "textbf", "textit", "textnormal", "texttt", "textsf", "mbox", "hbox")
# Upright names: `\mathrm{d}` is the letter d, `\mathrm{e}` Euler's number, `\operatorname{lcm}` a word.
UPRIGHT = ("mathrm", "operatorname")
GREEK = (
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "varrho", "sigma", "varsigma",
    "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda",
    "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell",
)
FUNCTIONS = (
    "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
    "ln", "log", "lg", "exp",
)
EXTREMA = ("max", "min")
FRACTIONS = ("frac", "dfrac", "tfrac", "cfrac")
BINOMIALS = ("binom", "dbinom", "tbinom")
ROOTS = ("sqrt",)
BIG_OPERATORS = ("sum", "prod")
CONSTANTS = {"pi": "pi", "infty": "oo", "infin": "oo"}
NUMBER_SETS = ("mathbb",)
TIMES = ("cdot", "times", "ast", "bullet")
DIVIDE = ("div",)
ELLIPSES = ("cdots", "ldots", "dots", "dotsb", "dotsm", "dotsc", "dotso", "hdots", "vdots", "ddots")
BARS = ("vert", "lvert", "rvert")
SET_BRACES = {"lbrace": "{", "rbrace": "}"}
MENTIONS = ("triangle",)  # `\triangle ABC` names a figure; read as prose
# Relations and connectives, each with the symbol the parser and the judges compare by.
RELATIONS = {
    "le": "<=", "leq": "<=", "leqslant": "<=", "leqq": "<=",
    "ge": ">=", "geq": ">=", "geqslant": ">=", "geqq": ">=",
    "lt": "<", "gt": ">", "ne": "!=", "neq": "!=",
    "approx": "~", "simeq": "~", "thickapprox": "~",
    "sim": "sim", "equiv": "equiv", "cong": "equiv",
    "in": "in", "notin": "notin",
    "propto": "other", "ll": "other", "gg": "other", "prec": "other", "succ": "other",
    "preceq": "other", "succeq": "other", "mid": "other", "nmid": "other", "parallel": "other",
    "perp": "other",
    "Leftrightarrow": "logic", "iff": "logic", "Longleftrightarrow": "logic", "Rightarrow": "logic",
    "implies": "logic", "Longrightarrow": "logic", "Leftarrow": "logic", "impliedby": "logic",
    "Longleftarrow": "logic", "to": "logic", "rightarrow": "logic", "longrightarrow": "logic",
    "mapsto": "logic", "leftarrow": "logic", "therefore": "logic", "because": "logic",
    "subset": "logic", "subseteq": "logic", "supset": "logic", "supseteq": "logic",
    "coloneqq": "logic", "eqqcolon": "logic", "forall": "logic", "exists": "logic",
    "land": "logic", "lor": "logic", "wedge": "logic", "vee": "logic", "setminus": "logic",
    "cup": "logic", "cap": "logic",
}
# `\stackrel{AM-GM}{\geq}`: the relation under a note is the relation.
ANNOTATED = ("stackrel", "overset", "underset")
NEGATION = ("not",)  # `\not=`, `\not\le`: a relation that is not one QED compares by
ENVIRONMENT = ("begin", "end")

# -- what the relations mean to a reader ----------------------------------------------------------

COMPARISONS = ("<=", ">=", "<", ">", "=", "!=")  # what a statement may claim or assume
APPROXIMATION = "~"
# Relations that end a statement as a connective does: `x \in (0, 1), y = 2`, `A \Rightarrow B`.
CONNECTIVES = ("logic", "in", "notin")

# Display environments that only arrange lines: their content is one formula.
LAYOUT_ENVIRONMENTS = (
    "aligned", "align", "gathered", "gather", "split", "multline", "equation", "eqnarray",
    "displaymath", "flalign", "alignat", "alignedat", "math",
)
# Environments whose content is a table or cases: nothing in them is read.
UNREADABLE_ENVIRONMENTS = (
    "cases", "dcases", "array", "matrix", "pmatrix", "bmatrix", "vmatrix", "Vmatrix",
    "smallmatrix", "tabular",
)
# Letters conventionally naming functions: `f(x)` applies f, it does not multiply.
FUNCTION_LETTERS = ("f", "g", "h", "F", "G", "H", "P", "Q", "phi", "varphi", "psi", "Phi", "Psi")

# -- characters -----------------------------------------------------------------------------------

# Skipped: spacing, alignment, and `$` where a split formula was joined.
SPACING_CHARACTERS = " \t\n\r~&$"
# After a backslash: thin and medium spaces.
SPACE_ESCAPES = ",;:! >\n\t"
UNICODE = {
    "≤": ("rel", "<="), "⩽": ("rel", "<="), "≥": ("rel", ">="), "⩾": ("rel", ">="),
    "≠": ("rel", "!="), "≈": ("rel", "~"), "≡": ("rel", "equiv"), "∈": ("rel", "in"),
    "∉": ("rel", "notin"), "⇔": ("rel", "logic"), "⇒": ("rel", "logic"), "→": ("rel", "logic"),
    "·": ("op", "*"), "×": ("op", "*"), "−": ("op", "-"), "–": ("op", "-"),
    "…": ("ellipsis", "..."), "⋯": ("ellipsis", "..."),
    "∞": ("cmd", "infty"), "π": ("cmd", "pi"),
    "α": ("cmd", "alpha"), "β": ("cmd", "beta"), "γ": ("cmd", "gamma"), "δ": ("cmd", "delta"),
    "ε": ("cmd", "epsilon"), "ζ": ("cmd", "zeta"), "η": ("cmd", "eta"), "θ": ("cmd", "theta"),
    "ι": ("cmd", "iota"), "κ": ("cmd", "kappa"), "λ": ("cmd", "lambda"), "μ": ("cmd", "mu"),
    "ν": ("cmd", "nu"), "ξ": ("cmd", "xi"), "ρ": ("cmd", "rho"), "σ": ("cmd", "sigma"),
    "τ": ("cmd", "tau"), "υ": ("cmd", "upsilon"), "φ": ("cmd", "phi"), "ϕ": ("cmd", "phi"),
    "χ": ("cmd", "chi"), "ψ": ("cmd", "psi"), "ω": ("cmd", "omega"), "Γ": ("cmd", "Gamma"),
    "Δ": ("cmd", "Delta"), "Θ": ("cmd", "Theta"), "Λ": ("cmd", "Lambda"), "Σ": ("cmd", "Sigma"),
    "Φ": ("cmd", "Phi"), "Ψ": ("cmd", "Psi"), "Ω": ("cmd", "Omega"),
}


@dataclass(frozen=True)
class Command:
    """One entry of the table: its category, and for relations and constants what it stands for."""

    category: str
    value: str = ""


def _table() -> dict[str, Command]:
    groups: dict[str, tuple[str, ...] | dict[str, str]] = {
        "layout": LAYOUT, "wide_space": WIDE_SPACES, "drop_argument": DROPPED_WITH_ARGUMENT,
        "style": STYLE, "text": TEXT, "upright": UPRIGHT, "greek": GREEK, "function": FUNCTIONS,
        "extremum": EXTREMA, "fraction": FRACTIONS, "binomial": BINOMIALS, "root": ROOTS,
        "big": BIG_OPERATORS, "constant": CONSTANTS, "number_set": NUMBER_SETS, "times": TIMES,
        "divide": DIVIDE, "ellipsis": ELLIPSES, "bar": BARS, "set_brace": SET_BRACES,
        "mention": MENTIONS, "relation": RELATIONS, "annotated": ANNOTATED, "negation": NEGATION,
        "environment": ENVIRONMENT,
    }
    table: dict[str, Command] = {}
    for category, names in groups.items():
        values = names if isinstance(names, dict) else dict.fromkeys(names, "")
        for name, value in values.items():
            if name in table:
                raise ValueError(f"\\{name} is both {table[name].category} and {category}")
            table[name] = Command(category, value)
    return table


COMMANDS: dict[str, Command] = _table()


def command(name: str) -> Command | None:
    """What `\\name` is, or None for a command QED does not read."""
    return COMMANDS.get(name)
