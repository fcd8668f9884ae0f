r"""Read a final answer out of free text in IneqMath's format, and compare answers exactly.

Bound answers are exact values (`C = \frac{3}{2}`): two answers agree when sympy shows them equal
(`C=1.5` is `\frac{3}{2}`; parametric answers in n, k, m are compared as expressions), and a
decimal approximation (`C \approx 1.89` for `3/\sqrt[3]{4}`) is wrong. Relation answers are option
letters, read from a letter, a symbol or words ("greater than or equal"). Reading is
deterministic: no model is asked what a text "meant".
"""

from __future__ import annotations

import re

import mpmath
import sympy as sp
from qed.problems.record import RELATION_CHOICES
from qed.verifiers.latex import ANSWER, LatexError, read_formula
from qed.verifiers.latex.vocabulary import RELATIONS, UNICODE


def _spellings(*symbols: str) -> str:
    """A pattern for every way the vocabulary writes these relations (`\\le`, `\\leqslant`, `≤`, ...);
    a command must not run on into a longer one (`\\le` is not `\\left`)."""
    names = sorted((n for n, s in RELATIONS.items() if s in symbols), key=len, reverse=True)
    chars = "".join(c for c, (kind, s) in UNICODE.items() if kind == "rel" and s in symbols)
    return rf"\\(?:{'|'.join(names)})(?![a-zA-Z])" + (f"|[{chars}]" if chars else "")


_APPROX_MARK = _spellings("~", "sim")
_APPROX = re.compile(_APPROX_MARK + r"|approx|approximately|about\s", re.I)
# Relation symbols, most specific first.
_SYMBOL_LETTERS: tuple[tuple[str, str], ...] = (
    ("A", _spellings("<=") + "|<="),
    ("B", _spellings(">=") + "|>="),
    ("D", _spellings("<") + r"|(?<![<\\a-zA-Z])<(?![=<])"),
    ("E", _spellings(">") + r"|(?<![>\-a-zA-Z])>(?![=>])"),
    ("C", r"(?<![<>!\\:=])=(?!=)"),
)
_WORD_LETTERS: tuple[tuple[str, str], ...] = (
    ("F", r"none of the (above|options|choices)"),
    ("A", r"less than or equal|at most|not (greater|larger|more) than"),
    ("B", r"greater than or equal|at least|not (less|smaller) than"),
    ("D", r"strictly (less|smaller)|less than|smaller than"),
    ("E", r"strictly (greater|larger)|greater than|larger than"),
    ("C", r"\b(always )?equal\b"),
)


def _boxed(text: str) -> list[str]:
    """Contents of every \\boxed{...} (and \\fbox{...}), with nested braces."""
    out = []
    for m in re.finditer(r"\\(?:boxed|fbox)\s*\{", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth == 0:
            out.append(text[m.end() : i - 1])
    return out


def _final_region(text: str) -> str:
    """The part of a reply where the final answer lives: the last 'answer' onward, or the tail."""
    hits = list(re.finditer(r"(final answer|answer is|answer:|\banswer\b\s*=|the answer)", text, re.I))
    if hits:
        return text[hits[-1].start() :]
    return text[-400:]


def _letter_in(chunk: str) -> str | None:
    for pattern in (
        r"\(\s*([A-F])\s*\)",
        r"\b(?i:option|choice|answer(?:\s+is)?|relation(?:\s+is)?)\s*[:\s]\s*\**\(?([A-F])\b(?![a-z])",
        r"^\W*([A-F])(?:\W*$|[\s.:)\]*]+)",
    ):
        found = re.findall(pattern, chunk.strip(), re.M)
        if found:
            return found[-1]
    return None


def _symbol_in(chunk: str) -> str | None:
    """The option a relation symbol or wording stands for, when the chunk names exactly one."""
    body = re.sub(r"\\(left|right|big|Big)[\\(\[{|.]?", " ", chunk)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for letter, pattern in _SYMBOL_LETTERS:
        for m in re.finditer(pattern, body):
            if any(s <= m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), letter))
    letters = {letter for _, letter in found}
    if len(letters) == 1:
        return letters.pop()
    for letter, pattern in _WORD_LETTERS:
        if re.search(pattern, chunk, re.I):
            return letter
    return None


def extract_relation(text: str) -> str | None:
    """The option letter A-F a reply commits to, or None when it commits to none."""
    if not text:
        return None
    candidates = [*_boxed(text), _final_region(text)]
    for chunk in reversed(candidates):
        letter = _letter_in(chunk)
        if letter:
            return letter
    for chunk in reversed(candidates):
        tail = re.split(r"answer\s*(?:is|:)?", chunk, flags=re.I)[-1] if "answer" in chunk.lower() else chunk
        letter = _symbol_in(tail[:200]) if len(tail) < 400 or chunk in _boxed(text) else None
        if letter:
            return letter
    return None


def relation_choice(letter: str) -> str:
    """The full option text for a letter, e.g. 'B' -> '(B) $\\geq$'."""
    try:
        return next(c for c in RELATION_CHOICES if c.startswith(f"({letter})"))
    except StopIteration:
        raise ValueError(f"{letter!r} is not an option letter A-F") from None


def extract_bound(text: str) -> str | None:
    """The value of the last `C = value` (or a boxed value) a reply commits to, as written.

    An approximate answer keeps its marker (`C \\approx 1.89` gives `\\approx 1.89`) so that it can
    never pass as exact.
    """
    if not text:
        return None
    for chunk in reversed(_boxed(text)):
        value = _value_of(chunk)
        if value:
            return value
    region = _final_region(text)
    for source in (region, text):
        found = _c_equals(source)
        if found:
            return found
    m = re.findall(r"answer is[:\s]*\$+([^$]+)\$", region, re.I)
    if m:
        return _value_of(m[-1]) or None
    return None


