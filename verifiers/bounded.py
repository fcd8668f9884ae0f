"""Run a function in a forked child under wall-clock, CPU and memory limits; get its value or why not.

Parsing, formalizing and judging work on text someone else wrote, and sympy can spend any amount of
time or memory on a formula (`9^{9^{9}}`, a 5 MB line). Run such work here: the child gets its own
process group, dies with its parent, has its CPU time and address space capped (the memory budget
is added to what it inherited, so a parent holding a large model is not starved), and is killed
with its group at the wall deadline. Whatever happens the caller gets a `Bounded` - the value, or
a one-line reason naming the limit that stopped the work - never an exception.

The child is a fork, so the function and its arguments need not be picklable; the value (or the
exception) it returns travels back pickled through a pipe. That pickle is written by this same
program in the child, never read from a file or a model.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import resource
import select
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from qed.verifiers import children

T = TypeVar("T")
Stop = Literal["wall", "cpu", "memory", "died", "error", "result"]

MIB = 1024 * 1024
MAX_RESULT_BYTES = 64 * MIB  # a result beyond this is refused (the child is killed)


@dataclass(frozen=True)
class Limits:
    """What a bounded call may use: wall seconds, CPU seconds (default: the wall limit), and the
    memory (MiB of address space) it may add to what the child inherited from its parent."""

    seconds: float = 60.0
    cpu_seconds: float | None = None
    memory_mb: int = 1536

    @property
    def cpu(self) -> float:
        return self.seconds if self.cpu_seconds is None else self.cpu_seconds


@dataclass
class Bounded(Generic[T]):
    """The value of a bounded call, or why there is none.

    `stopped` says what ended it: "wall", "cpu" or "memory" (a limit), "died" (killed by a signal
    or exited without answering), "error" (the function raised; `error` holds the exception when
    it could be sent back), "result" (the value could not be sent back)."""

    value: T | None = None
    reason: str | None = None
    stopped: Stop | None = None
    error: BaseException | None = None
    trace: str | None = None  # the child's traceback when the function raised
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_mb: float = 0.0

    @property
    def ok(self) -> bool:
        return self.stopped is None

    @property
    def limited(self) -> bool:
        """True when a wall, CPU or memory limit stopped the work."""
        return self.stopped in ("wall", "cpu", "memory")


def run_bounded(fn: Callable[..., T], *args: Any, limits: Limits | None = None, **kwargs: Any) -> Bounded[T]:
    """fn(*args, **kwargs) in a forked child under `limits`; never raises (except KeyboardInterrupt,
    after the child is killed)."""
    limits = limits or Limits()
    t0 = time.monotonic()
    try:
        read_fd, write_fd = os.pipe()
    except OSError as exc:
        return Bounded(reason=f"could not start a worker process: {exc}", stopped="died")
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError as exc:
        os.close(read_fd)
        os.close(write_fd)
        return Bounded(reason=f"could not start a worker process: {exc}", stopped="died")
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child(fn, args, kwargs, limits, write_fd, parent)
    os.close(write_fd)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also done by the child; whichever runs first wins the race
    children.started(pid)
    data, overflow, timed_out = b"", False, False
    try:
        data, overflow, timed_out = _read_result(read_fd, t0 + limits.seconds)
    except BaseException:  # Ctrl-C: the child is in its own group (no SIGINT); end it, do not wait it out
        _kill_group(pid)
        raise
    finally:
        os.close(read_fd)
        if timed_out or overflow:
            _kill_group(pid)
        status, usage = _reap(pid, t0 + limits.seconds + 5.0)
        _kill_group(pid)  # whatever it started in its group goes with it
        children.ended(pid)  # raises KeyboardInterrupt when a Ctrl-C killed it
    bounded = _outcome(data, overflow, timed_out, status, usage, limits)
    bounded.seconds = time.monotonic() - t0
    if usage is not None:
        bounded.cpu_seconds = usage.ru_utime + usage.ru_stime
        bounded.peak_mb = usage.ru_maxrss / 1024
    return bounded


# -- the child -------------------------------------------------------------------------------------


def _child(fn: Callable, args: tuple, kwargs: dict, limits: Limits, write_fd: int, parent: int) -> None:
    code = 0
    try:
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before the death signal was armed
            os._exit(1)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGXCPU):
            with contextlib.suppress(OSError, ValueError):
                signal.signal(sig, signal.SIG_DFL)
        _apply_limits(limits)
        try:
            payload: tuple = ("ok", fn(*args, **kwargs))
        except MemoryError:
            payload = ("memory", None)
        except RecursionError:
            payload = ("error", "RecursionError: the input is nested too deeply")
        except BaseException as exc:  # noqa: BLE001 - every failure is reported to the parent
            payload = ("error", _one_line(exc), _picklable(exc), traceback.format_exc(limit=8))
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory", None))
        except Exception as exc:  # noqa: BLE001 - an unpicklable value is a reason, not a hang
            data = pickle.dumps(("result", f"the value could not be sent back: {_one_line(exc)}"))
        _write_all(write_fd, data)
    except BaseException:  # noqa: BLE001 - the child must reach os._exit, whatever happened
        code = 70
    finally:
        os._exit(code)


def _apply_limits(limits: Limits) -> None:
    """CPU seconds and address space (the budget on top of what the fork inherited)."""
    cpu = max(1, int(limits.cpu + 0.999))
    _lower(resource.RLIMIT_CPU, cpu)
    _lower(resource.RLIMIT_AS, _address_space() + int(limits.memory_mb * MIB))


def _lower(which: int, soft: int) -> None:
    """Set the soft limit, never above the hard one; the hard limit stays, so that a tool the work
    starts (an SMT solver) may still set its own."""
    with contextlib.suppress(ValueError, OSError):
        old_soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        if old_soft != resource.RLIM_INFINITY:
            soft = min(soft, old_soft)
        resource.setrlimit(which, (soft, hard))


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _picklable(exc: BaseException) -> BaseException | None:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - exceptions with custom constructors do not round-trip
        return None
    return exc


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


# -- the parent ------------------------------------------------------------------------------------


def _read_result(fd: int, deadline: float) -> tuple[bytes, bool, bool]:
    """(bytes, too large, timed out): read until the child closes the pipe or the deadline passes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"", False, True
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False, False
        size += len(chunk)
        if size > MAX_RESULT_BYTES:
            return b"", True, False
        chunks.append(chunk)


