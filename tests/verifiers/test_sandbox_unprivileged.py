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

limits = Limits(cpu_seconds=1, wall_seconds=6, memory_bytes=256 << 20)
open_dir = tempfile.mkdtemp()
os.chmod(open_dir, 0o777)
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen()
server.settimeout(0.3)
port = server.getsockname()[1]
cases = {
    "plain": "print('hello')",
    "fork": "import os\nwhile True:\n    os.fork()",
    "loop": "while True:\n    pass",
    "memory": "hog = []\nwhile True:\n    hog.append(bytearray(16 << 20))",
    "network": f"import socket\ns = socket.socket()\ns.settimeout(1)\ns.connect(('127.0.0.1', {port}))",
    "write": f"open({open_dir + '/escaped'!r}, 'w').write('x')",
    "print": "while True:\n    print('x' * 1000)",
}
report = {}
for hook in (True, False):
    for name, code in cases.items():
        result = run_python(code, limits=limits, audit_hook=hook)
        try:
            server.accept()
            reached = True
        except TimeoutError:
            reached = False
        report[f"{name}/{hook}"] = {
            "limit": result.limit_hit,
            "exit": result.exit_code,
            "stdout": result.stdout[:100],
            "stderr": result.stderr[-300:],
            "protections": list(result.protections),
            "reached": reached,
            "escaped": os.path.exists(open_dir + "/escaped"),
        }
print(json.dumps(report))
"""


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
        ["-c", "import sys; sys.path.insert(0, sys.argv[1]); import qed.verifiers.sandbox", _import_root()]
    )
    if probe.returncode != 0:
        return f"nobody cannot import the sandbox with {_system_python()}: {probe.stderr.strip()[-200:]}"
    return None


def _as_nobody(args: list[str], timeout: float = 30) -> subprocess.CompletedProcess:
    command = [
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
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, cwd="/", check=False
    )


@pytest.fixture(scope="module")
def report() -> dict:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    done = _as_nobody(["-c", HOST_SCRIPT, _import_root()], timeout=300)
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
