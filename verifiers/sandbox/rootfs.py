"""The file system a run sees: a new root holding only what Python needs, read-only.

Child side, standard library only (the launcher loads it before any mount hides the checkout).
Called in the run's own mount namespace, by its pid-1 supervisor, so that /proc shows only the
run's processes. The new root is a small tmpfs with, bound read-only at their usual paths:

  /usr and the top-level /bin /sbin /lib* links (or directories) of the host
  the interpreter's prefixes and its import path (for an editable install these lead to the
    source checkout only through the import hook, which is not exposed)
  a few files of /etc the C library reads (ld.so.cache, localtime, ...), plus a passwd and
    group naming only the run's user
  /dev/null, zero, full, random, urandom; /dev/shm a fresh size-capped tmpfs
  /proc a fresh proc for the run's pid namespace
  the scratch directory: a fresh tmpfs of scratch_bytes and scratch_files, holding a copy of
    what the host staged (main.py and the inputs), at the host's staging path

Everything else on the host (home directories, /work, /tmp, other runs) is absent, so reads are
confined as well as writes. The tmpfs holding the run's files vanishes with the mount namespace
when the run's last process ends, however the host ended.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import stat

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
MNT_DETACH = 2

TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone")
DEVICES = ("null", "zero", "full", "random", "urandom")
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]


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


def outermost(paths) -> list[str]:
    """The real paths of the existing ones, without those inside another of them (nor "/")."""
    real = sorted({os.path.realpath(p) for p in paths if p and os.path.exists(p)} - {"/"})
    return [p for p in real if not any(p != q and p.startswith(q + os.sep) for q in real)]


class NewRoot:
    """Builds the root described above under `base` (a directory that becomes its mount point)."""

    def __init__(self, base: str, scratch: str, staging_fd: int) -> None:
        self.base = base
        self.scratch = scratch
        self.staging_fd = staging_fd

    def at(self, path: str) -> str:
        return self.base + path

    def build(
        self,
        python_paths: list[str],
        *,
        scratch_bytes: int,
        scratch_files: int,
        shm_bytes: int,
        uid: int,
        gid: int,
    ) -> None:
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        binds = outermost(["/usr", *python_paths])
        etc = [f"/etc/{name}" for name in ETC_FILES if os.path.lexists(f"/etc/{name}")]
        sources = binds + [p for p in etc if not os.path.islink(p)]
        sources += [f"/dev/{d}" for d in DEVICES]
        sources += [
            f"/{n}" for n in TOP_LEVEL if os.path.isdir(f"/{n}") and not os.path.islink(f"/{n}")
        ]
        fds = {p: os.open(p, os.O_PATH | os.O_CLOEXEC) for p in sources}
        try:
            mount(
                "tmpfs", self.base, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,nr_inodes=4096,mode=755"
            )
            for name in TOP_LEVEL:
                if os.path.islink(f"/{name}"):
                    os.symlink(os.readlink(f"/{name}"), self.at(f"/{name}"))
            for path, fd in fds.items():
                self._bind(path, fd)
            for path in etc:
                if os.path.islink(path):
                    os.symlink(os.readlink(path), self.at(path))
            self._write(
                "/etc/passwd", f"sandbox:x:{uid}:{gid}:QED sandbox:{self.scratch}:/bin/false\n"
            )
            self._write("/etc/group", f"sandbox:x:{gid}:\n")
            for name, target in (
                ("fd", "/proc/self/fd"),
                ("stdin", "/proc/self/fd/0"),
                ("stdout", "/proc/self/fd/1"),
                ("stderr", "/proc/self/fd/2"),
            ):
                os.symlink(target, self.at(f"/dev/{name}"))
            for path in ("/dev/shm", "/proc", "/tmp", self.scratch):
                os.makedirs(self.at(path), mode=0o755, exist_ok=True)
        finally:
            for fd in fds.values():
                os.close(fd)
        mount(
            "tmpfs",
            self.at("/dev/shm"),
            "tmpfs",
            MS_NOSUID | MS_NODEV,
            f"size={shm_bytes},nr_inodes=1024,mode=1777",
        )
        mount("proc", self.at("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        mount(
            "tmpfs",
            self.at(self.scratch),
            "tmpfs",
            MS_NOSUID | MS_NODEV,
            f"size={scratch_bytes},nr_inodes={scratch_files},mode=700",
        )
        scratch_fd = os.open(self.at(self.scratch), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            copy_tree(self.staging_fd, scratch_fd, follow=True)
        except OSError as e:
            raise OSError(
                e.errno, f"the inputs do not fit in the scratch directory ({e.strerror})"
            ) from e
        finally:
            os.close(scratch_fd)
        mount(None, self.base, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        self._pivot()
        failed = remount_read_only({self.scratch, "/dev/shm", "/proc"})
        if failed:
            raise OSError(0, "mounts left writable: " + ", ".join(failed))

    def _bind(self, path: str, fd: int) -> None:
        target = self.at(path)
        if stat.S_ISDIR(os.stat(fd).st_mode):
            os.makedirs(target, mode=0o755, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644))
        mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)

    def _write(self, path: str, text: str) -> None:
        os.makedirs(os.path.dirname(self.at(path)), mode=0o755, exist_ok=True)
        with open(self.at(path), "w") as f:
            f.write(text)
        os.chmod(self.at(path), 0o644)

    def _pivot(self) -> None:
        """Make the new root `/` and drop the host's tree from this mount namespace."""
        number = SYS_PIVOT_ROOT.get(os.uname().machine)
        if number is None:
            raise OSError(0, f"pivot_root: unknown machine {os.uname().machine}")
        os.chdir(self.base)
        _check(_libc.syscall(ctypes.c_long(number), b".", b"."), "pivot_root")
        _check(_libc.umount2(b".", MNT_DETACH), "umount the host's root")
        os.chdir("/")


