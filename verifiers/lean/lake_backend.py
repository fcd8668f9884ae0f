"""Check a Lean file by running `lake env lean <file>` inside the configured Lake project.

The file goes into a fresh hidden directory of the project (so the project's packages, Mathlib
included, resolve), output goes to a file beside it (no pipe a stray child can hold open), and the
run is its own session: at the time limit the whole process group (lake and the lean it started)
is killed. The directory is removed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

MAX_OUTPUT_BYTES = 2_000_000
CHECK_FILE = "QedCheck.lean"


@dataclass(frozen=True)
class LakeRun:
    output: str
    returncode: int | None  # None when killed at the time limit
    timed_out: bool
    file: str  # the checked file, relative to the project root, as Lean names it in messages


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def run_lake_lean(project: Path, lake: str, text: str, timeout_s: float) -> LakeRun:
    """Write `text` into the project and let Lean check it, for at most `timeout_s` seconds."""
    scratch = Path(tempfile.mkdtemp(prefix=".qed-lean-", dir=project))
    try:
        target = scratch / CHECK_FILE
        target.write_text(text, encoding="utf-8")
        relative = str(target.relative_to(project))
        log_path = scratch / "lean-output.txt"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [lake, "env", "lean", relative],
                cwd=project, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            timed_out = False
            try:
                returncode: int | None = proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                timed_out, returncode = True, None
                _kill_group(proc.pid)
                proc.wait()
            finally:
                _kill_group(proc.pid)  # children lake left behind, if any
        with open(log_path, "rb") as log:
            raw = log.read(MAX_OUTPUT_BYTES + 1)
        output = raw[:MAX_OUTPUT_BYTES].decode("utf-8", errors="replace")
        if len(raw) > MAX_OUTPUT_BYTES:
            output += f"\n[output cut off after {MAX_OUTPUT_BYTES} bytes]"
        return LakeRun(output, returncode, timed_out, relative)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
