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
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from qed.verifiers.sandbox import Limits, SandboxError, cgroup, run_python

from tests.verifiers.sandbox_attacks import (
    CTYPES_CONNECT,
    CTYPES_UNSHARE,
    ENDLESS_AND_FORKING,
    FILES_OF_ONE_MIB,
    FORK_EXEC,
    HOST_THAT_RUNS,
    INTO_THE_SUPERVISOR,
    MANY_EMPTY_FILES,
    MEMORY_IN_FOUR_PROCESSES,
    run_and_kill_host,
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


@LAYERS
def test_the_supervisor_is_out_of_the_programs_reach(audit_hook: bool) -> None:
    result = run_python(INTO_THE_SUPERVISOR, limits=QUICK, audit_hook=audit_hook)
    assert result.ok, result.reason + result.stderr
    assert "OPENED" not in result.stdout and result.stdout.count("REFUSED") == 3
    assert "PIDS True" in result.stdout


# -- item 5: nothing survives the host ---------------------------------------------------------


@pytest.mark.skipif(not IS_ROOT, reason="the root path runs the sandbox as its own uid")
def test_killing_the_host_leaves_nothing_of_the_run_alive(tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    command = [sys.executable, "-c", HOST_THAT_RUNS.format(code=ENDLESS_AND_FORKING)]
    seen = run_and_kill_host(command, tmpdir)
    assert seen["alive"] == []
    assert seen["namespaces"], "the run had its own pid namespace"
    # What the run wrote lived in its tmpfs and went with its mount namespace; only the
    # host's staging folder (main.py) is left, and the next run removes it.
    assert seen["written"] == []
    assert len(seen["leftovers"]) == 1 and seen["leftovers"][0].startswith("qed-sandbox-")
    host_pid = int(seen["leftovers"][0].split("-")[2])
    left_cgroups = _cgroups_of_host(host_pid)
    subprocess.run(
        [sys.executable, "-c", "from qed.verifiers.sandbox import run_python; run_python('pass')"],
        env={**os.environ, "TMPDIR": str(tmpdir)},
        check=True,
        timeout=60,
    )
    assert list(tmpdir.iterdir()) == []
    assert [p for p in left_cgroups if p.exists()] == []


def _cgroups_of_host(host_pid: int) -> list[Path]:
    return [
        path
        for where in cgroup._hierarchies().values()
        for path in where.parent.glob(f"{cgroup.PREFIX}{host_pid}-*")
    ]


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


# -- the filter's edges -------------------------------------------------------------------------

# getpid through the 32-bit entry (int 0x80, i386 number 20), from machine code in an
# executable page: the filter's numbers are for the native ABI, so this call must be killed.
I386_GETPID = """
import ctypes, mmap, os
page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
page.write(bytes([0xB8, 20, 0, 0, 0, 0xCD, 0x80, 0xC3]))  # mov eax, 20; int 0x80; ret
address = ctypes.addressof(ctypes.c_char.from_buffer(page))
print("I386 GETPID", ctypes.CFUNCTYPE(ctypes.c_int)(address)() == os.getpid(), flush=True)
"""


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="the 32-bit entry exists on x86_64")
def test_a_call_through_a_foreign_abi_kills_the_process() -> None:
    plain = subprocess.run(
        [sys.executable, "-c", I386_GETPID], capture_output=True, text=True, timeout=60
    )
    if "I386 GETPID True" not in plain.stdout:
        pytest.skip("this kernel has no 32-bit entry to test")
    result = run_python(I386_GETPID, limits=QUICK, audit_hook=False)
    assert "I386 GETPID" not in result.stdout
    assert result.signal == signal.SIGSYS, result.reason + result.stderr


def test_kept_scratch_holds_files_and_folders_but_no_links() -> None:
    code = (
        "import os\n"
        "os.symlink('/etc/passwd', 'link')\n"
        "os.mkdir('folder')\n"
        "open('folder/made.txt', 'w').write('kept')\n"
    )
    result = run_python(code, limits=QUICK, keep_scratch=True)
    try:
        assert result.ok, result.reason + result.stderr
        assert result.scratch_dir is not None
        assert sorted(p.name for p in result.scratch_dir.iterdir()) == ["folder", "main.py"]
        assert (result.scratch_dir / "folder" / "made.txt").read_text() == "kept"
    finally:
        shutil.rmtree(result.scratch_dir, ignore_errors=True)


def test_inputs_larger_than_the_scratch_limit_are_refused() -> None:
    with pytest.raises(SandboxError, match="inputs do not fit in the scratch directory"):
        run_python(
            "pass",
            inputs={"big.txt": "x" * (2 << 20)},
            limits=QUICK.tightened(scratch_bytes=1 << 20),
        )
