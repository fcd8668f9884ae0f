"""What a sandboxed run may use, and what came back from it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

LimitName = Literal[
    "cpu", "wall", "memory", "processes", "output", "network", "filesystem", "syscall"
]


class SandboxError(Exception):
    """The sandbox could not run the code at all (bad arguments, or the set-up failed)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run. The defaults fit a short numeric or symbolic check.

    Each limit, exactly (the layer that enforces it is named in `SandboxResult.protections`):

    cpu_seconds    CPU time of each process (RLIMIT_CPU, rounded up to whole seconds): SIGXCPU
                   at the limit, SIGKILL a second later. Per process, not per run; the wall
                   limit bounds the total.
    wall_seconds   Real time from start to the end of the last process of the run. The host
                   kills the run at the limit; the run's own supervisor (pid 1 of its pid
                   namespace) kills it half a second later if the host has not.
    memory_bytes   Two limits with one value. (1) The whole run: every process together, all
                   the memory charged to them, including files in the scratch directory and
                   /dev/shm (they live in memory). With a cgroup ("cgroup-memory") the kernel
                   enforces it: at the limit it kills a process of the run (limit "memory").
                   Without one ("memory-watchdog") the run's supervisor sums the processes'
                   proportional resident memory (PSS) every 50 ms and kills the run when the
                   sum passes the limit, so a burst faster than that may overshoot briefly.
                   (2) Each process's address space (RLIMIT_AS), so one oversized allocation
                   fails at once with MemoryError. numpy, scipy and sympy together map about
                   330 MB of address space here (one BLAS thread): under ~400 MB their import
                   fails.
    processes      Processes and threads of the run at any one time, the main one included
                   (the sandbox's own supervisor processes do not count): a pids cgroup where
                   available, and RLIMIT_NPROC on the run's own uid in any case. A fork past it
                   fails (BlockingIOError).
    output_bytes   Bytes kept from stdout and from stderr, each; past that the run is stopped.
    file_bytes     The largest single file the code may write (RLIMIT_FSIZE).
    scratch_bytes  Everything written in the scratch directory together: the scratch directory
                   is a tmpfs of this size in the run's own mount namespace. Writing past it
                   fails with "No space left on device" (limit "filesystem").
    scratch_files  Files and directories in the scratch directory together (the tmpfs's
                   inode count, main.py and the inputs included).
    open_files     Open file descriptors per process (RLIMIT_NOFILE).
    """

    cpu_seconds: float = 10.0
    wall_seconds: float = 20.0
    memory_bytes: int = 1 << 30
    processes: int = 16
    output_bytes: int = 64 * 1024
    file_bytes: int = 16 << 20
    scratch_bytes: int = 64 << 20
    scratch_files: int = 4096
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
        if self.scratch_files < 8:
            raise SandboxError("Limits.scratch_files must be at least 8 (main.py counts)")
        if self.scratch_bytes < 1 << 20:
            raise SandboxError("Limits.scratch_bytes must be at least 1 MiB")

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
    (a refused connection, say); `reason` is one line a person can read. "syscall" means the
    kernel filter refused a system call no check needs (a new namespace, ptrace, bpf, ...).
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
