r"""Find the formulas in a proof and the relations they claim, with their place in the text.

A proof is split into steps (blocks separated by blank lines), formulas are found by their math
delimiters (`$...$`, `$$...$$`, `\[...\]`, `\(...\)`, equation/align-like environments), and each
formula is cut into claimed relations: a chain `a = b \le c` claims `a = b` and `b \le c`;
rows of an aligned display that continue the previous row (`& \le ...`) are joined to it;
`\Leftrightarrow`, `\text{...}`, `\quad` and top-level commas separate independent statements.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from qed.verifiers.latex import Token, formula_refusal, tokenize
from qed.verifiers.latex.vocabulary import CONNECTIVES, UNREADABLE_ENVIRONMENTS

CHECKABLE = {"=", "<", ">", "<=", ">="}
APPROX = {"~"}

_MATH_ENVS = (
    "equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*",
    "eqnarray", "eqnarray*", "displaymath", "math", "flalign", "flalign*",
)
_OPENERS = re.compile(
    r"(?<!\\)\$\$|(?<!\\)\$|\\\[|\\\(|\\begin\{(" + "|".join(re.escape(e) for e in _MATH_ENVS) + r")\}"
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_INNER_ENV = re.compile(r"\\(begin|end)\s*\{([a-zA-Z*]+)\}")


@dataclass
class Step:
    index: int
    start: int
    end: int
    text: str


@dataclass
class MathSegment:
    start: int  # offset of the content (after the opening delimiter) in the proof text
    end: int
    content: str
    display: bool
    step: int
    lead: str = ""  # the words between the previous formula (or sentence start) and this one
    trail: str = ""  # the words after it, up to the next formula or sentence end
    outer: tuple[int, int] = (0, 0)  # span including the delimiters
    sentence: int = 0  # index of the sentence holding it (formulas masked when splitting)
    sentence_text: str = ""  # that sentence with its formulas masked


@dataclass
class Relation:
    """One claimed comparison `lhs op rhs`, with tokens whose offsets are in the proof text."""

    lhs: list[Token]
    op: str
    rhs: list[Token]
    segment: MathSegment
    start: int
    end: int
    statement: int  # index of the statement (chain) inside the document, shared by a chain's links
    link: int  # position of this link in its chain
    chain_len: int
    source: str = field(default="", repr=False)

    @property
    def step(self) -> int:
        return self.segment.step

    def quote(self, text: str) -> str:
        return " ".join(text[self.start : self.end].split())


def split_steps(text: str) -> list[Step]:
    """Blocks separated by blank lines; a block that only holds display math joins the one before."""
    steps: list[Step] = []
    pos = 0
    pieces: list[tuple[int, int]] = []
    for m in _BLANK_LINE.finditer(text):
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(text)))
    for start, end in pieces:
        chunk = text[start:end]
        if not chunk.strip():
            continue
        lead = len(chunk) - len(chunk.lstrip())
        start += lead
        end = start + len(chunk.strip())
        steps.append(Step(len(steps), start, end, text[start:end]))
    return _merge_unbalanced(steps, text)


def _merge_unbalanced(steps: list[Step], text: str) -> list[Step]:
    """A blank line inside a display formula does not end a step."""
    out: list[Step] = []
    open_counts = (0, 0, 0, 0, 0)  # of the last step so far: $$, \begin, \end, \[, \]
    for s in steps:
        counts = _math_counts(s.text)
        if out and _open(open_counts):
            prev = out[-1]
            out[-1] = Step(prev.index, prev.start, s.end, text[prev.start : s.end])
            # the counts add up: no delimiter spans the blank line between two pieces
            open_counts = tuple(a + b for a, b in zip(open_counts, counts, strict=True))
        else:
            out.append(Step(len(out), s.start, s.end, s.text))
            open_counts = counts
    return out


_ENV_BEGIN = re.compile(r"\\begin\{(?:" + "|".join(re.escape(e) for e in _MATH_ENVS) + r")\}")
_ENV_END = re.compile(r"\\end\{(?:" + "|".join(re.escape(e) for e in _MATH_ENVS) + r")\}")
_DOUBLE_DOLLAR = re.compile(r"(?<!\\)\$\$")


def _math_counts(chunk: str) -> tuple[int, int, int, int, int]:
    return (len(_DOUBLE_DOLLAR.findall(chunk)), len(_ENV_BEGIN.findall(chunk)), len(_ENV_END.findall(chunk)),
            chunk.count("\\["), chunk.count("\\]"))


def _open(counts: tuple[int, int, int, int, int]) -> bool:
    """A step with these delimiter counts leaves a display formula open."""
    dollars, begins, ends, opens, closes = counts
    return dollars % 2 == 1 or begins > ends or opens > closes


def step_of(steps: list[Step], offset: int, starts: list[int] | None = None) -> int:
    """The step holding offset (steps are in order: a binary search over their `starts`)."""
    if not steps:
        return 0
    k = bisect.bisect_right(starts if starts is not None else [s.start for s in steps], offset) - 1
    if k >= 0 and offset < steps[k].end + 1:
        return steps[k].index
    return steps[-1].index


def find_math(text: str, steps: list[Step] | None = None) -> list[MathSegment]:
    """Every formula with its content's offsets; unterminated delimiters end the search."""
    steps = steps if steps is not None else split_steps(text)
    starts = [s.start for s in steps]
    out: list[MathSegment] = []
    pos = 0
    while True:
        m = _OPENERS.search(text, pos)
        if not m:
            return _with_sentences(text, out)
        opener = m.group(0)
        if m.group(1):
            closer = f"\\end{{{m.group(1)}}}"
            display = True
        else:
            closer = {"$$": "$$", "$": "$", "\\[": "\\]", "\\(": "\\)"}[opener]
            display = opener in ("$$", "\\[")
        close = _find_closer(text, closer, m.end())
        if close < 0:
            return _with_sentences(text, out)
        if (out and not display and not out[-1].display and text[out[-1].end + 1 : m.start()].strip() == ""
                and opener == "$"):
            # `$x+y+$ $z=1$`: one formula split by a line break in the source
            prev = out[-1]
            out[-1] = MathSegment(prev.start, close, text[prev.start : close], False, prev.step, prev.lead,
                                  outer=(prev.outer[0], close + len(closer)))
            pos = close + len(closer)
            out[-1].trail = _trail(text, pos)
            continue
        lead = _lead(text, out[-1].end + 1 if out else 0, m.start())
        out.append(MathSegment(m.end(), close, text[m.end() : close], display, step_of(steps, m.start(), starts), lead,
                               outer=(m.start(), close + len(closer))))
        pos = close + len(closer)
        out[-1].trail = _trail(text, pos)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\\])|\n[ \t]*\n")


