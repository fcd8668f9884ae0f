"""Child-side set-up of the sandbox: namespaces, a new root, privileges and limits, then exec.

Run by the host as `python -I -B launcher.py CONFIG_JSON` in a new session. Standard library
only: it must not import the package; it loads its two siblings rootfs.py and supervisor.py
(also standard library only) by path before any mount hides the checkout. Three processes:

  launcher   (this process, in the host's pid namespace) makes the run's pid namespace (and,
             when not root, the user namespace), arms a parent-death signal on the host, forks
             the supervisor and waits for it.
  supervisor pid 1 of the new pid namespace: new network, IPC and mount namespaces, the new
             root (rootfs.py), forks the program, drops its own privileges, then supervises
             (supervisor.py). When it dies, the kernel kills every process of the run.
  program    joins the run's cgroup, drops to the run's uid, arms a parent-death signal, sets
             the rlimits and no_new_privs, and execs the interpreter on bootstrap.py, which
             installs the seccomp filter and the audit hook before the user's code.

Trusted records (set-up, limits the supervisor saw, the program's exit status) go to the host on
the control pipe, which the program closes at exec; the user's code can write only to the event
pipe. Layers, named in the "ready" record so the result can say what was in force:
  pidns               the run's own pid namespace with the supervisor as pid 1.
  parent-death        the run dies with the host (lifeline pipe + PR_SET_PDEATHSIG).
  netns / ipcns       new network and SysV IPC namespaces: only a loopback that is down.
  mountns-readonly    a private mount namespace where only scratch and /dev/shm are writable.
  minimal-root        only the Python installation and system libraries are visible.
  scratch-tmpfs       the scratch directory is a tmpfs of scratch_bytes and scratch_files.
  uid-drop            when root: a per-run unprivileged uid/gid (UID_BASE + launcher pid) with no
                      supplementary groups, so file permissions and RLIMIT_NPROC apply.
  userns              when not root: a user namespace (mapping the caller to itself) that
                      allows the namespaces above.
  memory-watchdog     no cgroup: the supervisor enforces the run's memory total.
  no-new-privs        setuid binaries cannot raise privileges.
  rlimits             CPU, address space, file size, open files, processes, no core files.
The host adds "seccomp" (bootstrap.py installed the filter) and "cgroup-memory" / "cgroup-pids"
(the run's cgroup, cgroup.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import signal
import sys

_HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, _HERE)
import rootfs  # noqa: E402 - beside this file, loaded before the mounts hide it
import supervisor  # noqa: E402

sys.path.remove(_HERE)

UID_BASE = 2_000_000_000

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

# Python's default SIGINT handler would let a stray signal end the supervisor.
_SUPERVISOR_IGNORES = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38

_libc = ctypes.CDLL(None, use_errno=True)
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


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, value, 0, 0, 0), f"prctl({option})")


class Run:
    """The set-up of one run, carried from the launcher into the supervisor and the program."""

    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self.limits = cfg["limits"]
        # Read now, as the host: once the new root is in place the checkout is out of sight.
        with open(cfg["bootstrap"]) as f:
            self.bootstrap_source = f.read()
        self.scratch = os.path.realpath(cfg["scratch"])
        self.control_fd = cfg["control_fd"]
        self.protections: list[str] = []
        self.notes: list[str] = []
        self.is_root = os.geteuid() == 0
        self.uid = UID_BASE + os.getpid() if self.is_root else os.getuid()
        self.gid = UID_BASE + os.getpid() if self.is_root else os.getgid()
        self.pidns = False
        self.new_root = False
        self.dropped = False
        for fd in (self.control_fd, cfg["lifeline_fd"]):  # the program's exec drops these two
            os.set_inheritable(fd, False)
        # The cgroup files are root's: open them now, the program writes "0" to join.
        self.cgroup_fds = [os.open(p, os.O_WRONLY | os.O_CLOEXEC) for p in cfg["cgroup_procs"]]

    def send(self, payload: dict) -> None:
        os.write(self.control_fd, (json.dumps(payload) + "\n").encode())

    def _close_passed_down(self) -> None:
        """After a fork: what only the program needs stays with it (so the host sees EOF)."""
        for fd in [*self.cgroup_fds, self.cfg["event_fd"], self.cfg["seccomp_fd"]]:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.cgroup_fds = []

    # -- the launcher ---------------------------------------------------------------------------

    def launch(self) -> int:
        self._pid_namespace()
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after the unshare: a credential change clears it
        if os.getppid() != self.cfg["host_pid"]:
            return 125  # the host died before the signal was armed
        self.protections.append("parent-death")
        pid = os.fork()
        if pid == 0:
            try:
                self.supervise()
            except BaseException as e:
                self._setup_error(e)
            os._exit(125)
        _quiet_stdio()
        self._close_passed_down()
        _, status = os.waitpid(pid, 0)
        return 0 if os.waitstatus_to_exitcode(status) == 0 else 125

    def _pid_namespace(self) -> None:
        if self.is_root:
            try:
                unshare(CLONE_NEWPID)
                self.pidns = True
                self.protections.append("pidns")
            except OSError as e:
                self.notes.append(f"no pid namespace ({e.strerror})")
            return
        uid, gid = os.getuid(), os.getgid()
        for flags in (CLONE_NEWUSER | CLONE_NEWPID, CLONE_NEWUSER):
            try:
                unshare(flags)
            except OSError as e:
                self.notes.append(f"no user namespace ({e.strerror})")
                continue
            with open("/proc/self/setgroups", "w") as f:
                f.write("deny")
            with open("/proc/self/uid_map", "w") as f:
                f.write(f"{uid} {uid} 1")
            with open("/proc/self/gid_map", "w") as f:
                f.write(f"{gid} {gid} 1")
            self.protections.append("userns")
            self.pidns = bool(flags & CLONE_NEWPID)
            if self.pidns:
                self.protections.append("pidns")
            return

    # -- the supervisor (pid 1) -----------------------------------------------------------------

    def supervise(self) -> None:
        # As pid 1 its death ends the run, so it dies with the launcher. Without a pid
        # namespace it must outlive the launcher long enough to kill the program's group when
        # the lifeline closes.
        self._arm_parent_death()
        if _readable(self.cfg["lifeline_fd"]):
            os._exit(0)  # the host died before the signal was armed
        os.umask(0o022)
        if self.cfg["keep_scratch"] and self.is_root:
            rootfs.chown_tree(self.scratch, self.uid, self.gid)  # the supervisor copies out into it
        staging_fd = os.open(self.scratch, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        if self._namespaces():
            self._build_root(staging_fd)
        self._choose_uid()
        memory_watchdog = not self.cfg["cgroup_memory"] and self.pidns
        if memory_watchdog:
            self.protections.append("memory-watchdog")
        elif not self.cfg["cgroup_memory"]:
            self.notes.append("memory is limited per process only (no cgroup, no pid namespace)")
        program = os.fork()
        if program == 0:
            try:
                self.program()
            except BaseException as e:
                self._setup_error(e)
            os._exit(125)
        for sig in _SUPERVISOR_IGNORES:  # only now: ignored signals would survive the exec
            signal.signal(sig, signal.SIG_IGN)
        _quiet_stdio()
        self._close_passed_down()
        keep = self.cfg["keep_scratch"] and self.new_root
        self._drop_own_privileges()

        def copy_out() -> None:
            scratch_fd = os.open(self.scratch, os.O_RDONLY | os.O_DIRECTORY)
            try:
                rootfs.copy_tree(scratch_fd, staging_fd)
            finally:
                os.close(scratch_fd)

        supervisor.Supervisor(
            program,
            control_fd=self.control_fd,
            lifeline_fd=self.cfg["lifeline_fd"],
            wall_seconds=float(self.limits["wall_seconds"]),
            memory_limit=int(self.limits["memory_bytes"]) if memory_watchdog else None,
            scratch=self.scratch if self.new_root else None,
            in_pid_namespace=self.pidns,
        ).run(copy_out if keep else None)
        os._exit(0)

    def _namespaces(self) -> bool:
        """New net/ipc/mount namespaces; returns whether a mount namespace is in place."""
        if not self.is_root and "userns" not in self.protections:
            return False
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

    def _build_root(self, staging_fd: int) -> None:
        paths = {sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix}
        paths |= {
            os.path.dirname(sys.executable),
            os.path.dirname(os.path.realpath(sys.executable)),
        }
        paths |= {p for p in sys.path if os.path.isdir(p)}
        lim = self.limits
        try:
            rootfs.NewRoot(self.scratch, self.scratch, staging_fd).build(
                sorted(paths),
                scratch_bytes=int(lim["scratch_bytes"]),
                scratch_files=int(lim["scratch_files"]),
                shm_bytes=min(int(lim["memory_bytes"]), 64 << 20),
                uid=self.uid,
                gid=self.gid,
            )
        except OSError as e:
            raise SetupError(f"the sandbox's file system could not be built: {e}") from e
        self.new_root = True
        self.protections += ["mountns-readonly", "minimal-root", "scratch-tmpfs"]

    def _choose_uid(self) -> None:
        """As root: the run's own uid, if it can reach the interpreter; else keep root."""
        if not self.is_root:
            return
        if not self._reachable_as_sandbox_user():
            self.notes.append("kept root: the sandbox uid cannot reach the interpreter")
            self.uid = self.gid = 0
            return
        rootfs.chown_tree(self.scratch, self.uid, self.gid)
        self.dropped = True

    def _reachable_as_sandbox_user(self) -> bool:
        """Whether the interpreter and its import path can be read once the uid is dropped."""
        paths = [os.path.realpath(sys.executable)] + [p for p in sys.path if os.path.isdir(p)]
        pid = os.fork()  # this process is single-threaded: forking is safe
        if pid == 0:
            try:
                _become(self.uid, self.gid)
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

    def _drop_own_privileges(self) -> None:
        """The supervisor keeps no privilege it does not need once the program runs."""
        if self.dropped:
            _become(self.uid, self.gid)
            self._arm_parent_death()  # the credential change cleared it
        elif not self.is_root:
            _drop_capabilities()  # those it holds in its own user namespace
        prctl(PR_SET_DUMPABLE, 0)  # the run's processes may not read or trace its memory

    def _arm_parent_death(self) -> None:
        if self.pidns:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # a fork starts without it

    # -- the program ----------------------------------------------------------------------------

    def program(self) -> None:
        for sig in _SUPERVISOR_IGNORES:
            signal.signal(sig, signal.SIG_DFL)
        for fd in self.cgroup_fds:
            os.write(fd, b"0")
            os.close(fd)
        if not self.pidns:
            os.setpgid(0, 0)  # its own group, for the supervisor to kill
        if self.dropped:
            _become(self.uid, self.gid)
            if os.geteuid() == 0 or os.getegid() == 0:
                raise SetupError("still root after dropping privileges")
            self.protections.append("uid-drop")
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after the uid change, which clears it
        if self.pidns and os.getppid() != 1:
            os._exit(125)
        self._limits()
        child_cfg = {
            "scratch": self.scratch,
            "main": self.cfg["main"],
            "event_fd": self.cfg["event_fd"],
            "audit_hook": self.cfg["audit_hook"],
            "allow_fork": not self.is_root or self.dropped,
            "seccomp": self.cfg["seccomp"],
            "seccomp_fd": self.cfg["seccomp_fd"],
        }
        os.chdir(self.scratch)
        os.umask(0o077)
        if self.cfg["audit_hook"]:
            self.protections.append("audit-hook")
        self.send(
            {
                "event": "ready",
                "protections": self.protections,
                "notes": self.notes,
                "uid": self.uid,
            }
        )
        argv = [sys.executable, "-I", "-B", "-c", self.bootstrap_source, json.dumps(child_cfg)]
        os.execve(sys.executable, argv, self.cfg["env"])

    def _limits(self) -> None:
        lim = self.limits
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
        """RLIMIT_NPROC counts every task of the real uid (in its user namespace), so the
        sandbox's own processes that share the uid are added to the run's allowance."""
        if self.dropped:
            return processes + 1  # the supervisor
        if "userns" in self.protections:
            return processes + 2  # the launcher and the supervisor, both in the user namespace
        if self.is_root:
            return processes
        return processes + _tasks_of_uid(os.getuid())

    def _setup_error(self, e: BaseException) -> None:
        with contextlib.suppress(OSError):
            self.send({"event": "setup_error", "detail": f"{type(e).__name__}: {e}"})


def _become(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def _drop_capabilities() -> None:
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    data = (ctypes.c_uint32 * 6)()  # two struct __user_cap_data_struct, all zero
    _check(_libc.capset(ctypes.byref(Header(0x20080522, 0)), data), "capset")


def _readable(fd: int) -> bool:
    """Whether a read on `fd` would not block: for the lifeline, that the host has gone."""
    import select

    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    return bool(poller.poll(0))


def _quiet_stdio() -> None:
    """Drop this process's copies of the run's stdout and stderr, so that the host sees them
    close when the program's processes end."""
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)


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


def main() -> int:
    cfg = json.loads(sys.argv[1])
    try:
        run = Run(cfg)
    except Exception as e:
        os.write(
            cfg["control_fd"],
            (
                json.dumps({"event": "setup_error", "detail": f"{type(e).__name__}: {e}"}) + "\n"
            ).encode(),
        )
        return 125
    try:
        return run.launch()
    except Exception as e:  # any failure here means the run must not start
        run._setup_error(e)
        return 125


if __name__ == "__main__":
    sys.exit(main())
