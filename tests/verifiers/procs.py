"""Child-process bookkeeping for tests that must show a killed solver leaves nothing behind."""

from __future__ import annotations

import os


def live_children(pid: int | None = None) -> set[int]:
    """Live (non-zombie) children of pid, read from /proc.

    Tests compare the set before and after a call: long-lived helpers that earlier tests started in
    this process (multiprocessing's resource tracker, for one) are not the call's leftovers."""
    pid = os.getpid() if pid is None else pid
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(entry))
    return out
