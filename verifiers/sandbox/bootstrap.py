"""First code inside the sandboxed interpreter: a guard, then the user's program.

Run as `python -I -B -c <this source> CONFIG_JSON` by launcher.py after the limits are set. It
first installs the seccomp filter the host built (seccomp.py): from here on the kernel refuses
sockets, other programs and new namespaces to this process and all it starts, and the filter's
notification descriptor goes to the host over the socket it passed down, so that the host
hears of each refusal. Then it installs a Python audit hook (PEP 578) and runs `main.py` from
the scratch directory as `__main__`. The hook refuses network use, starting other programs and
writing outside the scratch directory, and reports each refusal (and a failed fork, and an
uncaught MemoryError) on the event pipe so the host can say which limit cut the run off.

The hook is not a security boundary on its own (code can reach the C library through ctypes);
the kernel layers are. The hook makes refusals early, clear and reported, and it is the only
guard left where the kernel layers are unavailable.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import runpy
import socket
import sys
import traceback

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_ALWAYS_WRITABLE = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr"})
_NETWORK_EVENTS = frozenset(
    {
        "socket.connect",
        "socket.bind",
        "socket.sendto",
        "socket.sendmsg",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "socket.getnameinfo",
        "socket.sethostname",
    }
)
_PROGRAM_EVENTS = frozenset(
    {"os.exec", "os.posix_spawn", "os.spawn", "os.system", "subprocess.Popen", "os.startfile"}
)
_FORK_EVENTS = frozenset({"os.fork", "os.forkpty"})
_PATH_EVENTS = {  # event -> positions of path arguments that get written or changed
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.rename": (0, 1),
    "os.link": (0, 1),
    "os.symlink": (1,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.truncate": (0,),
    "os.utime": (0,),
    "os.mkfifo": (0,),
    "os.mknod": (0,),
    "os.setxattr": (0,),
    "os.removexattr": (0,),
    "shutil.rmtree": (0,),
}
_KILL_EVENTS = frozenset({"os.kill", "os.killpg"})
_NAMESPACE_EVENTS = frozenset({"os.unshare", "os.setns"})  # Python 3.12+
_WATCHED = (
    _NETWORK_EVENTS
    | _PROGRAM_EVENTS
    | _FORK_EVENTS
    | _KILL_EVENTS
    | _NAMESPACE_EVENTS
    | frozenset(_PATH_EVENTS)
    | {"open", "socket.__new__"}
)


class Guard:
    """The audit hook and the event channel to the host."""

    def __init__(self, scratch: str, event_fd: int, allow_fork: bool) -> None:
        self.scratch = os.path.realpath(scratch)
        self.event_fd = event_fd
        self.allow_fork = allow_fork
        self.busy = False

    def report(self, kind: str, detail: str) -> None:
        line = json.dumps({"event": "limit", "kind": kind, "detail": detail[:300]}) + "\n"
        with contextlib.suppress(OSError):
            os.write(self.event_fd, line.encode())

    def refuse(self, kind: str, detail: str) -> None:
        self.report(kind, detail)
        raise PermissionError(errno.EPERM, f"blocked by the sandbox: {detail}")

    def inside_scratch(self, path: object) -> bool:
        if isinstance(path, int):
            return True  # an already open descriptor: its opening was checked
        try:
            text = os.fsdecode(path)  # type: ignore[arg-type]
        except TypeError:
            return False
        if text in _ALWAYS_WRITABLE:
            return True
        real = os.path.realpath(os.path.join(os.getcwd(), text))
        return (
            real in _ALWAYS_WRITABLE
            or real == self.scratch
            or real.startswith(self.scratch + os.sep)
        )

    def hook(self, event: str, args: tuple) -> None:
        if event not in _WATCHED or self.busy:
            return
        self.busy = True
        try:
            self._check(event, args)
        finally:
            self.busy = False

    def _check(self, event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = args
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if writes and not self.inside_scratch(path):
                self.refuse(
                    "filesystem", f"open({path!r}) for writing is outside the scratch directory"
                )
        elif event in _PATH_EVENTS:
            for i in _PATH_EVENTS[event]:
                if i < len(args) and not self.inside_scratch(args[i]):
                    self.refuse(
                        "filesystem", f"{event}({args[i]!r}) is outside the scratch directory"
                    )
        elif event == "socket.__new__":
            if args[1] != socket.AF_UNIX:
                self.refuse(
                    "network", f"socket(family={socket.AddressFamily(args[1]).name}) is not allowed"
                )
        elif event in _NETWORK_EVENTS:
            target = (
                args[:2] if event == "socket.getaddrinfo" else args[1] if len(args) > 1 else args[0]
            )
            self.refuse("network", f"{event}({target!r}) is not allowed")
        elif event in _PROGRAM_EVENTS:
            self.refuse(
                "processes", f"{event}({args[0]!r}): starting another program is not allowed"
            )
        elif event in _FORK_EVENTS and not self.allow_fork:
            self.refuse(
                "processes", f"{event} is not allowed here (no per-run user to count processes)"
            )
        elif event in _KILL_EVENTS:
            self._check_kill(event, args[0])
        elif event in _NAMESPACE_EVENTS:
            self.refuse("syscall", f"{event}: no new namespaces in the sandbox")

    def _check_kill(self, event: str, target: int) -> None:
        group = target if event == "os.killpg" else None
        if group is None and target > 0:
            try:
                group = os.getpgid(target)
            except OSError:
                return
        if group != os.getpgrp():
            self.refuse("processes", f"{event}({target}) targets a process outside the sandbox")

    def wrap_fork(self) -> None:
        """Report a fork refused by the kernel's process limit, then let it fail as usual."""
        real_fork = os.fork

        def fork() -> int:
            try:
                return real_fork()
            except BlockingIOError:
                self.report("processes", "fork failed: no more processes allowed")
                raise

        os.fork = fork


