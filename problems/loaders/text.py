"""Markdown and plain text: problems as people write them by hand.

Layout
    A file holds one problem, or several separated by a line that is exactly `---`.
    A block may open with header lines `key: value` (keys, case-insensitive: id, kind, answer,
    source); the header ends at the first other line. Everything after it is the statement, up
    to a line `Solution:` or `## Solution` (any heading level), after which comes the reference
    solution. A block of header lines only is the header of the block after it, so YAML-style
    front matter (`---` / `id: x` / `---` / statement) reads as expected.

    ---
    id: amgm-two
    kind: bound
    answer: 2

    Let $a, b$ be positive real numbers. Find the largest constant $C$ such that
    $$ \\frac{a}{b} + \\frac{b}{a} \\geq C $$
    ## Solution
    By AM-GM, ...
    ---

Defaults
    id: the file stem for a single problem, `<stem>-<n>` (n from 1) for several.
    kind: guessed from the wording (`problems.kinds.infer_kind`).
    answer: for bound problems a bare value `2` is written in IneqMath's form `$$C = 2$$`; for
    relation problems a letter `B` or `(B)` becomes the full option `(B) $\\geq$`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qed.problems.errors import ProblemLoadError
from qed.problems.kinds import infer_kind
from qed.problems.loaders.common import build, unique_ids
from qed.problems.loaders.reading import numbered_lines
from qed.problems.record import KINDS, RELATION_CHOICES, Problem

HEADER_KEYS = ("id", "kind", "answer", "source")
_HEADER_LINE = re.compile(rf"^\s*({'|'.join(HEADER_KEYS)})\s*:\s*(.*?)\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\s*---\s*$")
_SOLUTION = re.compile(r"^\s*(#{1,6}\s*solution\s*:?|solution\s*:)\s*$", re.IGNORECASE)


@dataclass
class _Block:
    line: int
    header: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    has_text: bool = False


def iter_text(path: Path, source: str = "text") -> Iterator[Problem]:
    """Every problem in a Markdown / plain-text file, one block at a time."""
    return _iter(numbered_lines(path), stem=path.stem, source=source, where_file=path)


def problems_from_text(
    text: str, stem: str = "problem", source: str = "text", path: Path | str | None = None
) -> list[Problem]:
    """The same reading for text that is not in a file (a statement typed on the command line)."""
    where_file = path if path is not None else stem
    lines = enumerate(text.splitlines(), start=1)
    return list(_iter(lines, stem=stem, source=source, where_file=where_file))


def _iter(lines: Iterable[tuple[int, str]], *, stem: str, source: str,
          where_file: Path | str) -> Iterator[Problem]:
    def located() -> Iterator[tuple[str, Problem]]:
        blocks = _merge_front_matter(where_file, _split(lines))
        first = next(blocks, None)
        if first is None:
            raise ProblemLoadError(where_file, "no problem statement in the text")
        second = next(blocks, None)  # ids depend on it: the stem alone for a single problem
        ahead = [first] if second is None else [first, second]
        for n, block in enumerate(itertools.chain(ahead, blocks), start=1):
            default_id = stem if second is None else f"{stem}-{n}"
            where = f"problem starting at line {block.line}"
            yield where, _problem(where_file, where, block, default_id, source)

    return unique_ids(where_file, located())


def _split(lines: Iterable[tuple[int, str]]) -> Iterator[_Block]:
    """The blocks between `---` lines, as they are read."""
    current = _Block(line=1)
    reading_header = True
    for line_no, line in lines:
        if _SEPARATOR.match(line):
            if current.header or current.has_text:
                yield current
            current, reading_header = _Block(line=line_no + 1), True
            continue
        if reading_header:
            if not line.strip() and not current.header:
                current.line = line_no + 1
                continue
            m = _HEADER_LINE.match(line)
            if m:
                current.header[m.group(1).lower()] = m.group(2)
                continue
            reading_header = False
        current.has_text = current.has_text or bool(line.strip())
        current.lines.append(line)
    if current.header or current.has_text:
        yield current


def _merge_front_matter(path: Path | str, blocks: Iterable[_Block]) -> Iterator[_Block]:
    pending: _Block | None = None
    for block in blocks:
        if not block.has_text:
            if pending is not None:
                raise ProblemLoadError(
                    path,
                    f"header at line {pending.line} is followed by another header, not a statement",
                )
            pending = block
            continue
        if pending is not None:
            block.header = {**pending.header, **block.header}
            block.line = pending.line
            pending = None
        yield block
    if pending is not None:
        raise ProblemLoadError(path, f"header at line {pending.line} has no statement after it")


def _problem(path: Path | str, where: str, block: _Block, default_id: str, source: str) -> Problem:
    statement_lines, solution_lines, in_solution = [], [], False
    for line in block.lines:
        if not in_solution and _SOLUTION.match(line):
            in_solution = True
            continue
        (solution_lines if in_solution else statement_lines).append(line)
    statement = "\n".join(statement_lines).strip()
    if not statement:
        raise ProblemLoadError(path, f"{where}: a solution but no statement")
    kind = block.header.get("kind", "").lower() or infer_kind(statement)
    if kind not in KINDS:
        raise ProblemLoadError(path, f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    answer = _answer(path, where, kind, block.header.get("answer") or None)
    return build(
        path,
        where,
        id=block.header.get("id") or default_id,
        statement=statement,
        kind=kind,
        answer=answer,
        solution="\n".join(solution_lines).strip() or None,
        source=block.header.get("source") or source,
    )


def _answer(path: Path | str, where: str, kind: str, answer: str | None) -> str | None:
    """IneqMath's answer forms, so answers written by hand compare like the benchmark's."""
    if answer is None:
        return None
    if kind == "relation":
        m = re.fullmatch(r"\(?\s*([A-Fa-f])\s*\)?(\s.*)?", answer)
        if not m:
            raise ProblemLoadError(
                path, f"{where}: relation answer {answer!r} is not an option letter A-F"
            )
        letter = m.group(1).upper()
        return next(c for c in RELATION_CHOICES if c.startswith(f"({letter})"))
    if kind == "bound" and "=" not in answer:
        return f"$$C = {answer.strip('$ ')}$$"
    return answer
