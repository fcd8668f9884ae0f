"""Pid 1 of a run's pid namespace: it outlives nothing, and nothing of the run outlives it.

Child side, standard library only. The launcher forks the program from here and then runs
`Supervisor.run`, which
  - reaps every process of the run (orphans come to pid 1) and records the program's status;
  - kills the whole run when the host goes away: the host holds the write end of the lifeline
    pipe, so its death, even by SIGKILL, closes it (a parent-death signal covers the gap);
  - enforces what the host would, in case the host cannot: the wall limit half a second late;
    and, when no cgroup holds the run, the memory total (the sum of the processes' PSS);
  - watches the scratch tmpfs and reports when it filled up;
  - at the end kills whatever is left, copies the scratch directory out if asked, and sends
    the host one trusted "exit" record on the control pipe, which the program cannot write to.
When pid 1 of a namespace exits the kernel kills every other process in it, so a crash here
also ends the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import time
from collections.abc import Callable

TICK = 0.05  # seconds between watchdog samples
WALL_GRACE = 0.5  # the host kills at the wall limit; this is the backstop


class Supervisor:
    def __init__(
        self,
        program: int,
        *,
        control_fd: int,
        lifeline_fd: int,
        wall_seconds: float,
        memory_limit: int | None,
        scratch: str | None,
        in_pid_namespace: bool,
    ) -> None:
        self.program = program
        self.control_fd = control_fd
        self.lifeline_fd = lifeline_fd
        self.deadline = time.monotonic() + wall_seconds + WALL_GRACE
        self.memory_limit = memory_limit
        self.scratch = scratch
        self.in_pid_namespace = in_pid_namespace
        self.status: tuple[int, float] | None = None
        self.scratch_full = False
        self.killed = False

    def send(self, payload: dict) -> None:
        with contextlib.suppress(OSError):
            os.write(self.control_fd, (json.dumps(payload) + "\n").encode())

    def kill_all(self) -> None:
        self.killed = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self.in_pid_namespace:
                os.kill(-1, signal.SIGKILL)  # from pid 1: every other process in the namespace
            else:
                os.killpg(self.program, signal.SIGKILL)

    def run(self, copy_out: Callable[[], None] | None = None) -> None:
        """Supervise until the program has ended and nothing else of the run is left; then
        `copy_out` (keep_scratch) and the exit record."""
        wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(wake_w)
        poller = select.poll()
        poller.register(self.lifeline_fd, select.POLLIN | select.POLLHUP)
        poller.register(wake_r, select.POLLIN)
        while True:
            self._reap()  # first, too: the program may have ended before the handler was set
            if self.status is not None:
                break
            if not self.killed:
                self._sample()
                if time.monotonic() >= self.deadline:
                    self.send(
                        {
                            "event": "limit",
                            "kind": "wall",
                            "detail": "stopped by the sandbox's supervisor",
                        }
                    )
                    self.kill_all()
            if self.memory_limit is not None or self.scratch is not None or self.killed:
                timeout = TICK
            else:
                timeout = max(self.deadline - time.monotonic(), 0.0)
            for fd, _ in poller.poll(int(timeout * 1000) + 1):
                if fd == self.lifeline_fd:  # the host is gone: so is the run, at once
                    self.kill_all()
                    os._exit(0)
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_r, 4096)
        self._finish(copy_out)

    def _reap(self) -> None:
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.program:
                self.status = (status, usage.ru_utime + usage.ru_stime)

    def _sample(self) -> None:
        if self.scratch is not None and not self.scratch_full and scratch_is_full(self.scratch):
            self.scratch_full = True
            self.send(
                {"event": "limit", "kind": "filesystem", "detail": scratch_detail(self.scratch)}
            )
        if self.memory_limit is not None and self.in_pid_namespace:
            used = run_memory()
            if used > self.memory_limit:
                self.send(
                    {
                        "event": "limit",
                        "kind": "memory",
                        "detail": f"the run's processes together held {used >> 20} MiB; "
                        "the sandbox's watchdog stopped the run",
                    }
                )
                self.kill_all()

    def _finish(self, copy_out: Callable[[], None] | None) -> None:
        """Nothing of the run may be left when the host hears that it ended."""
        while True:
            self.kill_all()
            try:
                os.wait4(-1, 0)
            except ChildProcessError:
                break
        if self.scratch is not None and not self.scratch_full and scratch_is_full(self.scratch):
            self.send(
                {"event": "limit", "kind": "filesystem", "detail": scratch_detail(self.scratch)}
            )
        if copy_out is not None:
            try:
                copy_out()
            except OSError as e:
                self.send({"event": "note", "detail": f"scratch copied out only in part: {e}"})
        status, cpu = self.status if self.status else (signal.SIGKILL, 0.0)
        self.send({"event": "exit", "status": status, "cpu": cpu})


def scratch_is_full(path: str) -> bool:
    try:
        info = os.statvfs(path)
    except OSError:
        return False
    return info.f_bavail == 0 or info.f_favail == 0


def scratch_detail(path: str) -> str:
    info = os.statvfs(path)
    size = info.f_blocks * info.f_frsize
    what = "files" if info.f_favail == 0 else "bytes"
    return (
        f"the scratch directory is full ({what}: {size >> 20} MiB, {info.f_files} files "
        "and directories at most)"
    )


def run_memory() -> int:
    """Bytes of memory the run's processes hold, each shared page counted once (sum of PSS)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or entry == "1":
            continue
        try:
            with open(f"/proc/{entry}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total