def _with_sentences(text: str, segments: list[MathSegment]) -> list[MathSegment]:
    """Number the sentences (split on text with formulas masked, so `1.5` ends none)."""
    masked = list(text)
    for seg in segments:
        for k in range(seg.outer[0], seg.outer[1]):
            if masked[k] not in "\n":
                masked[k] = "X"
    flat = "".join(masked)
    bounds = [0] + [m.end() for m in _SENTENCE_END.finditer(flat)] + [len(text) + 1]
    k = 0
    texts: dict[int, str] = {}  # one sentence may hold many formulas: build its text once
    for seg in segments:
        while k + 1 < len(bounds) - 1 and bounds[k + 1] <= seg.start:
            k += 1
        seg.sentence = k
        if k not in texts:
            texts[k] = " ".join(flat[bounds[k] : bounds[k + 1]].split())
        seg.sentence_text = texts[k]
    return segments


def _lead(text: str, since: int, until: int) -> str:
    """Words introducing a formula: back to the previous formula or the sentence start."""
    chunk = text[max(since, until - 160) : until]
    chunk = re.sub(r"^[^$]*\$", "", chunk) if "$" in chunk else chunk
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\\])|\n\s*\n", chunk)
    return " ".join(parts[-1].split()) if parts else ""


def _trail(text: str, start: int) -> str:
    chunk = text[start : start + 120]
    chunk = re.split(r"(?<!\\)\$|\\\[|\\\(|\\begin|\n\s*\n", chunk)[0]
    parts = re.split(r"(?<=[.!?])\s+", chunk)
    return " ".join(parts[0].split()) if parts else ""


def _find_closer(text: str, closer: str, start: int) -> int:
    i = start
    while True:
        j = text.find(closer, i)
        if j < 0:
            return -1
        if j > 0 and text[j - 1] == "\\" and closer.startswith("$"):
            i = j + 1
            continue
        if closer == "$" and text.startswith("$$", j):
            # `$a$$b$` is two formulas; `$$` as a closer of `$` only counts its first dollar
            return j
        return j


def _strip_envs(toks: list[Token], content: str, base: int) -> tuple[list[Token], bool]:
    """Drop \\begin{aligned}...-style wrappers; report whether an unreadable env is present."""
    out: list[Token] = []
    unreadable = False
    for t in toks:
        if t.kind in ("begin", "end"):  # the lexer has read the environment's name (and an array's spec)
            unreadable = unreadable or t.text.rstrip("*") in UNREADABLE_ENVIRONMENTS
            continue
        out.append(t)
    return out, unreadable


def _shift(toks: list[Token], base: int) -> list[Token]:
    return [Token(t.kind, t.text, t.start + base, t.end + base) for t in toks]


def _rows(toks: list[Token]) -> list[list[Token]]:
    rows: list[list[Token]] = [[]]
    depth = 0
    for t in toks:
        if t.kind in ("open", "lbrace"):
            depth += 1
        elif t.kind in ("close", "rbrace"):
            depth -= 1
        if t.kind == "stop" and depth <= 0:
            rows.append([])
        else:
            rows[-1].append(t)
    return [r for r in rows if r]


def _is_binary_op(t: Token) -> bool:
    return t.kind == "op" and t.text in "+-*/"


def _has_relation(row: list[Token]) -> bool:
    return bool(_chain(row)[1])


