"""Turn a path into problems: detect the file's format from its extension and content.

| file | read as |
|---|---|
| `.json` list (or name → record object) of IneqMath records (`problem`, `type`, `data_id`) | IneqMath |
| `.json` Problem record (`id`, `statement`, ...) or a list of them | Problem records |
| `.jsonl` | Problem records, one per line |
| `.csv` with `Problem ID`, `Problem` and `Solution` / `Grading guidelines` | IMO-ProofBench |
| `.csv` with `Problem ID`, `Problem` and `Short Answer` | IMO-AnswerBench |
| `.tex` with `\\begin{problem}` | FirstProof layout |
| `.md`, `.markdown`, `.txt` | text (see `problems.loaders.text`) |

A file with another extension is read when its content is unmistakable (JSON, JSON Lines, a
LaTeX problem box). A directory gives every supported file in it, sorted by name, skipping
hidden files and READMEs. Whatever cannot be read raises ProblemLoadError naming the file and
what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qed.problems.errors import ProblemLoadError
from qed.problems.loaders import firstproof, imobench, ineqmath, jsonl, text
from qed.problems.record import Problem

TEXT_SUFFIXES = (".md", ".markdown", ".txt")
SUPPORTED_SUFFIXES = (".json", ".jsonl", ".csv", ".tex", *TEXT_SUFFIXES)


def load_problems(path: str | Path) -> list[Problem]:
    """Every problem in a file, or in the supported files of a directory."""
    path = Path(path).expanduser()
    if path.is_dir():
        return _load_directory(path)
    return load_file(path)


def load_file(path: Path) -> list[Problem]:
    content = _read_text(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        problems = _from_json(path, _parse_json(path, content))
    elif suffix == ".jsonl":
        problems = jsonl.from_jsonl(path, content)
    elif suffix == ".csv":
        problems = imobench.from_csv(path, content)
    elif suffix == ".tex":
        problems = firstproof.from_tex(path, content)
    elif suffix in TEXT_SUFFIXES:
        problems = text.from_text(path, content)
    else:
        problems = _sniff(path, content)
    if not problems:
        raise ProblemLoadError(path, "no problems in this file")
    return problems


def _load_directory(path: Path) -> list[Problem]:
    files = sorted(
        p
        for p in path.iterdir()
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not p.name.startswith(".")
        and not p.stem.upper().startswith("README")
    )
    if not files:
        raise ProblemLoadError(
            path, f"directory holds no problem files ({', '.join(SUPPORTED_SUFFIXES)})"
        )
    problems: list[Problem] = []
    owner: dict[str, Path] = {}
    for file in files:
        for problem in load_file(file):
            if problem.id in owner:
                raise ProblemLoadError(
                    file,
                    f"id {problem.id!r} is already used by a problem in {owner[problem.id].name}",
                )
            owner[problem.id] = file
            problems.append(problem)
    return problems


def _read_text(path: Path) -> str:
    if not path.exists():
        raise ProblemLoadError(path, "no such file")
    if not path.is_file():
        raise ProblemLoadError(path, "not a regular file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProblemLoadError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemLoadError(
            path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    if not content.strip():
        raise ProblemLoadError(path, "empty file")
    return content


def _parse_json(path: Path, content: str) -> Any:
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise ProblemLoadError(
            path, f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None


def _from_json(path: Path, data: Any) -> list[Problem]:
    if ineqmath.matches(data):
        return ineqmath.from_json(path, data)
    if jsonl.is_record_list(data):
        return jsonl.from_records(path, data)
    if isinstance(data, dict) and "statement" in data:
        return jsonl.from_records(path, [data])
    if isinstance(data, list | dict) and not data:
        raise ProblemLoadError(path, "no problems in this file (empty JSON)")
    raise ProblemLoadError(
        path,
        "unknown JSON layout: expected IneqMath records (data_id, problem, type) "
        "or Problem records (id, statement)",
    )


def _sniff(path: Path, content: str) -> list[Problem]:
    """Read a file with an unfamiliar extension only when its content leaves no doubt."""
    stripped = content.lstrip()
    if stripped[:1] in "[{":
        try:
            return _from_json(path, json.loads(content))
        except json.JSONDecodeError:
            pass
        lines = [line for line in content.splitlines() if line.strip()]
        if all(line.lstrip().startswith("{") for line in lines):
            return jsonl.from_jsonl(path, content)
    if firstproof.matches(content):
        return firstproof.from_tex(path, content)
    shown = path.suffix or "no extension"
    raise ProblemLoadError(
        path, f"unknown format ({shown}); QED reads {', '.join(SUPPORTED_SUFFIXES)}"
    )
