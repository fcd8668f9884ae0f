"""A cgroup per run: memory and process limits for the run as a whole, not for each process.

The run's cgroup is made below the host's own cgroup in each hierarchy (v1 "memory" and "pids",
or the v2 unified one), so whatever limits the host itself lives under still apply, and it is
named after the host's pid so that a later run can remove what a killed host left
(`sweep_stale`). Only the sandboxed program's processes join it (the launcher writes "0" to the
cgroup.procs descriptors it is given); the sandbox's own supervisors stay outside.

Needs write access to the cgroup file system: as root on this project's machines (cgroup v1).
On cgroup v2 it works where the host's cgroup already offers the memory and pids controllers to
its children (it never enables them itself: that would mean moving the host). Elsewhere
`RunCgroup.create` returns None and the launcher's watchdog takes over the memory total.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "qed-sandbox-"
_STALE = re.compile(rf"^{PREFIX}(\d+)-")


@dataclass(frozen=True)
class _Hierarchy:
    version: int  # 1 or 2
    parent: Path  # the host's own cgroup directory in this hierarchy


def _hierarchies() -> dict[str, _Hierarchy]:
    """controller -> where the host's cgroup is, for memory and pids."""
    own: dict[str, str] = {}
    with contextlib.suppress(OSError), open("/proc/self/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                own[name] = path
    mounts: dict[str, tuple[int, str, str]] = {}  # controller -> (version, root, mount point)
    with contextlib.suppress(OSError), open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            sep = fields.index("-")
            fstype, options = fields[sep + 1], fields[sep + 3].split(",")
            root, point = fields[3], _unescape(fields[4])
            if fstype == "cgroup":
                for name in ("memory", "pids"):
                    if name in options:
                        mounts[name] = (1, root, point)
            elif fstype == "cgroup2":
                mounts.setdefault("", (2, root, point))
    found: dict[str, _Hierarchy] = {}
    for name in ("memory", "pids"):
        version, root, point = mounts.get(name) or mounts.get("", (0, "", ""))
        path = own.get(name if version == 1 else "")
        if not version or path is None:
            continue
        relative = os.path.relpath(path, root) if path.startswith(root) else None
        if relative is None or relative.startswith(".."):
            continue  # the host's cgroup is outside what this mount shows
        parent = Path(point) / ("" if relative == "." else relative)
        if version == 2 and name not in _read(parent / "cgroup.subtree_control").split():
            continue
        found[name] = _Hierarchy(version, parent)
    return found


def _unescape(text: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), text)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _counter(path: Path, key: str) -> int:
    """The value of `key` in a flat keyed file such as memory.events or pids.events."""
    for line in _read(path).splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == key and parts[1].isdigit():
            return int(parts[1])
    return 0


@dataclass
class RunCgroup:
    """The cgroup directories of one run, one per controller, and what to read from them."""

    dirs: dict[str, tuple[int, Path]] = field(default_factory=dict)  # controller -> (version, dir)

    @classmethod
    def create(cls, name: str, memory_bytes: int, processes: int) -> RunCgroup | None:
        """Make the run's cgroup with both limits set; None when that is not possible here."""
        group = cls()
        try:
            for controller, where in _hierarchies().items():
                path = where.parent / name
                path.mkdir(mode=0o755)
                group.dirs[controller] = (where.version, path)
                group._limit(controller, where.version, path, memory_bytes, processes)
        except OSError:
            group.remove()
            return None
        return group if group.dirs else None

    @staticmethod
    def _limit(controller: str, version: int, path: Path, memory: int, processes: int) -> None:
        if controller == "pids":
            (path / "pids.max").write_text(str(processes))
        elif version == 1:
            (path / "memory.limit_in_bytes").write_text(str(memory))
            swap = path / "memory.memsw.limit_in_bytes"  # memory + swap: no way round by swap
            if swap.exists():
                swap.write_text(str(memory))
        else:
            (path / "memory.max").write_text(str(memory))
            swap = path / "memory.swap.max"
            if swap.exists():
                swap.write_text("0")

    @property
    def protections(self) -> list[str]:
        return [f"cgroup-{controller}" for controller in sorted(self.dirs)]

    def procs_files(self) -> list[str]:
        return [str(path / "cgroup.procs") for _, path in self.dirs.values()]

    def oom_kills(self) -> int:
        """How many of the run's processes the kernel killed at the memory limit."""
        if "memory" not in self.dirs:
            return 0
        version, path = self.dirs["memory"]
        name = "memory.oom_control" if version == 1 else "memory.events"
        return _counter(path / name, "oom_kill")

    def refused_forks(self) -> int:
        """How many forks failed at the pids limit."""
        if "pids" not in self.dirs:
            return 0
        return _counter(self.dirs["pids"][1] / "pids.events", "max")

    def kill_all(self) -> None:
        """SIGKILL every process in the run's cgroup until none is left."""
        for version, path in self.dirs.values():
            if version == 2 and (path / "cgroup.kill").exists():
                with contextlib.suppress(OSError):
                    (path / "cgroup.kill").write_text("1")
        for _ in range(1000):
            pids = [
                int(p)
                for _, path in self.dirs.values()
                for p in _read(path / "cgroup.procs").split()
            ]
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.001)

    def remove(self) -> None:
        """Remove the directories; processes that are still exiting may hold them a moment."""
        for _, path in self.dirs.values():
            for _ in range(200):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.005)


def sweep_stale() -> None:
    """Remove the cgroups of runs whose host died without removing them (kill -9, power cut)."""
    for where in _hierarchies().values():
        try:
            entries = list(where.parent.iterdir())
        except OSError:
            continue
        for path in entries:
            match = _STALE.match(path.name)
            if match and path.is_dir() and not _alive(int(match.group(1))):
                stale = RunCgroup({"stale": (where.version, path)})
                stale.kill_all()
                stale.remove()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
