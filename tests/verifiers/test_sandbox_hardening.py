"""Attacks that got past the sandbox once (issue "Hardening", items 4-6), each replayed for real.

- ctypes reaches the C library, where the audit hook sees nothing: a connect() to a UNIX socket
  on the host, unshare(), and _posixsubprocess.fork_exec must be stopped by the kernel layers
  and still be reported in the result.
- A killed host must not leave the run behind: nothing of the run's uid or pid namespace may
  be alive two seconds after a kill -9 of the process that called run_python.
- The documented totals must hold for the run as a whole: memory across processes, and the
  bytes and files written to the scratch directory.

Like test_sandbox_containment.py, each attack runs with the audit hook and without it (the
kernel layers alone). The same attacks run with the host as an unprivileged user in
test_sandbox_unprivileged.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from qed.verifiers.sandbox import Limits, run_python

from tests.verifiers.sandbox_procs import (
    live_pids,
    pid_namespace,
    sandbox_processes,
    wait_for_sandbox,
)

IS_ROOT = os.geteuid() == 0
LAYERS = pytest.mark.parametrize(
    "audit_hook",
    [
        True,
        pytest.param(
            False,
            marks=pytest.mark.skipif(not IS_ROOT, reason="kernel-only layers are proven as root"),
        ),
    ],
    ids=["with-hook", "kernel-only"],
)
QUICK = Limits(cpu_seconds=3, wall_seconds=8)
REPO = Path(__file__).resolve().parents[2]

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


# -- item 4: the kernel layer under ctypes -------------------------------------------------------


@pytest.fixture
def unix_server():
    """A UNIX stream socket on the host, in a folder anyone may enter, that records visitors."""
    folder = Path(tempfile.mkdtemp(prefix="qed-unix-"))
    folder.chmod(0o777)
    path = folder / "s"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    path.chmod(0o777)
    server.listen(4)
    server.settimeout(0.3)
    yield server, str(path)
    server.close()
    path.unlink(missing_ok=True)
    folder.rmdir()


def _reached(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except TimeoutError:
        return False
    conn.close()
    return True


@LAYERS
def test_ctypes_connect_to_a_host_unix_socket_is_refused_and_reported(
    unix_server, audit_hook: bool
) -> None:
    server, path = unix_server
    result = run_python(CTYPES_CONNECT.format(path=path), limits=QUICK, audit_hook=audit_hook)
    assert not _reached(server)
    assert "SOCKET REFUSED 13" in result.stdout, result.stdout + result.stderr
    assert result.limit_hit == "network"
    assert "socket(AF_UNIX)" in result.reason and "kernel" in result.reason
    assert "seccomp" in result.protections


def test_the_kernel_filter_alone_stops_a_ctypes_connect(unix_server) -> None:
    """The filter, installed by the same code the sandbox uses, in a child with no namespaces:
    the host socket is reachable from there, so only the filter stands in the way."""
    server, path = unix_server
    probe = textwrap.dedent(
        """
        import json, sys
        from qed.verifiers.sandbox import seccomp
        from qed.verifiers.sandbox.bootstrap import install_filter
        program = seccomp.program(notify=False)
        install_filter(bytes.fromhex(program["errno"]), program["nr"])
        """
    ) + CTYPES_CONNECT.format(path=path)
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert "SOCKET REFUSED 13" in done.stdout, done.stdout + done.stderr
    assert not _reached(server)
    reach = subprocess.run(
        [sys.executable, "-c", CTYPES_CONNECT.format(path=path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "CONNECT 0 0" in reach.stdout, "without the filter the socket is reachable"
    assert _reached(server)


@LAYERS
def test_ctypes_unshare_is_refused_and_reported(audit_hook: bool) -> None:
    result = run_python(CTYPES_UNSHARE, limits=QUICK, audit_hook=audit_hook)
    assert "UNSHARE -1 1" in result.stdout, result.stdout + result.stderr
    assert result.limit_hit == "syscall"
    assert "unshare(CLONE_NEWNS|CLONE_NEWUSER)" in result.reason


@LAYERS
def test_fork_exec_past_the_audit_hook_is_refused_and_reported(audit_hook: bool) -> None:
    result = run_python(FORK_EXEC, limits=QUICK, audit_hook=audit_hook)
    assert "ESCAPED" not in result.stdout
    assert "CHILD STATUS 255" in result.stdout, result.stdout + result.stderr  # exec failed
    assert result.limit_hit == "processes"
    assert "execve" in result.reason and "kernel" in result.reason


def test_reads_are_confined_to_the_python_installation(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("host data")
    for p in (tmp_path, *tmp_path.parents):
        if p == Path("/"):
            break
        p.chmod(p.stat().st_mode | 0o005)
    secret.chmod(0o644)
    code = (
        "import os\n"
        f"print('VISIBLE', os.path.exists({str(secret)!r}), os.path.exists('/work'))\n"
        "print('ROOT', sorted(os.listdir('/')))\n"
    )
    result = run_python(code, limits=QUICK)
    assert result.ok, result.reason + result.stderr
    assert "VISIBLE False" in result.stdout
    assert "minimal-root" in result.protections
    root = json.loads(result.stdout.split("ROOT ", 1)[1].replace("'", '"'))
    assert "home" not in root and "var" not in root


# -- item 5: nothing survives the host ---------------------------------------------------------

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
    the program runs; report what of the run is alive 2 s later, and what is left in TMPDIR."""
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
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and live_pids(running):
            time.sleep(0.05)
        alive = live_pids(running)
        of_the_run = sandbox_processes(uids=uids - {0, 65534}, namespaces=namespaces)
        leftovers = sorted(p.name for p in tmpdir.iterdir())
        written = sorted(str(p) for p in tmpdir.rglob("written-by-the-run.txt"))
    finally:
        if host.poll() is None:
            host.kill()
        host.stderr.close()
    return {
        "alive": alive,
        "of_the_run": of_the_run,
        "leftovers": leftovers,
        "written": written,
        "namespaces": namespaces,
    }


