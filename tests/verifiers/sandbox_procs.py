"""Finding a sandboxed run's processes from outside, for tests that kill the host under it."""

from __future__ import annotations

import os
import time

BOOTSTRAP_MARK = b"First code inside the sandboxed interpreter"  # bootstrap.py's docstring


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def _uid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _all_pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def live_pids(pids) -> list[int]:
    """Those of `pids` that are still running (zombies count as gone)."""
    alive = []
    for pid in pids:
        stat = _stat(pid)
        if stat is not None and stat[0] not in ("Z", "X"):
            alive.append(pid)
    return sorted(alive)


def pid_namespace(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid in _all_pids():
        stat = _stat(pid)
        if stat is not None:
            children.setdefault(stat[1], []).append(pid)
    found, pending = [], [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def wait_for_sandbox(host_pid: int, at_least: int, timeout: float) -> dict[int, int]:
    """The host's descendants running the sandboxed program (pid -> uid), once there are
    `at_least` of them; {} if that does not happen within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = {}
        for pid in live_pids(descendants(host_pid)):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    is_program = BOOTSTRAP_MARK in f.read()
            except OSError:
                continue
            uid = _uid(pid)
            if is_program and uid is not None:
                running[pid] = uid
        if len(running) >= at_least:
            return running
        time.sleep(0.05)
    return {}


def sandbox_processes(uids: set[int], namespaces: set[str]) -> list[int]:
    """Live processes that run as one of `uids` or inside one of the pid `namespaces`."""
    found = []
    for pid in live_pids(_all_pids()):
        if _uid(pid) in uids or (namespaces and pid_namespace(pid) in namespaces):
            found.append(pid)
    return found
