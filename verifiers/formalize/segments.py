"""A statement as alternating prose and math, with the prose around each formula at hand."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Everything from the answer options on is not part of the statement.
_OPTIONS = re.compile(r"\n\s*Options\s*:|\n\s*\(A\)\s*\$\\leq", re.S)
_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
_PURE_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass
class Segment:
    kind: str  # "text" or "math"
    text: str
    display: bool = False


def clean_statement(statement: str) -> str:
    """The statement without answer options, with \\( \\) and \\[ \\] turned into dollars and
    inline numbers ($1$) turned into prose so phrases like "different from $1$" read plainly."""
    m = _OPTIONS.search(statement)
    text = statement[: m.start()] if m else statement
    text = re.sub(r"\\\[(.+?)\\\]", lambda m: f"$${m.group(1)}$$", text, flags=re.S)
    return re.sub(r"\\\((.+?)\\\)", lambda m: f"${m.group(1)}$", text, flags=re.S)


def split_segments(statement: str) -> list[Segment]:
    """Prose and math in order; consecutive prose is merged, empty math dropped."""
    out: list[Segment] = []
    pos = 0
    for m in _MATH.finditer(statement):
        if m.start() > pos:
            out.append(Segment("text", statement[pos : m.start()]))
        body = m.group(1) if m.group(1) is not None else m.group(2)
        if m.group(1) is None and _PURE_NUMBER.fullmatch(body.strip()):
            out.append(Segment("text", body.strip()))
        elif body.strip():
            out.append(Segment("math", body.strip(), display=m.group(1) is not None))
        pos = m.end()
    if pos < len(statement):
        out.append(Segment("text", statement[pos:]))
    merged: list[Segment] = []
    for seg in out:
        if merged and seg.kind == "text" and merged[-1].kind == "text":
            merged[-1] = Segment("text", merged[-1].text + seg.text)
        else:
            merged.append(seg)
    return merged


def text_before(segments: list[Segment], k: int) -> str:
    return segments[k - 1].text if k > 0 and segments[k - 1].kind == "text" else ""


def text_after(segments: list[Segment], k: int) -> str:
    nxt = k + 1
    return segments[nxt].text if nxt < len(segments) and segments[nxt].kind == "text" else ""


def raw_after(segments: list[Segment], k: int, limit: int = 3) -> str:
    """Prose and math after segment k up to the end of its sentence (math kept in dollars)."""
    parts = []
    for seg in segments[k + 1 : k + 1 + 2 * limit]:
        if seg.kind == "text":
            cut = re.split(r"(?<![A-Za-z]\.[A-Za-z])\.\s|\.$|\n\n", seg.text, maxsplit=1)
            parts.append(cut[0])
            if len(cut) > 1:
                break
        else:
            parts.append(f"${seg.text}$")
    return "".join(parts)


def raw_before(segments: list[Segment], k: int) -> str:
    """Prose and math before segment k back to the start of its sentence."""
    before = []
    for seg in reversed(segments[:k]):
        if seg.kind == "text":
            pieces = re.split(r"\.\s|\n\n", seg.text)
            before.append(pieces[-1])
            if len(pieces) > 1:
                break
        else:
            before.append(f"${seg.text}$")
    return "".join(reversed(before))


def sentence_of(segments: list[Segment], k: int) -> str:
    """The prose (math in dollars) of the sentence holding segment k."""
    return raw_before(segments, k) + f"${segments[k].text}$" + raw_after(segments, k)


def sentence_pieces(segments: list[Segment], k: int, limit: int = 3) -> list[tuple[int, int, str]]:
    """The prose of the sentence holding segment k as (segment index, offset, text) pieces: the
    same stretch raw_before and raw_after read, with positions so words in it can be marked read."""
    pieces: list[tuple[int, int, str]] = []
    for j in range(k - 1, -1, -1):
        seg = segments[j]
        if seg.kind != "text":
            continue
        cuts = list(re.finditer(r"\.\s|\n\n", seg.text))
        start = cuts[-1].end() if cuts else 0
        pieces.append((j, start, seg.text[start:]))
        if cuts:
            break
    for j in range(k + 1, min(len(segments), k + 1 + 2 * limit)):
        seg = segments[j]
        if seg.kind != "text":
            continue
        m = re.search(r"(?<![A-Za-z]\.[A-Za-z])\.\s|\.$|\n\n", seg.text)
        pieces.append((j, 0, seg.text[: m.start()] if m else seg.text))
        if m:
            break
    return pieces
