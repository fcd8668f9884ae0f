"""What a sandboxed run may use, and what came back from it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

LimitName = Literal["cpu", "wall", "memory", "processes", "output", "network", "filesystem"]


class SandboxError(Exception):
    """The sandbox could not run the code at all (bad arguments, or the set-up failed)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run. The defaults fit a short numeric or symbolic check.

    memory_bytes caps the address space, not resident memory: numpy, scipy and sympy together
    map about 330 MB here (one BLAS thread), so values under ~400 MB break their import.
    processes counts every process and thread of the sandbox, the main one included.
    file_bytes is the largest single file the code may write in its scratch directory.
    """

    cpu_seconds: float = 10.0
    wall_seconds: float = 20.0
    memory_bytes: int = 1 << 30
    processes: int = 16
    output_bytes: int = 64 * 1024
    file_bytes: int = 16 << 20
    open_files: int = 64

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise SandboxError(f"Limits.{field.name} must be a positive number, got {value!r}")
        if self.processes < 2:
            raise SandboxError(
                "Limits.processes must be at least 2 (the interpreter itself counts)"
            )

    def tightened(self, **changes: float) -> Limits:
        """These limits with some lowered; a value above the current one is kept at the current."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise SandboxError(f"unknown limit(s): {', '.join(sorted(unknown))}")
        lowered = {name: min(getattr(self, name), value) for name, value in changes.items()}
        return dataclasses.replace(self, **lowered)


@dataclass(frozen=True)
class SandboxResult:
    """What one run printed, how it ended, and which limit (if any) cut it off.

    exit_code is None when a signal ended the process (then `signal` holds its number).
    limit_hit names the first limit the run ran into, even one the code caught and survived
    (a refused connection, say); `reason` is one line a person can read.
    protections lists the containment layers that were in force (see the package docstring).
    """

    stdout: str
    stderr: str
    exit_code: int | None
    signal: int | None
    limit_hit: LimitName | None
    duration: float
    reason: str
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    protections: tuple[str, ...] = ()
    scratch_dir: Path | None = None

    @property
    def ok(self) -> bool:
        """The code ran to completion, exited 0 and touched no limit."""
        return self.exit_code == 0 and self.limit_hit is None

    def for_model(self, max_chars: int = 4000) -> str:
        """A compact text of this result to feed back to a model: reason, stdout, stderr tail."""
        parts = [f"[sandbox] {self.reason}"]
        budget = max(200, max_chars - len(parts[0]))
        if self.stdout:
            parts.append("stdout:\n" + _clip(self.stdout, budget * 2 // 3, keep="head"))
        if self.stderr:
            parts.append("stderr:\n" + _clip(self.stderr, budget // 3, keep="tail"))
        return "\n".join(parts)


def _clip(text: str, limit: int, keep: Literal["head", "tail"]) -> str:
    if len(text) <= limit:
        return text
    if keep == "head":
        return text[:limit] + f"\n[... {len(text) - limit} more characters]"
    return f"[... {len(text) - limit} earlier characters]\n" + text[-limit:]