@pytest.mark.skipif(not IS_ROOT, reason="the root path runs the sandbox as its own uid")
def test_killing_the_host_leaves_nothing_of_the_run_alive(tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    command = [sys.executable, "-c", HOST_THAT_RUNS.format(code=ENDLESS_AND_FORKING)]
    seen = run_and_kill_host(command, tmpdir)
    assert seen["alive"] == [] and seen["of_the_run"] == []
    assert seen["namespaces"], "the run had its own pid namespace"
    # What the run wrote lived in its tmpfs and went with its mount namespace; only the
    # host's staging folder (main.py) is left, and the next run removes it.
    assert seen["written"] == []
    assert len(seen["leftovers"]) == 1 and seen["leftovers"][0].startswith("qed-sandbox-")
    subprocess.run(
        [sys.executable, "-c", "from qed.verifiers.sandbox import run_python; run_python('pass')"],
        env={**os.environ, "TMPDIR": str(tmpdir)},
        check=True,
        timeout=60,
    )
    assert list(tmpdir.iterdir()) == []


# -- item 6: totals per run ----------------------------------------------------------------------


@LAYERS
def test_memory_is_limited_for_the_run_as_a_whole(audit_hook: bool) -> None:
    limits = QUICK.tightened(memory_bytes=400 << 20)
    result = run_python(MEMORY_IN_FOUR_PROCESSES, limits=limits, audit_hook=audit_hook)
    assert result.limit_hit == "memory", result.reason + result.stdout + result.stderr
    assert "memory limit" in result.reason and "400 MiB" in result.reason


@LAYERS
def test_bytes_written_to_scratch_are_limited_in_total(audit_hook: bool) -> None:
    limits = QUICK.tightened(scratch_bytes=16 << 20)
    result = run_python(FILES_OF_ONE_MIB, limits=limits, audit_hook=audit_hook)
    written = int(result.stdout.split("WRITTEN ")[1].split()[0])
    assert written < 16
    assert "STOPPED 28" in result.stdout  # ENOSPC
    assert result.limit_hit == "filesystem"
    assert "scratch" in result.reason


@LAYERS
def test_files_in_scratch_are_limited_in_number(audit_hook: bool) -> None:
    limits = QUICK.tightened(scratch_files=500)
    result = run_python(MANY_EMPTY_FILES, limits=limits, audit_hook=audit_hook)
    made = int(result.stdout.split("MADE ")[1].split()[0])
    assert made < 500
    assert "STOPPED 28" in result.stdout
    assert result.limit_hit == "filesystem"