def _join_rows(rows: list[list[Token]]) -> list[list[Token]]:
    """Rows that continue the previous one (start or end with a relation or operator) are joined."""
    out: list[list[Token]] = []
    for row in rows:
        if out:
            prev = out[-1]
            starts_cont = row[0].kind == "rel" or (_is_binary_op(row[0]) and row[0].text in "+*/")
            ends_cont = prev[-1].kind == "rel" or _is_binary_op(prev[-1])
            # `& -4(...) \\` with no relation of its own continues the previous row's last term; a row
            # starting with a minus that does claim something (`-x \le 0`) stands on its own.
            starts_minus = _is_binary_op(row[0]) and row[0].text == "-" and (ends_cont or not _has_relation(row))
            if starts_cont or ends_cont or starts_minus:
                if prev[-1].kind == "rel" and row[0].kind == "rel":
                    prev = prev[:-1]  # `\le \\ & \le`: the relation is written twice
                out[-1] = prev + row
                continue
        out.append(list(row))
    return out


def _split_statements(toks: list[Token]) -> list[list[Token]]:
    """Top-level separators and logical connectives end a statement."""
    out: list[list[Token]] = [[]]
    depth = 0
    for t in toks:
        if t.kind in ("open", "lbrace"):
            depth += 1
        elif t.kind in ("close", "rbrace"):
            depth = max(0, depth - 1)
        boundary = depth == 0 and (
            (t.kind == "sep" and t.text in (",", ";", "quad", "qquad", ":", "."))
            or t.kind == "text"
            or (t.kind == "rel" and t.text in CONNECTIVES)
        )
        if boundary:
            out.append([])
        else:
            out[-1].append(t)
    return [s for s in out if s]


def _chain(statement: list[Token]) -> tuple[list[list[Token]], list[str]]:
    operands: list[list[Token]] = [[]]
    ops: list[str] = []
    depth = 0
    for t in statement:
        if t.kind in ("open", "lbrace"):
            depth += 1
        elif t.kind in ("close", "rbrace"):
            depth = max(0, depth - 1)
        if t.kind == "rel" and depth == 0:
            ops.append(t.text)
            operands.append([])
        else:
            operands[-1].append(t)
    return operands, ops


def relations_in(text: str, segments: list[MathSegment] | None = None) -> list[Relation]:
    """All claimed comparisons (=, <, >, <=, >=, ~) of the proof, in reading order."""
    segments = segments if segments is not None else find_math(text)
    out: list[Relation] = []
    statement_id = 0
    for seg in segments:
        if formula_refusal(seg.content):
            continue  # judges report these through refused_formulas
        toks = _shift(tokenize(seg.content), seg.start)
        toks, unreadable = _strip_envs(toks, seg.content, seg.start)
        if unreadable or not toks:
            continue
        for row in _join_rows(_rows(toks)):
            for statement in _split_statements(row):
                operands, ops = _chain(statement)
                if not ops:
                    continue
                links = []
                for k, op in enumerate(ops):
                    lhs, rhs = operands[k], operands[k + 1]
                    if op in CHECKABLE | APPROX and lhs and rhs:
                        links.append((k, lhs, op, rhs))
                for k, lhs, op, rhs in links:
                    out.append(Relation(lhs, op, rhs, seg, lhs[0].start, rhs[-1].end, statement_id,
                                        k, len(ops)))
                statement_id += 1
    return out


def refused_formulas(segments: list[MathSegment]) -> list[tuple[MathSegment, str]]:
    """The formulas too large to read (relations_in skips them), each with the refusal."""
    out = []
    for seg in segments:
        refusal = formula_refusal(seg.content)
        if refusal:
            out.append((seg, refusal))
    return out


def statements_in(text: str, segments: list[MathSegment] | None = None) -> list[list[Relation]]:
    """Relations grouped by the chain (statement) they belong to."""
    groups: dict[int, list[Relation]] = {}
    for r in relations_in(text, segments):
        groups.setdefault(r.statement, []).append(r)
    return list(groups.values())


# Where a proof begins in text that also holds its statement: a paragraph opening `**Proof.**`,
# `*Proof.*`, `Proof:`, `\textbf{Proof.}`, `\begin{proof}` or a `## Proof` heading (Solution alike).
_PROOF_OPENING = re.compile(
    r"^[ \t]*(?:\\noindent\s*)?(?:"
    r"\\begin\{proof\}"
    r"|\#{1,6}[ \t]*(?:proof|solution)\b"
    r"|(?:\*\*|__|\*|_)(?:proof|solution)[.:]?(?:\*\*|__|\*|_)"
    r"|\\(?:textbf|textit|emph)\{(?:proof|solution)[.:]?\}"
    r"|(?:proof|solution)[ \t]*[.:]"
    r")",
    re.I | re.M,
)


def proof_opening(text: str) -> int | None:
    """The offset of the first line that opens a proof (`**Proof.** We have ...`), or None."""
    m = _PROOF_OPENING.search(text)
    return m.start() if m else None
