"""The containments again, with the host itself running as an unprivileged user.

The project's machines run as root, so the sandbox normally drops to a per-run uid. A user who
installs QED runs it as themselves: then the sandbox relies on a user namespace instead. This
test runs a host script as `nobody` (through setpriv) under a system Python that user can
reach, and checks each containment there, with and without the audit hook.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

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
from tests.verifiers.sandbox_procs import live_pids

REPO = Path(__file__).resolve().parents[2]
NOBODY = "65534"


def _import_root() -> str:
    """A folder where `qed.verifiers` resolves to this checkout, as the installed package does."""
    root = Path(tempfile.mkdtemp(prefix="qed-nobody-"))
    (root / "qed").mkdir()
    (root / "qed" / "verifiers").symlink_to(REPO / "verifiers")
    for p in (root, root / "qed"):
        p.chmod(0o755)
    return str(root)


HOST_SCRIPT = r"""
import json, os, socket, sys, tempfile
sys.path.insert(0, sys.argv[1])
from qed.verifiers.sandbox import Limits, run_python

base = Limits(cpu_seconds=1, wall_seconds=6, memory_bytes=256 << 20)
open_dir = tempfile.mkdtemp()
os.chmod(open_dir, 0o777)
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
server.settimeout(0.3)
port = server.getsockname()[1]
unix_path = os.path.join(open_dir, "s")
unix_server = socket.socket(socket.AF_UNIX)
unix_server.bind(unix_path)
os.chmod(unix_path, 0o777)
unix_server.listen()
unix_server.settimeout(0.3)
secret = os.path.join(open_dir, "secret.txt")
open(secret, "w").write("host data")
os.chmod(secret, 0o644)
cases = {
    "plain": "print('hello')",
    "fork": "import os\nwhile True:\n    os.fork()",
    "loop": "while True:\n    pass",
    "memory": "hog = []\nwhile True:\n    hog.append(bytearray(16 << 20))",
    "network": f"import socket\ns = socket.socket()\ns.settimeout(1)\ns.connect(('127.0.0.1', {port}))",
    "write": f"open({open_dir + '/escaped'!r}, 'w').write('x')",
    "print": "while True:\n    print('x' * 1000)",
    "read": f"import os\nprint('VISIBLE', os.path.exists({secret!r}))",
}
for name, (code, changes) in json.loads(sys.argv[2]).items():
    cases[name] = (code.format(path=unix_path) if name == "unix" else code, changes)
report = {}
for hook in (True, False):
    for name, case in cases.items():
        code, changes = case if isinstance(case, list | tuple) else (case, {})
        limits = Limits(**{**base.__dict__, "wall_seconds": 8, **changes}) if changes else base
        result = run_python(code, limits=limits, audit_hook=hook)
        reached = False
        for listener in (server, unix_server):
            try:
                listener.accept()
                reached = True
            except TimeoutError:
                pass
        report[f"{name}/{hook}"] = {
            "limit": result.limit_hit,
            "exit": result.exit_code,
            "reason": result.reason,
            "stdout": result.stdout[:300],
            "stderr": result.stderr[-300:],
            "protections": list(result.protections),
            "reached": reached,
            "escaped": os.path.exists(open_dir + "/escaped"),
        }
