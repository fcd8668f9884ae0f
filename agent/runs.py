"""A run's folder: config, results as they finish, the model-call log, checkpoints, a summary.

`runs/<UTC timestamp>-<command>-<slug>/` is the one place a user looks to see what happened.
Results are appended and fsynced the moment a problem ends, so a crash never loses them.
"""

from __future__ import annotations

import json
import os
import re
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
        return json.loads(self.file(self.CONFIG).read_text())

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
