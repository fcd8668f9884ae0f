r"""LaTeX files in the FirstProof layout: a `\begin{problem}{title}` box and `\begin{solution}{title}` boxes.

The problem box is the statement (kind proof); each solution box after it becomes a ProofToGrade
labelled with the box's title, so `qed grade` can judge proofs written by others. A file with
several problem boxes gives several problems, each owning the solution boxes up to the next
problem box. LaTeX comments are removed first; the LaTeX inside the boxes is kept as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qed.problems.errors import ProblemLoadError
from qed.problems.loaders.common import build, check_unique_ids
from qed.problems.record import Problem, ProofToGrade

SOURCE = "firstproof"
_BEGIN = re.compile(r"\\begin\s*\{(problem|solution)\}")
_COMMENT = re.compile(r"(?<!\\)%.*")


@dataclass
class _Box:
    env: str
    title: str
    body: str
    line: int


def matches(text: str) -> bool:
    return bool(re.search(r"\\begin\s*\{problem\}", strip_comments(text)))


def strip_comments(text: str) -> str:
    """Drop `% ...` to the end of each line, leaving escaped `\\%` alone."""
    return "\n".join(_COMMENT.sub("", line) for line in text.split("\n"))


def from_tex(path: Path, text: str) -> list[Problem]:
    boxes = _boxes(path, strip_comments(text))
    if not any(b.env == "problem" for b in boxes):
        raise ProblemLoadError(path, r"no \begin{problem} box in this .tex file")
    if boxes[0].env != "problem":
        raise ProblemLoadError(
            path, rf"\begin{{solution}} at line {boxes[0].line} comes before any \begin{{problem}}"
        )
    groups: list[tuple[_Box, list[_Box]]] = []
    for box in boxes:
        if box.env == "problem":
            groups.append((box, []))
        else:
            groups[-1][1].append(box)
    located = []
    for n, (problem_box, solution_boxes) in enumerate(groups, start=1):
        pid = path.stem if len(groups) == 1 else f"{path.stem}-{n}"
        where = rf"\begin{{problem}} at line {problem_box.line}"
        proofs = [
            ProofToGrade(label=s.title or f"solution {i}", text=s.body)
            for i, s in enumerate(solution_boxes, start=1)
        ]
        metadata = {"title": problem_box.title} if problem_box.title else {}
        located.append(
            (
                where,
                build(
                    path,
                    where,
                    id=pid,
                    statement=problem_box.body,
                    kind="proof",
                    source=SOURCE,
                    metadata=metadata,
                    proofs=proofs,
                ),
            )
        )
    check_unique_ids(path, located)
    return [p for _, p in located]


def _boxes(path: Path, text: str) -> list[_Box]:
    boxes = []
    pos = 0
    while m := _BEGIN.search(text, pos):
        env, line = m.group(1), text.count("\n", 0, m.start()) + 1
        title, start = _title(text, m.end())
        end = re.compile(rf"\\end\s*\{{{env}\}}").search(text, start)
        if end is None:
            raise ProblemLoadError(path, rf"\begin{{{env}}} at line {line} is never closed")
        boxes.append(_Box(env, _plain_title(title), text[start : end.start()].strip(), line))
        pos = end.end()
    return boxes


def _title(text: str, pos: int) -> tuple[str, int]:
    """The brace group right after `\\begin{box}` (same line), with nested braces; else no title."""
    i = pos
    while i < len(text) and text[i] in " \t":
        i += 1
    if i >= len(text) or text[i] != "{":
        return "", pos
    depth, j = 0, i
    while j < len(text):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i + 1 : j], j + 1
        j += 1
    return "", pos


def _plain_title(title: str) -> str:
    r"""A box title as a person would read it: `FirstProof \# 2` → `FirstProof # 2`."""
    title = re.sub(r"\\([#$%&_{}])", r"\1", title)
    return re.sub(r"\s+", " ", title).strip()