def _reap(pid: int, deadline: float) -> tuple[int | None, Any]:
    """The child's wait status and resource usage; killed if it lingers past the deadline."""
    while True:
        try:
            got, status, usage = os.wait4(pid, os.WNOHANG)
        except ChildProcessError:
            return None, None
        if got == pid:
            return status, usage
        if time.monotonic() > deadline:
            _kill_group(pid)
            try:
                _, status, usage = os.wait4(pid, 0)
            except ChildProcessError:
                return None, None
            return status, usage
        time.sleep(0.005)


def _kill_group(pid: int) -> None:
    for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            kill()


def _outcome(data: bytes, overflow: bool, timed_out: bool, status: int | None, usage: Any, limits: Limits) -> Bounded:
    if timed_out:
        return Bounded(reason=f"time limit of {limits.seconds:g} s reached", stopped="wall")
    if overflow:
        return Bounded(reason=f"the result exceeded {MAX_RESULT_BYTES // MIB} MiB", stopped="result")
    if data:
        try:
            payload = pickle.loads(data)  # written by our own child a moment ago
        except Exception as exc:  # noqa: BLE001 - a torn pickle means the child died writing it
            return Bounded(reason=f"the worker's answer was cut off ({_one_line(exc)})", stopped="died")
        tag = payload[0]
        if tag == "ok":
            return Bounded(value=payload[1])
        if tag == "memory":
            return Bounded(reason=f"memory limit of {limits.memory_mb} MiB reached", stopped="memory")
        if tag == "result":
            return Bounded(reason=payload[1], stopped="result")
        error, trace = (payload[2], payload[3]) if len(payload) > 3 else (None, None)
        return Bounded(reason=payload[1], stopped="error", error=error, trace=trace)
    cpu = (usage.ru_utime + usage.ru_stime) if usage is not None else 0.0
    if status is not None and os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= limits.cpu - 0.5):
            return Bounded(reason=f"CPU limit of {limits.cpu:g} s reached", stopped="cpu")
        return Bounded(reason=f"the worker process was killed by {signal.Signals(sig).name}", stopped="died")
    code = os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else None
    return Bounded(reason=f"the worker process exited (status {code}) without an answer", stopped="died")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
