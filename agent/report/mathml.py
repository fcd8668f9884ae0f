"""LaTeX in run data rendered as MathML, so a report needs no script (and no network) for math.

latex2mathml does the conversion; its output is then rebuilt through an allow-list of MathML
elements and attributes, because the converter copies `\\text{...}` and `\\href{...}` through as
they are: a statement holding `\\text{<script>...}` would otherwise become a script element. What
cannot be converted, or rebuilt within the list, is shown as its escaped LaTeX source.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from latex2mathml.converter import convert
from qed.verifiers.input_limits import (
    MAX_FORMULA_CHARS,  # the LaTeX reader's own cap on one formula
)

MAX_DEPTH = 60

ELEMENTS = frozenset((
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup", "mfrac",
    "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mlabeledtr",
    "mstyle", "mpadded", "mphantom", "menclose", "merror", "semantics", "annotation",
    "mmultiscripts", "mprescripts", "none",
))
ATTRIBUTES = frozenset((
    "display", "mathvariant", "stretchy", "fence", "form", "separator", "lspace", "rspace",
    "accent", "accentunder", "columnalign", "rowalign", "columnspacing", "rowspacing",
    "columnlines", "rowlines", "frame", "displaystyle", "scriptlevel", "notation", "linethickness",
    "width", "height", "depth", "voffset", "mathsize", "minsize", "maxsize", "movablelimits",
    "symmetric", "largeop", "mathcolor", "mathbackground", "encoding",
))
_SAFE_VALUE = re.compile(r"[A-Za-z0-9#.%+\- ]{0,40}")
_NS = "{http://www.w3.org/1998/Math/MathML}"

# $$...$$, \[...\], $...$, \(...\); a backslash-escaped dollar is text.
MATH_DELIMITED = re.compile(
    r"\$\$(?P<d1>.+?)\$\$|\\\[(?P<d2>.+?)\\\]|(?<![\\$])\$(?P<i1>[^$]+?)(?<!\\)\$|\\\((?P<i2>.+?)\\\)",
    re.S,
)


class _Refused(ValueError):
    pass


def formula(latex: str, display: bool = False) -> str:
    """One formula (no delimiters) as a MathML element, or its source in <code> when it cannot be."""
    src = latex.strip()
    if not src:
        return ""
    if len(src) <= MAX_FORMULA_CHARS:
        try:
            out = convert(src, display="block" if display else "inline")
            return _rebuild(ET.fromstring(out), 0)
        except Exception:  # noqa: BLE001 - any failure of the converter or the rebuild shows the source
            pass
    return f'<code class="tex">{html.escape(src)}</code>'


def text_with_math(text: str, inline: bool = False) -> str:
    """Text in which $...$, $$...$$, \\(...\\) and \\[...\\] are rendered; everything else escaped.
    `inline`: display formulas too are set inline (a table cell)."""
    out: list[str] = []
    pos = 0
    for m in MATH_DELIMITED.finditer(text):
        out.append(html.escape(text[pos:m.start()]))
        display = not inline and (m.group("d1") is not None or m.group("d2") is not None)
        body = next(g for g in (m.group("d1"), m.group("d2"), m.group("i1"), m.group("i2")) if g is not None)
        out.append(formula(body, display))
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _rebuild(el: ET.Element, depth: int) -> str:
    if depth > MAX_DEPTH:
        raise _Refused("nested too deep")
    tag = el.tag[len(_NS):] if el.tag.startswith(_NS) else el.tag
    if tag not in ELEMENTS:
        raise _Refused(f"element {tag!r} is not MathML this page shows")
    attrs = []
    for name, value in el.attrib.items():
        if name in ATTRIBUTES and _SAFE_VALUE.fullmatch(value):
            attrs.append(f' {name}="{html.escape(value, quote=True)}"')
    inner = html.escape(el.text or "") + "".join(_rebuild(child, depth + 1) for child in el)
    return f"<{tag}{''.join(attrs)}>{inner}</{tag}>" + html.escape(el.tail or "")
