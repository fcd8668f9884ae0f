"""The attacks of issue "Hardening" (items 4-6) as programs, shared by the root-path tests
(test_sandbox_hardening.py) and the unprivileged-host tests (test_sandbox_unprivileged.py)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from tests.verifiers.sandbox_procs import (
    live_pids,
    pid_namespace,
    sandbox_processes,
    wait_for_sandbox,
)

# ctypes calls the C library directly: no audit event is raised for socket() or connect().
CTYPES_CONNECT = """
import ctypes, os, socket, struct
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_UNIX, socket.SOCK_STREAM, 0)
if fd < 0:
    print("SOCKET REFUSED", ctypes.get_errno(), flush=True)
    raise SystemExit(3)
path = {path!r}.encode()
address = struct.pack("H", socket.AF_UNIX) + path + bytes(108 - len(path))
rc = libc.connect(fd, address, len(address))
print("CONNECT", rc, ctypes.get_errno(), flush=True)
if rc == 0:
    os.write(fd, b"leak")
"""
CTYPES_UNSHARE = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.unshare(0x10000000 | 0x00020000)  # CLONE_NEWUSER | CLONE_NEWNS
print("UNSHARE", rc, ctypes.get_errno(), flush=True)
"""
# multiprocessing's helper calls _posixsubprocess.fork_exec, which raises no audit event. It
# does not read the exec error back: the forked child's exit status tells whether sh ran.
FORK_EXEC = """
import os
from multiprocessing.util import spawnv_passfds
pid = spawnv_passfds(b"/bin/sh", [b"/bin/sh", b"-c", b"echo ESCAPED"], ())
print("CHILD STATUS", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""
# Four processes of 150 MB each: every one is well inside a per-process limit of 400 MiB.
MEMORY_IN_FOUR_PROCESSES = """
import os, time
children = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        hog = b"x" * (150 << 20)
        time.sleep(3)
        os._exit(0)
    children.append(pid)
ends = [os.waitpid(pid, 0)[1] for pid in children]
print("ENDS", ends, flush=True)
"""
FILES_OF_ONE_MIB = """
written = 0
try:
    for i in range(64):
        with open(f"part{i}.bin", "wb") as f:
            f.write(b"0" * (1 << 20))
        written += 1
except OSError as e:
    print("STOPPED", e.errno, flush=True)
print("WRITTEN", written, flush=True)
"""
MANY_EMPTY_FILES = """
made = 0
try:
    for i in range(20000):
        open(f"f{i}", "w").close()
        made += 1
except OSError as e:
    print("STOPPED", e.errno, flush=True)
print("MADE", made, flush=True)
"""


# The supervisor (pid 1) writes the trusted records: the program must not reach its descriptors
# or its memory, and sees no process but its own and the supervisor.
INTO_THE_SUPERVISOR = """
import os
for what in ("/proc/1/fd", "/proc/1/mem", "/proc/1/environ"):
    try:
        os.listdir(what) if what.endswith("fd") else open(what, "rb").read(16)
        print(what, "OPENED")
    except PermissionError:
        print(what, "REFUSED")
print("PIDS", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()) == sorted({1, os.getpid()}))
"""

ENDLESS_AND_FORKING = """
import os, time
open("written-by-the-run.txt", "w").write("x")
os.fork()
while True:
    time.sleep(0.05)
"""

HOST_THAT_RUNS = """
import sys
sys.path.insert(0, sys.argv[1]) if len(sys.argv) > 1 else None
from qed.verifiers.sandbox import Limits, run_python
print(run_python({code!r}, limits=Limits(cpu_seconds=60, wall_seconds=60)).reason)
"""


def run_and_kill_host(command: list[str], tmpdir: Path, env_extra: dict | None = None) -> dict:
    """Start a host that runs an endless, forking program in the sandbox; kill -9 the host once
    the program runs; report what of the run is still alive 2 s after the kill (its processes,
    those of its uid when that is its own, those in its pid namespace), and what is left in TMPDIR."""
    env = {**os.environ, "TMPDIR": str(tmpdir), **(env_extra or {})}
    host = subprocess.Popen(
        command, env=env, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        running = wait_for_sandbox(host.pid, at_least=2, timeout=60)
        assert running, "the sandboxed program never started: " + (
            host.stderr.read().decode()[-500:] if host.poll() is not None else "host still running"
        )
        namespaces = {pid_namespace(pid) for pid in running} - {pid_namespace(os.getpid())}
        uids = {uid for _, uid in running.items()}
        host.kill()
        host.wait()
        uids -= {0, os.getuid(), 65534}  # shared with other processes: only a per-run uid tells

        def of_the_run() -> list[int]:
            return sorted(set(live_pids(running)) | set(sandbox_processes(uids, namespaces)))

        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and of_the_run():
            time.sleep(0.05)
        alive = of_the_run()
        leftovers = sorted(p.name for p in tmpdir.iterdir())
        written = sorted(str(p) for p in tmpdir.rglob("written-by-the-run.txt"))
    finally:
        if host.poll() is None:
            host.kill()
        host.stderr.close()
    return {
        "alive": alive,
        "leftovers": leftovers,
        "written": written,
        "namespaces": namespaces,
    }