_OWN_FRAMES = frozenset({"<string>", "<frozen runpy>", runpy.__file__})


def _print_user_traceback(exc: BaseException, main_path: str) -> None:
    """The traceback as if main.py had been run directly: the sandbox's own frames left out."""
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    pending, seen = [te], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        kept = [f for f in current.stack if f.filename not in _OWN_FRAMES]
        current.stack = traceback.StackSummary.from_list(kept)
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
    sys.stderr.write("".join(te.format()))


SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3


def install_filter(program: bytes, seccomp_nr: int, flags: int = 0) -> int:
    """Install a seccomp BPF program on this process (and all it will start); with
    NEW_LISTENER, returns the notification descriptor. Needs no_new_privs (or root)."""
    import ctypes

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        raise OSError(ctypes.get_errno(), "no_new_privs")
    code = ctypes.create_string_buffer(program, len(program))
    prog = SockFprog(len(program) // 8, ctypes.addressof(code))
    fd = libc.syscall(
        ctypes.c_long(seccomp_nr),
        ctypes.c_long(SECCOMP_SET_MODE_FILTER),
        ctypes.c_long(flags),
        ctypes.byref(prog),
    )
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"seccomp: {os.strerror(err)}")
    return fd


def apply_seccomp(spec: dict | None, channel_fd: int | None) -> None:
    """The kernel filter, before anything of the user's runs. Tells the host how it went on
    `channel_fd`: b"L" with the listener, b"E" (refusals not reported), or b"F" and why."""
    if spec is None or channel_fd is None:
        return
    channel = socket.socket(fileno=channel_fd)
    try:
        if spec.get("notify"):
            try:
                listener = install_filter(
                    bytes.fromhex(spec["notify"]), spec["nr"], SECCOMP_FILTER_FLAG_NEW_LISTENER
                )
            except OSError as e:
                if e.errno not in (errno.EINVAL, errno.EBUSY, errno.ENOSYS):
                    raise
            else:
                socket.send_fds(channel, [b"L"], [listener])
                os.close(listener)
                return
        install_filter(bytes.fromhex(spec["errno"]), spec["nr"])
        channel.sendall(b"E")
    except OSError as e:
        with contextlib.suppress(OSError):
            channel.sendall(b"F" + str(e).encode()[:500])
        raise SystemExit(125) from None
    finally:
        channel.close()


def main() -> None:
    cfg = json.loads(sys.argv[1])
    apply_seccomp(cfg.get("seccomp"), cfg.get("seccomp_fd"))
    scratch = cfg["scratch"]
    main_path = os.path.join(scratch, cfg["main"])
    guard = Guard(scratch, cfg["event_fd"], cfg["allow_fork"])
    if cfg["audit_hook"]:
        sys.addaudithook(guard.hook)
    guard.wrap_fork()
    sys.argv = [cfg["main"]]
    sys.path.insert(0, scratch)
    try:
        runpy.run_path(main_path, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as exc:  # everything the user's code raised is reported
        if isinstance(exc, MemoryError):
            guard.report("memory", f"MemoryError: {exc}" if str(exc) else "MemoryError")
        elif isinstance(exc, OSError) and exc.errno == errno.EFBIG:
            guard.report("filesystem", "a file grew past the file size limit")
        elif isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            guard.report("filesystem", "the scratch directory is full")
        elif isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
            guard.report("processes", "a thread could not start: no more processes allowed")
        _print_user_traceback(exc, main_path)
        sys.exit(1)


if __name__ == "__main__":
    main()
