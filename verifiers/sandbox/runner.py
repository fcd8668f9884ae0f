"""Host side of the sandbox: stage the code, start the child, watch it, answer it, report.

The host holds, for each run: the staging folder (main.py and the inputs, copied into the run's
scratch tmpfs at start), the run's cgroup, the write end of the lifeline pipe (its closing, when
the host dies in any way, ends the run), and the seccomp notification descriptor, through which
it answers every system call the filter refuses and records which one it was.

What a killed host leaves behind: no process (the run dies with it), no file the run wrote (those
lived in the run's tmpfs), but its staging folder and empty cgroup directories; the next run on
the machine removes those of hosts that are no longer alive (`_sweep_stale`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from qed.verifiers.sandbox import cgroup, seccomp
from qed.verifiers.sandbox.limits import LimitName, Limits, SandboxError, SandboxResult

LAUNCHER = Path(__file__).with_name("launcher.py")
BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
MAIN_FILE = "main.py"
UID_BASE = 2_000_000_000  # must match launcher.UID_BASE
_CHUNK = 65536
_EVENT_CAP = 64 * 1024
_MAX_HITS = 100
_DRAIN_SECONDS = 2.0  # after a kill, how long to wait for pipes held by escaped processes
_SAMPLE_SECONDS = 0.1  # how often the cgroup's counters are read during a run
_STAGING = re.compile(rf"^{cgroup.PREFIX}(\d+)-")
_RUNS = itertools.count()


def run_python(
    code: str,
    *,
    limits: Limits | None = None,
    inputs: dict[str, str] | None = None,
    keep_scratch: bool = False,
    audit_hook: bool = True,
) -> SandboxResult:
    """Run `code` as a Python program in a contained child process and report how it went.

    inputs: files (relative path -> text) written into the scratch directory before the run.
    keep_scratch: leave the scratch directory in place (its path is in the result).
    audit_hook: the Python-level guard; switch it off only to test the kernel-level layers.
    Raises SandboxError for bad arguments or when the sandbox cannot be set up; anything the
    code itself does (crash, loop, bomb) comes back as a SandboxResult.
    """
    if not isinstance(code, str):
        raise SandboxError(f"code must be a str, got {type(code).__name__}")
    limits = limits if limits is not None else Limits()
    files = _checked_inputs(inputs)
    if not sys.executable:
        raise SandboxError(
            "no Python interpreter to run the sandbox with (sys.executable is empty)"
        )
    _sweep_stale()
    scratch = Path(tempfile.mkdtemp(prefix=f"{cgroup.PREFIX}{os.getpid()}-")).resolve()
    try:
        (scratch / MAIN_FILE).write_text(code, encoding="utf-8")
        for name, text in files.items():
            target = scratch / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        result = _Run(scratch, limits, audit_hook, keep_scratch).execute()
    finally:
        if not keep_scratch:
            _remove_tree(scratch)
    if keep_scratch:
        result = _with_scratch(result, scratch)
    return result


def _checked_inputs(inputs: dict[str, str] | None) -> dict[str, str]:
    if inputs is None:
        return {}
    if not isinstance(inputs, dict):
        raise SandboxError(
            f"inputs must be a dict of relative path -> text, got {type(inputs).__name__}"
        )
    for name, text in inputs.items():
        path = PurePosixPath(name) if isinstance(name, str) else None
        if path is None or not name or path.is_absolute() or ".." in path.parts:
            raise SandboxError(
                f"input name {name!r} must be a relative path inside the scratch directory"
            )
        if str(path) == MAIN_FILE:
            raise SandboxError(f"input name {MAIN_FILE!r} is reserved for the code itself")
        if not isinstance(text, str):
            raise SandboxError(f"input {name!r} must be text, got {type(text).__name__}")
    return inputs


def _sweep_stale() -> None:
    """Remove what hosts that were killed mid-run left: staging folders and cgroups."""
    cgroup.sweep_stale()
    base = Path(tempfile.gettempdir())
    me = os.geteuid()
    with contextlib.suppress(OSError):
        for path in base.iterdir():
            match = _STAGING.match(path.name)
            if (
                not match
                or int(match.group(1)) == os.getpid()
                or cgroup._alive(int(match.group(1)))
            ):
                continue
            with contextlib.suppress(OSError):
                owner = path.lstat().st_uid
                if (
                    path.is_dir()
                    and not path.is_symlink()
                    and (owner == me or (me == 0 and owner >= UID_BASE))
                ):
                    _remove_tree(path)


def _with_scratch(result: SandboxResult, scratch: Path) -> SandboxResult:
    fields = asdict(result)
    fields["scratch_dir"] = scratch
    fields["protections"] = tuple(fields["protections"])
    return SandboxResult(**fields)


def _remove_tree(path: Path) -> None:
    def unlock(func, p, _exc) -> None:  # a directory the code made unreadable: open it up
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
            func(p)

    shutil.rmtree(path, onerror=unlock)


def _minimal_env(scratch: Path) -> dict[str, str]:
    threads = "1"  # one BLAS/OpenMP thread: fits the process limit and shares the CPU fairly
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": threads,
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "NUMEXPR_NUM_THREADS": threads,
        "MPLBACKEND": "Agg",
    }


@dataclass
class _Stream:
    """One captured pipe, kept up to `cap` bytes."""

    name: str
    cap: int
    data: bytearray = field(default_factory=bytearray)
    truncated: bool = False

    def feed(self, chunk: bytes) -> bool:
        """Keep what fits; return True when the cap has just been exceeded."""
        room = self.cap - len(self.data)
        self.data += chunk[: max(room, 0)]
        if len(chunk) > room and not self.truncated:
            self.truncated = True
            return True
        return False

    def text(self) -> str:
        body = self.data.decode("utf-8", errors="replace")
        if self.truncated:
            body += f"\n[sandbox: {self.name} cut off at {self.cap} bytes]"
        return body


@dataclass
class _Hit:
    kind: LimitName
    detail: str
    at: float


class _Run:
    """One sandboxed run from start to reaped, with everything it reported."""

    def __init__(self, scratch: Path, limits: Limits, audit_hook: bool, keep_scratch: bool) -> None:
        self.scratch = scratch
        self.limits = limits
        self.audit_hook = audit_hook
        self.keep_scratch = keep_scratch
        self.hits: list[_Hit] = []
        self.stopped_by_host = False
        self.setup: dict | None = None
        self.setup_error: str | None = None
        self.exit: dict | None = None
        self.buffers: dict[str, bytearray] = {"events": bytearray(), "control": bytearray()}
        self.filter_state: str | None = None  # "L" (reported), "E" (not reported), "F..." failed
        self.listener: seccomp.Listener | None = None
        self.status: int | None = None
        self.oom_kills = 0
        self.oom_hit: _Hit | None = None
        self.refused_forks = 0

    def execute(self) -> SandboxResult:
        name = f"{cgroup.PREFIX}{os.getpid()}-{next(_RUNS)}-{self.scratch.name[-8:]}"
        self.cgroup = cgroup.RunCgroup.create(name, self.limits.memory_bytes, self.limits.processes)
        try:
            return self._execute()
        finally:
            if self.cgroup is not None:
                self.cgroup.kill_all()
                self.cgroup.remove()

    def _execute(self) -> SandboxResult:
        read_events, write_events = os.pipe()
        read_control, write_control = os.pipe()
        read_lifeline, self.lifeline = os.pipe()
        program = seccomp.program()
        host_end, child_end = socket.socketpair() if program else (None, None)
        child_fds = [write_events, write_control, read_lifeline] + (
            [child_end.fileno()] if child_end else []
        )
        cfg = {
            "host_pid": os.getpid(),
            "scratch": str(self.scratch),
            "main": MAIN_FILE,
            "event_fd": write_events,
            "control_fd": write_control,
            "lifeline_fd": read_lifeline,
            "seccomp": program,
            "seccomp_fd": child_end.fileno() if child_end else None,
            "audit_hook": self.audit_hook,
            "bootstrap": str(BOOTSTRAP),
            "limits": asdict(self.limits),
            "env": _minimal_env(self.scratch),
            "cgroup_procs": self.cgroup.procs_files() if self.cgroup else [],
            "cgroup_memory": bool(self.cgroup and "memory" in self.cgroup.dirs),
            "keep_scratch": self.keep_scratch,
        }
        started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-B", str(LAUNCHER), json.dumps(cfg)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=child_fds,
                start_new_session=True,
                cwd=self.scratch,
                env=cfg["env"],
            )
        except OSError as e:
            for fd in (read_events, read_control, self.lifeline):
                os.close(fd)
            raise SandboxError(f"could not start the sandbox process: {e}") from e
        finally:
            for fd in (write_events, write_control, read_lifeline):
                os.close(fd)
            if child_end is not None:
                child_end.close()
        self.started = started
        out = _Stream("stdout", self.limits.output_bytes)
        err = _Stream("stderr", self.limits.output_bytes)
        try:
            self._watch(out, err, read_events, read_control, host_end)
            status = self._reap()
        finally:
            for fd in (read_events, read_control):
                os.close(fd)
            if host_end is not None:
                host_end.close()
            self._kill_all()
            os.close(self.lifeline)
            if self.listener is not None:
                os.close(self.listener.fd)
        self._sample_cgroup()
        duration = time.monotonic() - started
        problem = self._setup_problem(program is not None, status, err)
        if problem:
            raise SandboxError(f"the sandbox could not be set up: {problem}")
        return self._result(out, err, duration)

    def _setup_problem(
        self, expects_filter: bool, launcher_status: int, err: _Stream
    ) -> str | None:
        if self.setup is None:  # the launcher never reached the user's code
            return (
                self.setup_error
                or _last_line(err.text())
                or f"exit status {_exit_code(launcher_status)}"
            )
        if self.stopped_by_host and self.exit is None:
            return None  # killed at a limit: whatever the filter's state, the run is over
        if expects_filter and self.filter_state is None:
            return "the interpreter ended before installing the system-call filter: " + (
                _last_line(err.text()) or "no message"
            )
        if self.filter_state and self.filter_state.startswith("F"):
            return f"the system-call filter could not be installed: {self.filter_state[1:]}"
        if self.exit is None:
            return f"the sandbox's supervisor ended without a report (exit status {_exit_code(launcher_status)})"
        return None

    # -- watching -------------------------------------------------------------------------------

    def _watch(self, out: _Stream, err: _Stream, events_fd: int, control_fd: int, channel) -> None:
        assert self.proc.stdout is not None and self.proc.stderr is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout.fileno(), selectors.EVENT_READ, out)
        sel.register(self.proc.stderr.fileno(), selectors.EVENT_READ, err)
        sel.register(events_fd, selectors.EVENT_READ, "events")
        sel.register(control_fd, selectors.EVENT_READ, "control")
        if channel is not None:
            sel.register(channel, selectors.EVENT_READ, "channel")
        pidfd = _pidfd(self.proc.pid)
        if pidfd is not None:
            sel.register(pidfd, selectors.EVENT_READ, "exit")
        deadline = self.started + self.limits.wall_seconds
        drain_until: float | None = None
        next_sample = time.monotonic() + _SAMPLE_SECONDS
        try:
            while sel.get_map() or (pidfd is None and self.status is None):
                now = time.monotonic()
                if drain_until is None and now >= deadline:
                    self._stop("wall", f"still running after {self.limits.wall_seconds:g} s")
                    drain_until = now + _DRAIN_SECONDS
                if drain_until is not None and now >= drain_until:
                    break  # a process outside our reach holds a pipe open: stop listening
                if self.cgroup is not None and now >= next_sample:
                    self._sample_cgroup()
                    next_sample = now + _SAMPLE_SECONDS
                wake = drain_until if drain_until is not None else deadline
                if self.cgroup is not None:
                    wake = min(wake, next_sample)
                timeout = wake - now if pidfd is not None else min(wake - now, 0.05)
                ready = sel.select(timeout=max(timeout, 0.0))
                ready.sort(key=lambda item: item[0].data not in ("events", "control", "seccomp"))
                for key, _ in ready:
                    if key.data == "exit":
                        sel.unregister(key.fd)
                        self._kill_all()  # the launcher ended: nothing may outlive it
                        drain_until = drain_until or time.monotonic() + _DRAIN_SECONDS
                        continue
                    if key.data == "seccomp":
                        self._answer_filter(sel, key.fd)
                        continue
                    if key.data == "channel":
                        self._read_channel(sel, channel)
                        continue
                    chunk = os.read(key.fd, _CHUNK)
                    if not chunk:
                        sel.unregister(key.fd)
                    elif key.data in ("events", "control"):
                        self._feed(key.data, chunk)
                    elif key.data.feed(chunk):
                        self._stop(
                            "output", f"{key.data.name} passed {self.limits.output_bytes} bytes"
                        )
                        drain_until = drain_until or time.monotonic() + _DRAIN_SECONDS
                if pidfd is None and self.status is None:
                    self._poll_exit()
                    if self.status is not None:
                        self._kill_all()
                        drain_until = drain_until or time.monotonic() + _DRAIN_SECONDS
        finally:
            sel.close()
            if pidfd is not None:
                os.close(pidfd)

    def _read_channel(self, sel: selectors.BaseSelector, channel: socket.socket) -> None:
        """bootstrap.py's word on the filter: the listener, or why there is none."""
        try:
            message, fds, _, _ = socket.recv_fds(channel, 600, 1)
        except OSError:
            message, fds = b"", []
        sel.unregister(channel)
        if message == b"L" and len(fds) == 1:
            self.filter_state = "L"
            self.listener = seccomp.Listener(fds[0])
            sel.register(fds[0], selectors.EVENT_READ, "seccomp")
        else:
            for fd in fds:
                os.close(fd)
            if message:
                self.filter_state = message.decode("utf-8", errors="replace")

    def _answer_filter(self, sel: selectors.BaseSelector, fd: int) -> None:
        assert self.listener is not None
        waiting, gone = self.listener.pending()
        if waiting:
            refusal = self.listener.answer()
            if refusal is not None:
                self._hit(refusal.kind, refusal.detail)
        elif gone:
            sel.unregister(fd)  # no process of the run is left to make a call

    def _poll_exit(self) -> None:
        """Without a pidfd: reap the launcher if it has ended (fallback for old kernels)."""
        pid, status = os.waitpid(self.proc.pid, os.WNOHANG)
        if pid:
            self.status = status

    def _feed(self, channel: str, chunk: bytes) -> None:
        buffer = self.buffers[channel]
        if len(buffer) > _EVENT_CAP:
            return
        buffer += chunk
        *lines, rest = buffer.split(b"\n")
        self.buffers[channel] = bytearray(rest)
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # the code wrote to the event pipe itself: ignore what is not ours
            if isinstance(event, dict):
                (self._control if channel == "control" else self._event)(event)

    def _event(self, event: dict) -> None:
        """From the program (bootstrap.py's guard): reports only, and only of limits."""
        if event.get("event") == "limit" and event.get("kind") in _LABELS:
            self._hit(event["kind"], str(event.get("detail", "")))

    def _control(self, event: dict) -> None:
        """From the launcher and the supervisor, which the user's code cannot impersonate."""
        kind = event.get("event")
        if kind == "ready" and self.setup is None:
            self.setup = event
        elif kind == "setup_error" and self.setup is None:
            self.setup_error = str(event.get("detail"))
        elif kind == "limit" and event.get("kind") in _LABELS:
            self._hit(event["kind"], str(event.get("detail", "")))
        elif kind == "exit" and self.exit is None:
            self.exit = event

    def _hit(self, kind: LimitName, detail: str) -> None:
        if len(self.hits) < _MAX_HITS:
            self.hits.append(_Hit(kind, detail, time.monotonic()))

    def _sample_cgroup(self) -> None:
        if self.cgroup is None:
            return
        kills, refused = self.cgroup.oom_kills(), self.cgroup.refused_forks()
        if kills > self.oom_kills:
            detail = f"the run's processes together reached it; the kernel killed {kills} of them"
            if self.oom_hit is None:
                self.oom_hit = _Hit("memory", detail, time.monotonic())
                self.hits.append(self.oom_hit)
            self.oom_hit.detail = detail  # the count so far
        if refused > self.refused_forks:
            self._hit("processes", f"{refused} fork(s) refused at the run's process limit")
        self.oom_kills, self.refused_forks = kills, refused

    def _stop(self, kind: LimitName, detail: str) -> None:
        self._hit(kind, detail)
        self.stopped_by_host = True
        self._kill_all()

    def _kill_all(self) -> None:
        """Kill the launcher's session, and (when it ran as its own uid) every process of that
        uid, and every process in the run's cgroup. Killing the supervisor, pid 1 of the run's
        pid namespace, kills the rest of the run with it."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        uid = self._sandbox_uid()
        if uid is not None:
            _kill_uid(uid)
        if self.cgroup is not None:
            self.cgroup.kill_all()

    def _sandbox_uid(self) -> int | None:
        """As root the run has the uid UID_BASE + the launcher's pid (it may die before saying)."""
        return UID_BASE + self.proc.pid if os.geteuid() == 0 else None

    def _reap(self) -> int:
        if self.status is None:
            _, self.status = os.waitpid(self.proc.pid, 0)
        self.proc.returncode = _exit_code(self.status)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        return self.status

    # -- reporting ------------------------------------------------------------------------------

    def _result(self, out: _Stream, err: _Stream, duration: float) -> SandboxResult:
        status = int(self.exit["status"]) if self.exit else signal.SIGKILL
        exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        end = time.monotonic()
        cpu_used = float(self.exit.get("cpu", 0.0)) if self.exit else 0.0
        cpu_killed = (
            sig == signal.SIGKILL
            and not self.stopped_by_host
            and cpu_used >= self.limits.cpu_seconds
        )
        if sig == signal.SIGXCPU or cpu_killed:
            self.hits.append(_Hit("cpu", f"used {cpu_used:.1f} s of CPU time", end))
        elif sig == signal.SIGXFSZ:
            self.hits.append(
                _Hit("filesystem", f"a file grew past {self.limits.file_bytes} bytes", end)
            )
        first = min(self.hits, key=lambda h: h.at) if self.hits else None
        ending = self._ending(exit_code, sig, err)
        reason = f"{self._describe(first)}; {ending}" if first else ending
        return SandboxResult(
            stdout=out.text(),
            stderr=err.text(),
            exit_code=exit_code,
            signal=sig,
            limit_hit=first.kind if first else None,
            duration=duration,
            reason=" ".join(reason.split()),
            stdout_truncated=out.truncated,
            stderr_truncated=err.truncated,
            protections=self._protections(),
        )

    def _protections(self) -> tuple[str, ...]:
        layers = list(self.setup.get("protections", ())) if self.setup else []
        if self.cgroup is not None:
            layers += self.cgroup.protections
        if self.filter_state in ("L", "E"):
            layers.append("seccomp")
        return tuple(layers)

    def _describe(self, hit: _Hit) -> str:
        lim = self.limits
        limit = {
            "cpu": f"{lim.cpu_seconds:g} s",
            "wall": f"{lim.wall_seconds:g} s",
            "memory": _size(lim.memory_bytes),
            "processes": f"{lim.processes}",
            "output": _size(lim.output_bytes) + " per stream",
            "network": "",
            "filesystem": "",
            "syscall": "",
        }[hit.kind]
        label = _LABELS[hit.kind] + (f" ({limit})" if limit else "")
        return f"{label}: {hit.detail}" if hit.detail else label

    def _ending(self, exit_code: int | None, sig: int | None, err: _Stream) -> str:
        if self.stopped_by_host:
            return "the sandbox killed the run"
        if sig is not None:
            return f"killed by {signal.Signals(sig).name}"
        if exit_code == 0:
            return "exited normally"
        last = _last_line(err.data.decode("utf-8", errors="replace"))
        return f"exited with status {exit_code}" + (f" ({last})" if last else "")


_LABELS: dict[str, str] = {
    "cpu": "CPU time limit",
    "wall": "wall-clock limit",
    "memory": "memory limit",
    "processes": "process limit",
    "output": "output limit",
    "network": "no network",
    "filesystem": "file system limit",
    "syscall": "refused system call",
}


def _exit_code(status: int) -> int:
    return os.waitstatus_to_exitcode(status)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} bytes"


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _kill_uid(uid: int) -> None:
    """SIGKILL every live process whose real uid is `uid` until none is left.

    A process that receives SIGKILL cannot complete a fork it has not finished, so repeating
    the scan until it comes back empty catches every descendant, including ones that left the
    session with setsid().
    """
    for _ in range(1000):
        found = False
        for pid in _pids_of_uid(uid):
            found = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if not found:
            return


def _pids_of_uid(uid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                status = f.read()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        if fields.get("State", "").startswith(("Z", "X")):
            continue
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            pids.append(int(entry))
    return pids