print(json.dumps(report))
"""

ATTACKS = {
    "unix": (CTYPES_CONNECT, {}),
    "unshare": (CTYPES_UNSHARE, {}),
    "fork_exec": (FORK_EXEC, {}),
    "memory_total": (MEMORY_IN_FOUR_PROCESSES, {"memory_bytes": 400 << 20, "cpu_seconds": 3}),
    "scratch_bytes": (FILES_OF_ONE_MIB, {"scratch_bytes": 16 << 20}),
    "scratch_files": (MANY_EMPTY_FILES, {"scratch_files": 500}),
    "supervisor": (INTO_THE_SUPERVISOR, {}),
}


def _system_python() -> str | None:
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"):
        if os.path.exists(candidate):
            return candidate
    return None


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root to become another user"
    if shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed"
    if _system_python() is None:
        return "no system Python that an unprivileged user can run"
    probe = _as_nobody(
        [
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import qed.verifiers.sandbox",
            _import_root(),
        ]
    )
    if probe.returncode != 0:
        return f"nobody cannot import the sandbox with {_system_python()}: {probe.stderr.strip()[-200:]}"
    return None


def _nobody_command(args: list[str]) -> list[str]:
    return [
        "setpriv",
        "--reuid",
        NOBODY,
        "--regid",
        NOBODY,
        "--clear-groups",
        _system_python(),
        "-I",
        *args,
    ]


def _as_nobody(
    args: list[str], timeout: float = 30, env: dict | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        _nobody_command(args),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd="/",
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def report() -> dict:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    done = _as_nobody(["-c", HOST_SCRIPT, _import_root(), json.dumps(ATTACKS)], timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


HOOK = pytest.mark.parametrize("hook", [True, False], ids=["with-hook", "kernel-only"])


@HOOK
def test_plain_code_runs_in_a_user_namespace(report: dict, hook: bool) -> None:
    case = report[f"plain/{hook}"]
    assert case["exit"] == 0 and case["stdout"] == "hello\n"
    if "userns" not in case["protections"]:
        pytest.skip("this kernel does not allow unprivileged user namespaces")
    assert {"netns", "mountns-readonly", "rlimits"} <= set(case["protections"])


@HOOK
def test_fork_bomb_is_capped(report: dict, hook: bool) -> None:
    assert report[f"fork/{hook}"]["limit"] == "processes"


@HOOK
def test_infinite_loop_is_stopped(report: dict, hook: bool) -> None:
    assert report[f"loop/{hook}"]["limit"] == "cpu"


@HOOK
def test_memory_bomb_is_stopped(report: dict, hook: bool) -> None:
    assert report[f"memory/{hook}"]["limit"] == "memory"


@HOOK
def test_loopback_connection_is_contained(report: dict, hook: bool) -> None:
    case = report[f"network/{hook}"]
    assert case["exit"] == 1 and not case["reached"]
    if hook:
        assert case["limit"] == "network"


@HOOK
def test_write_to_a_world_writable_directory_is_contained(report: dict, hook: bool) -> None:
    case = report[f"write/{hook}"]
    assert case["exit"] == 1 and not case["escaped"]


@HOOK
def test_endless_print_is_cut(report: dict, hook: bool) -> None:
    assert report[f"print/{hook}"]["limit"] == "output"


# -- issue "Hardening", items 4-6, with the host unprivileged -----------------------------------


@HOOK
def test_ctypes_connect_to_a_host_unix_socket_is_refused(report: dict, hook: bool) -> None:
    case = report[f"unix/{hook}"]
    assert not case["reached"]
    assert "SOCKET REFUSED 13" in case["stdout"], case
    assert case["limit"] == "network" and "socket(AF_UNIX)" in case["reason"]
    assert "seccomp" in case["protections"]


@HOOK
def test_ctypes_unshare_is_refused(report: dict, hook: bool) -> None:
    case = report[f"unshare/{hook}"]
    assert "UNSHARE -1 1" in case["stdout"], case
    assert case["limit"] == "syscall" and "unshare(" in case["reason"]


@HOOK
def test_fork_exec_is_refused(report: dict, hook: bool) -> None:
    case = report[f"fork_exec/{hook}"]
    assert "ESCAPED" not in case["stdout"] and "CHILD STATUS 255" in case["stdout"], case
    assert case["limit"] == "processes" and "execve" in case["reason"]


@HOOK
def test_memory_is_limited_for_the_run_as_a_whole(report: dict, hook: bool) -> None:
    case = report[f"memory_total/{hook}"]
    assert case["limit"] == "memory", case
    assert "memory-watchdog" in case["protections"] or "cgroup-memory" in case["protections"]


@HOOK
def test_scratch_bytes_and_files_are_limited(report: dict, hook: bool) -> None:
    written = report[f"scratch_bytes/{hook}"]
    assert written["limit"] == "filesystem" and "STOPPED 28" in written["stdout"], written
    assert int(written["stdout"].split("WRITTEN ")[1].split()[0]) < 16
    made = report[f"scratch_files/{hook}"]
    assert made["limit"] == "filesystem" and "STOPPED 28" in made["stdout"], made
    assert int(made["stdout"].split("MADE ")[1].split()[0]) < 500


@HOOK
def test_host_files_are_not_visible(report: dict, hook: bool) -> None:
    case = report[f"read/{hook}"]
    assert case["stdout"] == "VISIBLE False\n", case
    assert "minimal-root" in case["protections"]


@pytest.fixture
def nobodys_tmpdir():
    """A TMPDIR for the unprivileged host (pytest's tmp_path is in a folder only root enters)."""
    path = Path(tempfile.mkdtemp(prefix="qed-nobody-tmp-"))
    os.chown(path, int(NOBODY), int(NOBODY))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@HOOK
def test_the_supervisor_is_out_of_the_programs_reach(report: dict, hook: bool) -> None:
    case = report[f"supervisor/{hook}"]
    assert case["exit"] == 0, case
    assert "OPENED" not in case["stdout"] and case["stdout"].count("REFUSED") == 3
    assert "PIDS True" in case["stdout"]


def test_killing_an_unprivileged_host_leaves_nothing_of_the_run(nobodys_tmpdir: Path) -> None:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    tmpdir = nobodys_tmpdir
    root = _import_root()
    host = _nobody_command(["-c", HOST_THAT_RUNS.format(code=ENDLESS_AND_FORKING), root])
    seen = run_and_kill_host(host, tmpdir)
    assert seen["namespaces"], "the run had its own pid namespace"
    assert seen["alive"] == []
    assert seen["written"] == []
    assert len(seen["leftovers"]) == 1 and seen["leftovers"][0].startswith("qed-sandbox-")
    sweep = "import sys; sys.path.insert(0, sys.argv[1]); from qed.verifiers.sandbox import run_python; run_python('pass')"
    done = _as_nobody(["-c", sweep, root], env={"TMPDIR": str(tmpdir)})
    assert done.returncode == 0, done.stderr
    assert list(tmpdir.iterdir()) == []


# -- a host where user namespaces are not available ----------------------------------------------

# Starts the host script under a tiny seccomp filter of its own that refuses unshare(), as a
# kernel without unprivileged user namespaces would: the sandbox must fall back and still end.
NO_USERNS = r"""
import ctypes, os, struct, sys
from qed.verifiers.sandbox import seccomp
unshare = seccomp.native_arch().numbers["unshare"]
ins = lambda code, k, jt=0, jf=0: struct.pack("=HBBI", code, jt, jf, k)
program = b"".join([
    ins(0x20, 0),  # load the call number
    ins(0x15, unshare, 0, 1),
    ins(0x06, seccomp.RET_ERRNO | 1),  # EPERM
    ins(0x06, seccomp.RET_ALLOW),
])
from qed.verifiers.sandbox.bootstrap import install_filter
install_filter(program, seccomp.native_arch().numbers["seccomp"])
os.execv(sys.executable, [sys.executable, "-I", "-c", sys.argv[2], sys.argv[1]])
"""
CHILD_THAT_STAYS = """
import os, time
child = os.fork()
if child == 0:
    time.sleep(30)
    os._exit(0)
print("CHILD", child)
"""


def test_without_user_namespaces_the_run_still_ends(nobodys_tmpdir: Path) -> None:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    root = _import_root()
    script = (
        "import json, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from qed.verifiers.sandbox import Limits, run_python\n"
        f"r = run_python({CHILD_THAT_STAYS!r}, limits=Limits(wall_seconds=20))\n"
        "print(json.dumps([r.ok, r.stdout, list(r.protections), r.reason]))\n"
    )
    wrapped = ["-c", "import sys; sys.path.insert(0, sys.argv[1])\n" + NO_USERNS, root, script]
    done = _as_nobody(wrapped, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    ok, stdout, protections, why = json.loads(done.stdout)
    assert ok and stdout.startswith("CHILD "), why
    assert "userns" not in protections and {"seccomp", "rlimits"} <= set(protections)
    child = int(stdout.split()[1])  # no pid namespace: the host's own pid numbers
    assert live_pids([child]) == [], "the sleeping child went with the run's process group"
    host = _nobody_command(
        [
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1])\n" + NO_USERNS,
            root,
            HOST_THAT_RUNS.format(code=ENDLESS_AND_FORKING),
        ]
    )
    seen = run_and_kill_host(host, nobodys_tmpdir)
    assert seen["alive"] == []
    assert seen["namespaces"] == set()  # the run shared the host's pid namespace
