"""Where memory lives: `--memory PATH`, else $QED_MEMORY, else the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

FILENAME = "memory.db"


def default_memory_path() -> Path:
    env = os.environ.get("QED_MEMORY")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("qed")) / FILENAME


def shared_data_dir() -> Path | None:
    """The read-only data sets (../shared/data from the repo root), or $QED_DATA_DIR; None if absent."""
    env = os.environ.get("QED_DATA_DIR")
    if env:
        return Path(env) if Path(env).is_dir() else None
    candidates = [Path.cwd().parent / "shared" / "data", Path(__file__).resolve().parents[2] / "shared" / "data"]
    for folder in candidates:
        if folder.is_dir():
            return folder
    return None