def _c_equals(source: str) -> str | None:
    """The last `C = value` / `C \\approx value` in the text, value up to the end of its formula."""
    pattern = re.compile(
        r"(?<![A-Za-z\\])C\s*(=|\\approx|≈|\\simeq)\s*"
        r"((?:[^$\n]|\n(?!\s*\n))+?)\s*(?=\$|\\\]|\\\)|\\end\{|\n\s*\n|\.\s|\.$|,\s+(?:which|so|and|as|since|because|where)\b|$)"
    )
    hits = list(pattern.finditer(source))
    for m in reversed(hits):
        value = m.group(2).strip().rstrip(".,;").strip()
        if "=" in value:
            value = value.rsplit("=", 1)[1].strip()
        if not value:
            continue
        return value if m.group(1) == "=" else f"\\approx {value}"
    return None


def _value_of(chunk: str) -> str:
    chunk = chunk.strip().strip("$").strip()
    marker = ""
    if _APPROX.search(chunk):
        marker = "\\approx "
        chunk = re.split(_APPROX_MARK, chunk)[-1]
    if "=" in chunk:
        chunk = chunk.rsplit("=", 1)[1]
    chunk = chunk.strip().rstrip(".,;").strip()
    return f"{marker}{chunk}" if chunk else ""


def latex_to_sympy(value: str) -> sp.Expr | None:
    """Parse an exact LaTeX value (fractions, radicals, powers, pi, e, min/max, parameters such as n).

    A leading `C =` is dropped. None when the text is not a value the reader can take exactly.
    """
    if value is None:
        return None
    s = value.strip().strip("$").strip()
    s = re.sub(r"^\\\[|\\\]$|^\\\(|\\\)$", "", s).strip()
    if "=" in s:
        s = s.rsplit("=", 1)[1]
    s = s.strip().rstrip(".,;").strip()
    if not s or _APPROX.search(s):
        return None
    try:
        expr = read_formula(s, ANSWER).expr  # e is Euler's number in an answer
    except (LatexError, TypeError, RecursionError):
        return None
    if not isinstance(expr, sp.Expr) or expr.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        return None
    return expr


def is_decimal_approximation(value: str) -> bool:
    """A decimal with a fractional part (1.89, ≈ 0.333) stands for an exact value only if it is one."""
    return bool(re.search(r"\d\.\d", value)) or bool(_APPROX.search(value))


def bounds_equal(predicted: str, gold: str) -> bool:
    """Exact equality of two bound values; a decimal only matches if it is exactly the gold value."""
    if predicted is None or gold is None or _APPROX.search(predicted):
        return False
    p, g = latex_to_sympy(predicted), latex_to_sympy(gold)
    if p is None or g is None:
        return False
    return exprs_equal(p, g)


def exprs_equal(p: sp.Expr, g: sp.Expr) -> bool:
    """Symbolic equality, confirmed numerically (50 digits) where simplification is inconclusive."""
    p_names = {s.name for s in p.free_symbols}
    g_names = {s.name for s in g.free_symbols}
    if p_names != g_names:
        return False
    # the same name may carry different assumptions (real, positive): compare by name
    plain = {name: sp.Symbol(name) for name in p_names}
    p = p.xreplace({s: plain[s.name] for s in p.free_symbols})
    g = g.xreplace({s: plain[s.name] for s in g.free_symbols})
    try:
        if sp.simplify(p - g) == 0:
            return True
    except (TypeError, ValueError, NotImplementedError, RecursionError):
        pass
    symbols = sorted(p.free_symbols | g.free_symbols, key=lambda s: s.name)
    points = [{s: sp.Integer(v + k) for k, s in enumerate(symbols)} for v in (2, 3, 5, 7, 11)] if symbols else [{}]
    with mpmath.workdps(50):
        for pt in points:
            try:
                a = sp.N(p.subs(pt), 50)
                b = sp.N(g.subs(pt), 50)
                if not (a.is_number and b.is_number):
                    return False
                if abs(complex(a - b)) > 1e-40 * max(1.0, abs(complex(a))):
                    return False
            except (TypeError, ValueError, ZeroDivisionError, OverflowError):
                return False
    return True


def gold_relation_letter(answer: str) -> str | None:
    """The option letter of a gold relation answer such as '(B) $\\geq$'."""
    if not answer:
        return None
    m = re.search(r"\(\s*([A-F])\s*\)", answer)
    if m:
        return m.group(1)
    m = re.fullmatch(r"\s*([A-F])\s*", answer)
    return m.group(1) if m else None


def is_correct(kind: str, predicted: str | None, gold: str | None) -> bool | None:
    """True/False when the gold answer is known, None when it is not."""
    if gold is None:
        return None
    if predicted is None:
        return False
    if kind == "relation":
        letter = gold_relation_letter(predicted) or extract_relation(predicted)
        return letter is not None and gold_relation_letter(gold) == letter
    if kind == "bound":
        return bounds_equal(predicted, gold)
    return None


def format_answer(kind: str, value: str) -> str:
    """IneqMath's answer format: `$$C = value$$` for bounds, the full option for relations."""
    if kind == "relation":
        return relation_choice(value)
    return f"$$C = {value}$$"
