"""A run's folder: config, results as they finish, the model-call log, checkpoints, a summary.

`runs/<UTC timestamp>-<command>-<slug>/` is the one place a user looks to see what happened.
Results are appended and fsynced the moment a problem ends, so a crash never loses them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def runs_root() -> Path:
    return Path(os.environ.get("QED_RUNS_DIR") or "runs")


def slugify(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return slug[:limit].strip("-") or "run"


class RunDir:
    CONFIG = "config.json"
    RESULTS = "results.jsonl"
    CALLS = "calls.sqlite"
    CHECKPOINTS = "checkpoints.sqlite"
    SUMMARY = "summary.md"
    SERVER_LOG = "llama-server.log"

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, command: str, slug: str, root: Path | None = None) -> RunDir:
        root = root or runs_root()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        base = root / f"{stamp}-{command}-{slugify(slug)}"
        path, n = base, 1
        while path.exists():
            n += 1
            path = base.with_name(f"{base.name}-{n}")
        path.mkdir(parents=True)
        return cls(path)

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        p = Path(path)
        if not (p / cls.CONFIG).is_file():
            raise ValueError(f"{p} is not a QED run folder (no {cls.CONFIG})")
        return cls(p)

    def file(self, name: str) -> Path:
        return self.path / name

    def write_config(self, config: dict[str, Any]) -> None:
        self.file(self.CONFIG).write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")

    def read_config(self) -> dict[str, Any]:
        try:
            data = json.loads(self.file(self.CONFIG).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{self.file(self.CONFIG)} is not valid JSON ({e})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{self.file(self.CONFIG)} does not hold a JSON object")
        return data

    def append_result(self, result: dict[str, Any]) -> None:
        """One line per result, fsynced; after a line torn by a crash, start on a fresh line."""
        line = (json.dumps(result, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with open(self.file(self.RESULTS), "a+b") as f:
            if f.seek(0, os.SEEK_END) > 0:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    line = b"\n" + line  # otherwise this record would fuse with the torn one
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    def results(self) -> list[dict[str, Any]]:
        """The complete records: a line that is a whole JSON object with a problem id.

        A line torn by a kill mid-write (even inside a multi-byte character) is not a record;
        its problem is simply solved again.
        """
        p = self.file(self.RESULTS)
        if not p.exists():
            return []
        out = []
        for raw in p.read_bytes().split(b"\n"):
            try:
                record = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(record, dict) and isinstance(record.get("problem_id"), str):
                out.append(record)
        return out

    def write_summary(self, text: str) -> None:
        tmp = self.file(self.SUMMARY + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(self.file(self.SUMMARY))


EARLIER_RUNS = 5  # how many earlier runs of the same problems an estimate reads (the newest)


def earlier_seconds(run: RunDir, earlier: int = EARLIER_RUNS) -> dict[str, float]:
    """How long each problem took in the newest earlier runs beside `run` of the same problem
    file with the same solver: {problem id: seconds}, the newest run's figure where several have it.

    An estimate for scheduling only (the longest problems start first, so no job sits idle at
    the end): it never changes what a problem is given or how it is judged. Unreadable or
    foreign folders are skipped.
    """
    try:
        mine = run.read_config()
        siblings = sorted((p for p in run.path.parent.iterdir() if p.is_dir() and p != run.path), reverse=True)
    except (OSError, ValueError):
        return {}
    key = (mine.get("command"), mine.get("source"), mine.get("solver"))
    out: dict[str, float] = {}
    used = 0
    for path in siblings:
        if used >= earlier:
            break
        other = RunDir(path)
        try:
            config = other.read_config()
        except (OSError, ValueError):
            continue
        if (config.get("command"), config.get("source"), config.get("solver")) != key:
            continue
        used += 1
        for r in other.results():
            seconds = r.get("seconds")
            if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
                out.setdefault(r["problem_id"], float(seconds))
    return out


@dataclass
class ResumePlan:
    """What a run folder's config.json asks a resume to do, each field checked: it is untrusted data
    (a folder someone sent). Its model specs still need the user's consent (cli/solve_cmd.py)."""

    source: str
    solver: str
    limit: int | None
    ids: str | None
    models: dict[str, str]
    max_rounds: int


def resume_plan(run: RunDir, solvers: tuple[str, ...]) -> ResumePlan:
    data = run.read_config()
    where = run.file(RunDir.CONFIG)

    def field(key: str, kinds: tuple[type, ...], default: Any = None) -> Any:
        value = data.get(key, default)
        if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
            raise ValueError(f"{where}: {key!r} is {value!r}, not what `qed solve` writes")
        return value

    source = field("source", (str,))
    solver = field("solver", (str,), "loop")
    if solver not in solvers:
        raise ValueError(f"{where}: unknown solver {solver!r}")
    limit = field("limit", (int, type(None)))
    if limit is not None and limit < 1:
        raise ValueError(f"{where}: 'limit' must be at least 1")
    models = field("models", (dict,), {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in models.items()):
        raise ValueError(f"{where}: 'models' must map roles to spec strings")
    loop = field("loop", (dict,), {})
    rounds = loop.get("max_rounds", 1)
    if not isinstance(rounds, int) or isinstance(rounds, bool) or not 1 <= rounds <= 1000:
        raise ValueError(f"{where}: loop.max_rounds is {rounds!r}, not a number of rounds")
    return ResumePlan(source, solver, limit, field("ids", (str, type(None))), dict(models), rounds)
