"""A proof document as a standalone LaTeX file (article class, amsmath), with the same formulas.

Long displays are broken at top-level + and - signs into a multline* environment, so that a
sum of squares with many terms stays on the page; the formula itself is the Markdown's.
"""

from __future__ import annotations

from qed.verifiers.proofs.doc import Display, Heading, Para, ProofDoc
from qed.verifiers.proofs.render_markdown import chunks

LINE_CHARS = 90
_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}"}


def escape(text: str) -> str:
    return "".join(_SPECIAL.get(ch, ch) for ch in text)


def para_tex(p: Para) -> str:
    out = []
    for kind, value in p.pieces:
        if kind == "math":
            out.append(f"${value}$")
        elif kind == "strong":
            out.append(rf"\textbf{{{escape(value)}}}")
        elif kind == "code":
            out.append(rf"\texttt{{{escape(value)}}}")
        else:
            out.append(escape(value))
    return "".join(out).strip()


def split_display(tex: str, width: int = LINE_CHARS) -> list[str]:
    """Cut a formula at top-level ' + ' / ' - ' (outside braces and \\left...\\right) into lines."""
    lines: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(tex):
        if tex.startswith(r"\left", i):
            depth += 1
            i += 5
            continue
        if tex.startswith(r"\right", i):
            depth -= 1
            i += 6
            continue
        ch = tex[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and i - start > width and tex.startswith((" + ", " - ", " = "), i):
            lines.append(tex[start:i].strip())
            start = i
        i += 1
    lines.append(tex[start:].strip())
    return [line for line in lines if line]


def display_tex(d: Display) -> str:
    lines = split_display(d.tex)
    if len(lines) == 1:
        return rf"\[ {lines[0]} \]"
    return "\\begin{multline*}\n" + " \\\\\n".join(lines) + "\n\\end{multline*}"


def to_tex(doc: ProofDoc) -> str:
    body: list[str] = [rf"\section*{{{escape(doc.title)}}}"]
    for group in chunks(doc.blocks):
        parts = []
        for b in group:
            if isinstance(b, Heading):
                cmd = "subsection*" if b.level <= 2 else "paragraph*"
                parts.append(rf"\{cmd}{{{escape(b.text)}}}")
            elif isinstance(b, Display):
                parts.append(display_tex(b))
            else:
                parts.append(para_tex(b))
        body.append("\n".join(parts))
    return (
        "\\documentclass[11pt]{article}\n"
        "\\usepackage[utf8]{inputenc}\n"
        "\\usepackage{amsmath,amssymb}\n"
        "\\usepackage[margin=2.5cm]{geometry}\n"
        "\\allowdisplaybreaks\n"
        "\\setlength{\\parindent}{0pt}\n"
        "\\setlength{\\parskip}{0.6em}\n"
        "\\begin{document}\n\n" + "\n\n".join(body) + "\n\n\\end{document}\n"
    )
