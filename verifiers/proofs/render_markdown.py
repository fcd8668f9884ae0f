"""A proof document as Markdown with LaTeX math (`$...$` inline, `$$...$$` displayed).

A paragraph, the formula it displays and the words that follow the formula form one block with no
blank line inside: a step of the proof stays one step for a reader and for the judges, which split
a text into steps at blank lines.
"""

from __future__ import annotations

from qed.verifiers.proofs.doc import Block, Display, Heading, Para, ProofDoc


def para_markdown(p: Para) -> str:
    out = []
    for kind, value in p.pieces:
        if kind == "math":
            out.append(f"${value}$")
        elif kind == "strong":
            out.append(f"**{value}**")
        elif kind == "code":
            out.append(f"`{value}`")
        else:
            out.append(value)
    return "".join(out).strip()


def chunks(blocks: list[Block]) -> list[list[Block]]:
    """Blocks grouped into steps: a Para after a Display continues the same step."""
    out: list[list[Block]] = []
    prev: Block | None = None
    for b in blocks:
        if isinstance(b, Heading) or (isinstance(b, Para) and not isinstance(prev, Display)) or not out:
            out.append([b])
        else:
            out[-1].append(b)
        prev = b
    return out


def to_markdown(doc: ProofDoc) -> str:
    parts = [f"# {doc.title}"]
    for group in chunks(doc.blocks):
        lines = []
        for b in group:
            if isinstance(b, Heading):
                lines.append(f"{'#' * b.level} {b.text}")
            elif isinstance(b, Display):
                lines.extend(["$$", b.tex, "$$"])
            else:
                lines.append(para_markdown(b))
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
