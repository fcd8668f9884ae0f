"""Child-side set-up of the sandbox: namespaces, mounts, privileges and limits, then exec.

Run by the host as `python -I -B launcher.py CONFIG_JSON` in a new session, with stdout/stderr
on pipes and an event pipe at `CONFIG["event_fd"]`. It uses the standard library only (it must
not import the package) and ends by exec-ing the interpreter again with `bootstrap.py` as `-c`.
Everything it does happens in this child process; the host's namespaces are never touched.

Layers, each recorded by name in the `setup` event so the result can say what was in force:
  netns / ipcns       new network and SysV IPC namespaces: only a loopback that is down.
  mountns-readonly    a private mount namespace where every mount is read-only except the
                      scratch directory and a fresh small /dev/shm; directories the sandbox
                      user cannot enter (e.g. /root holding the interpreter) are covered by a
                      tmpfs that re-exposes only what the interpreter needs, read-only.
  uid-drop            when root: a per-run unprivileged uid/gid (UID_BASE + pid) with no
                      supplementary groups, so file permissions and RLIMIT_NPROC apply.
  userns              when not root: a user namespace (mapping the caller to itself) that
                      allows the network and mount namespaces above.
  no-new-privs        setuid binaries cannot raise privileges.
  rlimits             CPU, address space, file size, open files, processes, no core files.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import resource
import stat
import sys

UID_BASE = 2_000_000_000

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_STRICTATIME = 1 << 24

PR_SET_NO_NEW_PRIVS = 38

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [
    ctypes.c_int,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
]


class SetupError(Exception):
    """A mandatory step failed; the run must not start."""


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _b(path: str | None) -> bytes | None:
    return None if path is None else os.fsencode(path)


def mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    _check(_libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data)), f"mount {target}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


class Setup:
    """Applies the layers in order and remembers which ones took effect."""

    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        # Read now, as the host: once the mounts are in place and the uid is dropped, a checkout in a
        # private folder (mktemp -d, a 0700 home) is hidden, and only the interpreter is re-exposed.
        with open(cfg["bootstrap"]) as f:
            self.bootstrap_source = f.read()
        self.scratch = os.path.realpath(cfg["scratch"])
        self.protections: list[str] = []
        self.notes: list[str] = []
        self.is_root = os.geteuid() == 0
        self.uid = UID_BASE + os.getpid() if self.is_root else os.getuid()
        self.gid = UID_BASE + os.getpid() if self.is_root else os.getgid()

    # -- namespaces ---------------------------------------------------------------------------

    def namespaces(self) -> bool:
        """New net/ipc/mount namespaces; returns whether a mount namespace is in place."""
        if not self.is_root:
            return self._user_namespace()
        try:
            unshare(CLONE_NEWNET | CLONE_NEWIPC)
            self.protections += ["netns", "ipcns"]
        except OSError as e:
            self.notes.append(f"no network namespace ({e.strerror})")
        try:
            unshare(CLONE_NEWNS)
            return True
        except OSError as e:
            self.notes.append(f"no mount namespace ({e.strerror})")
            return False

    def _user_namespace(self) -> bool:
        uid, gid = os.getuid(), os.getgid()
        try:
            unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWNS)
        except OSError as e:
            self.notes.append(f"no user namespace ({e.strerror})")
            return False
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid} {gid} 1")
        self.protections += ["userns", "netns", "ipcns"]
        return True

    # -- file system ----------------------------------------------------------------------------

    def filesystem(self) -> None:
        """Make everything read-only except the scratch directory and a private /dev/shm."""
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        if self.is_root:
            self._expose(self._needed_paths())
        mount(self.scratch, self.scratch, None, MS_BIND)
        mount(None, self.scratch, None, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV)
        writable = {self.scratch}
        shm_size = min(int(self.cfg["limits"]["memory_bytes"]), 64 << 20)
        try:
            mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={shm_size},mode=1777")
            writable.add("/dev/shm")
        except OSError as e:
            self.notes.append(f"no private /dev/shm ({e.strerror})")
        failed = self._remount_read_only(writable)
        if failed:
            self.notes.append("mounts left writable: " + ", ".join(failed))
        else:
            self.protections.append("mountns-readonly")

    def _needed_paths(self) -> list[str]:
        """Directories the interpreter reads: its prefixes, its import path, the scratch dir."""
        paths = {sys.base_prefix, sys.prefix, sys.exec_prefix, os.path.dirname(sys.executable)}
        paths.update(p for p in sys.path if p)
        real = sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)} | {self.scratch})
        return [p for p in real if not any(p != q and p.startswith(q + os.sep) for q in real)]

    @staticmethod
    def _blocked_ancestor(path: str) -> str | None:
        """The outermost directory above `path` that a stranger (other bits only) cannot enter."""
        current = "/"
        for part in path.strip("/").split("/")[:-1]:
            current = os.path.join(current, part)
            if not os.stat(current).st_mode & stat.S_IXOTH:
                return current
        return None

    def _expose(self, needed: list[str]) -> None:
        """Cover each blocked directory with a tmpfs that holds bind mounts of what is needed."""
        by_cover: dict[str, list[str]] = {}
        for path in needed:
            cover = self._blocked_ancestor(path)
            if cover is not None:
                by_cover.setdefault(cover, []).append(path)
        for cover, paths in sorted(by_cover.items()):
            fds = [os.open(p, os.O_PATH | os.O_DIRECTORY) for p in paths]
            try:
                mount("tmpfs", cover, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
                for path, fd in zip(paths, fds, strict=True):
                    os.makedirs(path, mode=0o755, exist_ok=True)
                    mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
            finally:
                for fd in fds:
                    os.close(fd)

    def _remount_read_only(self, writable: set[str]) -> list[str]:
        failed = []
        for target in self._mount_points():
            if target in writable:
                continue
            try:
                flags = os.statvfs(target).f_flag
            except OSError:
                continue
            if flags & os.ST_RDONLY:
                continue
            keep = 0
            for st_flag, ms_flag in (
                (os.ST_NOSUID, MS_NOSUID),
                (os.ST_NODEV, MS_NODEV),
                (os.ST_NOEXEC, MS_NOEXEC),
                (os.ST_NOATIME, MS_NOATIME),
                (os.ST_NODIRATIME, MS_NODIRATIME),
            ):
                if flags & st_flag:
                    keep |= ms_flag
            if not flags & (os.ST_RELATIME | os.ST_NOATIME):
                keep |= MS_STRICTATIME
            try:
                mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | keep)
            except OSError as e:
                failed.append(f"{target} ({e.strerror})")
        return failed

    @staticmethod
    def _mount_points() -> list[str]:
        points = []
        with open("/proc/self/mountinfo") as f:
            for line in f:
                raw = line.split()[4]  # octal escapes for space, tab, newline, backslash
                points.append(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), raw))
        return points

    # -- privileges and limits ------------------------------------------------------------------

    def drop_privileges(self) -> None:
        if not self.is_root:
            return
        if not self._reachable_as_sandbox_user():
            self.notes.append("kept root: the sandbox uid cannot reach the interpreter")
            return
        os.chown(self.scratch, self.uid, self.gid)
        for root, dirs, files in os.walk(self.scratch):
            for name in dirs + files:
                os.lchown(os.path.join(root, name), self.uid, self.gid)
        os.setgroups([])
        os.setresgid(self.gid, self.gid, self.gid)
        os.setresuid(self.uid, self.uid, self.uid)
        if os.geteuid() == 0 or os.getegid() == 0:
            raise SetupError("still root after dropping privileges")
        self.protections.append("uid-drop")

    def _reachable_as_sandbox_user(self) -> bool:
        """Whether the interpreter and its import path can be read once the uid is dropped."""
        paths = [os.path.realpath(sys.executable)] + [p for p in sys.path if os.path.isdir(p)]
        pid = os.fork()  # this process is single-threaded: forking is safe
        if pid == 0:
            try:
                os.setgroups([])
                os.setresgid(self.gid, self.gid, self.gid)
                os.setresuid(self.uid, self.uid, self.uid)
                for path in paths:
                    if os.path.isdir(path):
                        os.listdir(path)
                    else:
                        open(path, "rb").close()
                os._exit(0)
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status) == 0

    def limits(self) -> None:
        lim = self.cfg["limits"]
        cpu = max(1, int(-(-float(lim["cpu_seconds"]) // 1)))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (lim["memory_bytes"], lim["memory_bytes"]))
        resource.setrlimit(resource.RLIMIT_FSIZE, (lim["file_bytes"], lim["file_bytes"]))
        resource.setrlimit(resource.RLIMIT_NOFILE, (lim["open_files"], lim["open_files"]))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (self._nproc(lim["processes"]),) * 2)
        self.protections.append("rlimits")
        if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
            self.protections.append("no-new-privs")

    def _nproc(self, processes: int) -> int:
        """RLIMIT_NPROC counts every task of the real uid, so a shared uid needs its own count."""
        if self.is_root or "userns" in self.protections:
            return processes
        return processes + _tasks_of_uid(os.getuid())

    def exec_bootstrap(self) -> None:
        child_cfg = {
            "scratch": self.scratch,
            "main": self.cfg["main"],
            "event_fd": self.cfg["event_fd"],
            "audit_hook": self.cfg["audit_hook"],
            "allow_fork": not self.is_root or "uid-drop" in self.protections,
        }
        os.chdir(self.scratch)
        os.umask(0o077)
        _event(
            {
                "event": "setup",
                "protections": self.protections,
                "notes": self.notes,
                "uid": self.uid,
            }
        )
        argv = [sys.executable, "-I", "-B", "-c", self.bootstrap_source, json.dumps(child_cfg)]
        os.execve(sys.executable, argv, self.cfg["env"])


def _tasks_of_uid(uid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if int(fields.get("Uid", "-1 0").split()[0]) == uid:
            count += int(fields.get("Threads", "1"))
    return count


_EVENT_FD = -1


def _event(payload: dict) -> None:
    os.write(_EVENT_FD, (json.dumps(payload) + "\n").encode())


def main() -> int:
    global _EVENT_FD
    cfg = json.loads(sys.argv[1])
    _EVENT_FD = cfg["event_fd"]
    setup = Setup(cfg)
    try:
        if setup.namespaces():
            try:
                setup.filesystem()
            except OSError as e:
                setup.notes.append(f"file system not confined ({e})")
        setup.drop_privileges()
        setup.limits()
        if cfg["audit_hook"]:
            setup.protections.append("audit-hook")
        setup.exec_bootstrap()
    except Exception as e:  # any failure here means the run must not start
        _event({"event": "setup_error", "detail": f"{type(e).__name__}: {e}"})
        return 125
    return 125  # exec does not return


if __name__ == "__main__":
    sys.exit(main())