def remount_read_only(writable: set[str]) -> list[str]:
    """Remount every mount read-only except `writable`, keeping the flags a user namespace
    locks (nosuid, nodev, noexec, atime); returns the ones that failed."""
    failed = []
    for target in _mount_points():
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


def _mount_points() -> list[str]:
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            raw = line.split()[4]  # octal escapes for space, tab, newline, backslash
            points.append(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), raw))
    return points


def copy_tree(src_fd: int, dst_fd: int, *, follow: bool = False) -> None:
    """Copy the regular files and directories under one open directory into another.

    Symbolic links and special files are skipped (unless `follow`, for the host's own staging
    folder), so a copy made from what the run wrote never points the host anywhere else.
    """
    for entry in os.scandir(src_fd):
        info = entry.stat(follow_symlinks=follow)
        if stat.S_ISDIR(info.st_mode):
            with contextlib.suppress(FileExistsError):
                os.mkdir(entry.name, 0o700, dir_fd=dst_fd)
            sub_src = os.open(
                entry.name,
                os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                dir_fd=src_fd,
            )
            try:
                sub_dst = os.open(
                    entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=dst_fd
                )
                try:
                    copy_tree(sub_src, sub_dst, follow=follow)
                finally:
                    os.close(sub_dst)
            finally:
                os.close(sub_src)
        elif stat.S_ISREG(info.st_mode):
            nofollow = 0 if follow else os.O_NOFOLLOW
            source = os.open(entry.name, os.O_RDONLY | nofollow | os.O_CLOEXEC, dir_fd=src_fd)
            try:
                target = os.open(
                    entry.name,
                    os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC,
                    0o600,
                    dir_fd=dst_fd,
                )
                try:
                    while chunk := os.read(source, 1 << 20):
                        view = memoryview(chunk)
                        while view:
                            view = view[os.write(target, view) :]
                finally:
                    os.close(target)
            finally:
                os.close(source)


def chown_tree(path: str, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), uid, gid)
