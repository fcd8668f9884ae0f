"""Run the real `qed` command in a subprocess, the way a user does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def qed_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QED_RUNS_DIR"] = str(tmp_path / "runs")
    env["QED_MEMORY"] = str(tmp_path / "memory.db")
    env.pop("QED_MODEL", None)
    return env


def qed(tmp_path: Path, *args: str, timeout: float = 120, env: dict[str, str] | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qed.cli", *args], cwd=tmp_path, env={**qed_env(tmp_path), **(env or {})},
                          capture_output=True, text=True, timeout=timeout, input=stdin)


def qed_popen(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "qed.cli", *args], cwd=tmp_path, env=qed_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def run_dirs(tmp_path: Path) -> list[Path]:
    root = tmp_path / "runs"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.exists() else []
