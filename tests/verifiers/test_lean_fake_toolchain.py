"""The subprocess path for real, against a stand-in `lake`/`lean` on PATH that prints what Lean 4
prints: a project directory, a file written into it, a hard time limit that kills lake and its
children, Lean's messages parsed, `sorry` and extra axioms refused. Also the lean-dojo adapter,
against a stand-in `lean_dojo` module with the 4.x API (Dojo, run_cmd, CommandState, LeanError)."""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from pathlib import Path

import pytest
from qed.verifiers.lean import check_lean, lean_status, prove_with_defaults
from qed.verifiers.lean.render import LeanTheorem

STATEMENT = "theorem qed_ineq (a b : ℝ) (ha : 0 < a) (hb : 0 < b) : a^2 + b^2 ≥ 2*a*b"

FAKE_LAKE = r'''#!{python}
"""Stand-in for `lake`: answers --version and `env lean FILE` the way Lean 4 prints."""
import json, os, re, subprocess, sys, time

args = sys.argv[1:]
if args == ["--version"]:
    print("Lake version 5.0.0-fake (Lean version 4.99.0)")
    sys.exit(0)
if args[:2] != ["env", "lean"] or len(args) != 3:
    print("error: unknown command " + " ".join(args), file=sys.stderr)
    sys.exit(1)
path = args[2]
src = open(path, encoding="utf-8").read()
with open(os.environ["FAKE_LEAN_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps({{"cwd": os.getcwd(), "file": path, "source": src}}) + "\n")
lines = src.split("\n")
thm = next(i for i, l in enumerate(lines, 1) if l.startswith(("theorem", "lemma")))
report = next(i for i, l in enumerate(lines, 1) if l.startswith("#print axioms"))
name = lines[report - 1].split()[-1]
if "spin_forever" in src:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(os.environ["FAKE_LEAN_PIDS"], "w") as f:
        f.write(f"{{os.getpid()}} {{child.pid}}")
    time.sleep(600)
if "import NoSuchPackage" in src:
    print(f"{{path}}:1:0: error: unknown module prefix 'NoSuchPackage'\n\nNo directory 'NoSuchPackage' "
          "or file 'NoSuchPackage.olean' in the search path entries:\n/p/.lake/build/lib/lean")
    sys.exit(1)
if "qed_cheat" in src:  # a macro of the project that expands to `sorry`
    print(f"{{path}}:{{thm}}:8: warning: declaration uses 'sorry'")
    print(f"{{path}}:{{report}}:0: info: '{{name}}' depends on axioms: [propext, sorryAx]")
    sys.exit(0)
if "sorried_lemma" in src:  # a lemma of the project proved by `sorry`: no warning here
    print(f"'{{name}}' depends on axioms: [propext, sorryAx, Classical.choice, Quot.sound]")
    sys.exit(0)
if os.environ.get("FAKE_LEAN_PASS", "nlinarith") in src:
    print(f"{{path}}:{{report}}:0: info: '{{name}}' depends on axioms: [propext, Classical.choice, Quot.sound]")
    sys.exit(0)
col = lines[thm - 1].index(":= ") + 3
print(f"{{path}}:{{thm}}:{{col}}: error: linarith failed to find a contradiction\ncase a\na b : ℝ\n"
      "ha : 0 < a\nhb : 0 < b\na✝ : 2 * a * b > a ^ 2 + b ^ 2\n⊢ False failed")
print(f"{{path}}:{{report}}:0: info: '{{name}}' depends on axioms: [propext, sorryAx, Classical.choice, Quot.sound]")
sys.exit(1)
'''

FAKE_LEAN = r'''#!{python}
import sys
if sys.argv[1:] == ["--version"]:
    print("Lean (version 4.99.0, x86_64-unknown-linux-gnu, commit 0000000, Release)")
    sys.exit(0)
sys.exit(2)
'''


def _executable(path: Path, text: str) -> None:
    path.write_text(text.format(python=sys.executable), encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _project(root: Path, *, mathlib: bool = True) -> Path:
    root.mkdir()
    (root / "lakefile.toml").write_text('name = "qedcheck"\n\n[[require]]\nname = "mathlib"\n', encoding="utf-8")
    packages = [{"name": "mathlib", "type": "git", "rev": "0" * 40}] if mathlib else []
    (root / "lake-manifest.json").write_text(json.dumps({"version": "1.1.0", "packages": packages}),
                                             encoding="utf-8")
    return root


@pytest.fixture
def toolchain(tmp_path, monkeypatch):
    """Fake `lean`/`lake` first on PATH, a Mathlib project in QED_LEAN_PROJECT, a run log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _executable(bin_dir / "lake", FAKE_LAKE)
    _executable(bin_dir / "lean", FAKE_LEAN)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    project = _project(tmp_path / "proj")
    monkeypatch.setenv("QED_LEAN_PROJECT", str(project))
    monkeypatch.delenv("QED_LEAN_DOJO_FILE", raising=False)
    monkeypatch.setenv("FAKE_LEAN_LOG", str(tmp_path / "runs.jsonl"))
    monkeypatch.setenv("FAKE_LEAN_PIDS", str(tmp_path / "pids.txt"))
    return tmp_path


def _runs(tmp_path: Path) -> list[dict]:
    log = tmp_path / "runs.jsonl"
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def _dies(pid: int) -> bool:
    """The process ends (or is a zombie) within a few seconds: SIGKILL lands asynchronously."""
    for _ in range(100):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_status_reads_versions_and_the_project(toolchain):
    status = lean_status()
    assert status.available
    assert (status.lean_version, status.lake_version) == ("4.99.0", "5.0.0-fake")
    assert status.project is not None and status.project.has_mathlib
    assert "Lean 4.99.0" in status.explanation and "with Mathlib" in status.explanation


def test_accepted_proof_is_proved_and_its_file_lived_inside_the_project(toolchain):
    result = check_lean(STATEMENT, "by nlinarith [sq_nonneg (a - b)]")
    assert result.status == "proved", result.reason
    assert result.backend == "lake"
    assert result.axioms == ["propext", "Classical.choice", "Quot.sound"]
    [run] = _runs(toolchain)
    project = toolchain / "proj"
    assert Path(run["cwd"]) == project.resolve()
    assert run["source"] == result.source and run["source"].startswith("import Mathlib\n")
    assert not Path(run["file"]).is_absolute() and run["file"].startswith(".qed-lean-")
    assert [p.name for p in project.iterdir() if p.name.startswith(".qed-lean-")] == []  # cleaned up


def test_rejected_proof_fails_with_leans_message_and_position(toolchain):
    result = check_lean(STATEMENT, "by linarith")
    assert result.status == "failed"
    assert result.reason == "line 3: linarith failed to find a contradiction"
    [error] = result.errors
    assert error.line == 3 and error.text.endswith("⊢ False failed")


def test_sorry_from_a_macro_is_caught_by_leans_warning(toolchain):
    result = check_lean(STATEMENT, "by qed_cheat")
    assert result.status == "failed" and result.backend == "lake"
    assert "sorry" in result.reason


def test_sorry_inside_a_used_lemma_is_caught_by_the_axiom_report(toolchain):
    result = check_lean(STATEMENT, "by exact sorried_lemma a b")
    assert result.status == "failed"
    assert result.reason == "the proof depends on non-standard axioms: sorryAx"


def test_literal_sorry_is_refused_without_running_lean(toolchain):
    result = check_lean(STATEMENT, "by sorry")
    assert result.status == "failed" and result.backend == "source-screen"
    assert _runs(toolchain) == []


def test_time_limit_kills_lake_and_the_processes_it_started(toolchain):
    result = check_lean(STATEMENT, "by spin_forever", timeout_s=3)
    assert result.status == "error" and result.timed_out
    assert "did not finish within 3 s" in result.reason
    pids = [int(p) for p in (toolchain / "pids.txt").read_text().split()]
    assert len(pids) == 2 and all(_dies(p) for p in pids)


def test_broken_import_is_an_error_of_the_environment(toolchain):
    result = check_lean(STATEMENT, "by nlinarith [sq_nonneg (a - b)]", imports=["Mathlib", "NoSuchPackage"])
    assert result.status == "error"
    assert "unknown module prefix 'NoSuchPackage'" in result.reason


def test_project_without_mathlib_cannot_check_mathlib_imports(toolchain, monkeypatch):
    bare = _project(toolchain / "bare", mathlib=False)
    monkeypatch.setenv("QED_LEAN_PROJECT", str(bare))
    result = check_lean(STATEMENT, "by nlinarith")
    assert result.status == "unavailable" and "Mathlib" in result.reason
    assert _runs(toolchain) == []
    assert check_lean("theorem t : 1 + 1 = 2", "by nlinarith", imports=[]).status == "proved"


def test_defaults_stop_at_the_first_proof_lean_accepts(toolchain, monkeypatch):
    monkeypatch.setenv("FAKE_LEAN_PASS", "mul_pos")
    theorem = LeanTheorem("qed_ineq", ("a", "b"), (("ha", "0 < a"), ("hb", "0 < b")),
                          "a^2 + b^2", "≥", "2*a*b", {})
    result = prove_with_defaults(theorem)
    assert result.status == "proved" and "mul_pos ha hb" in result.source
    assert len(_runs(toolchain)) == 2  # the plain nlinarith attempt failed first


def test_without_lake_every_check_is_unavailable_and_says_why(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("QED_LEAN_PROJECT", str(_project(tmp_path / "proj")))
    result = check_lean(STATEMENT, "by nlinarith [sq_nonneg (a - b)]")
    assert result.status == "unavailable" and "`lake` not on PATH" in result.reason
    monkeypatch.delenv("QED_LEAN_PROJECT")
    status = lean_status()
    assert not status.available
    assert "`lean` and `lake` not on PATH" in status.explanation
    assert "QED_LEAN_PROJECT is not set" in status.explanation


FAKE_DOJO = r'''
"""Stand-in for lean_dojo 4.x: the names and call shapes QED uses, with scripted answers."""
from dataclasses import dataclass
from pathlib import Path

TRACED = True
CALLS = []


@dataclass(frozen=True)
class CommandState:
    id: int
    message: str | None = None


@dataclass(frozen=True)
class LeanError:
    error: str


class DojoInitError(Exception): ...
class DojoCrashError(Exception): ...
class DojoTacticTimeoutError(Exception): ...


class LeanGitRepo:
    def __init__(self, url, commit):
        self.url, self.commit = url, commit

    @classmethod
    def from_path(cls, path):
        return cls(str(path), "0" * 40)


def is_available_in_cache(repo):
    return TRACED


class Dojo:
    def __init__(self, entry, timeout=600, additional_imports=[], build_deps=True):
        CALLS.append({"entry": entry, "timeout": timeout, "imports": list(additional_imports)})

    def __enter__(self):
        return self, CommandState(0)

    def __exit__(self, *exc):
        return None

    def run_cmd(self, state, command):
        CALLS.append({"cmd": command})
        if command.startswith("#print axioms"):
            return CommandState(state.id + 1, f"'{command.split()[-1]}' depends on axioms: [propext]")
        if "qed_cheat" in command:
            return CommandState(state.id + 1, "declaration uses 'sorry'")
        if "nlinarith" in command:
            return CommandState(state.id + 1, "")
        return LeanError("unsolved goals\na b : ℝ\n⊢ a ^ 2 + b ^ 2 ≥ 2 * a * b")
'''


@pytest.fixture
def fake_dojo(toolchain, monkeypatch):
    package = toolchain / "dojo_site" / "lean_dojo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(FAKE_DOJO, encoding="utf-8")
    monkeypatch.delitem(sys.modules, "lean_dojo", raising=False)
    monkeypatch.syspath_prepend(str(toolchain / "dojo_site"))
    entry = toolchain / "proj" / "Qed" / "Entry.lean"
    entry.parent.mkdir()
    entry.write_text("import Mathlib\nimport Qed.Basic\n\n-- theorems are checked here\n", encoding="utf-8")
    monkeypatch.setenv("QED_LEAN_DOJO_FILE", "Qed/Entry.lean")
    import lean_dojo

    yield lean_dojo
    sys.modules.pop("lean_dojo", None)


def test_dojo_opens_after_the_entry_files_imports_and_checks_axioms(fake_dojo, toolchain):
    result = check_lean(STATEMENT, "by nlinarith [sq_nonneg (a - b)]", imports=["Mathlib", "Extra.Module"],
                        timeout_s=30.5)
    assert result.status == "proved" and result.backend == "lean-dojo"
    opened, theorem, report = fake_dojo.CALLS
    repo, file, line = opened["entry"]
    assert (file, line) == (Path("Qed/Entry.lean"), 3)
    assert opened["imports"] == ["Extra.Module"] and opened["timeout"] == 31
    assert theorem["cmd"].startswith("theorem qed_ineq") and report["cmd"] == "#print axioms qed_ineq"
    assert _runs(toolchain) == []  # lake was not used


def test_dojo_errors_and_sorry_fail(fake_dojo):
    failed = check_lean(STATEMENT, "by linarith")
    assert failed.status == "failed" and failed.reason == "Lean: unsolved goals"
    cheat = check_lean(STATEMENT, "by qed_cheat")
    assert cheat.status == "failed" and "sorry" in cheat.reason


def test_untraced_project_falls_back_to_lake_and_says_so(fake_dojo, toolchain):
    fake_dojo.TRACED = False
    result = check_lean(STATEMENT, "by nlinarith [sq_nonneg (a - b)]")
    assert result.status == "proved" and result.backend == "lake"
    assert "lean-dojo has not traced" in result.reason
    assert len(_runs(toolchain)) == 1
    forced = check_lean(STATEMENT, "by nlinarith [sq_nonneg (a - b)]", backend="lean-dojo")
    assert forced.status == "unavailable"


def test_dojo_entry_file_without_a_line_after_its_imports_is_a_configuration_error(fake_dojo, toolchain):
    (toolchain / "proj" / "Qed" / "Entry.lean").write_text("import Mathlib\n", encoding="utf-8")
    result = check_lean(STATEMENT, "by nlinarith [sq_nonneg (a - b)]")
    assert result.status == "error" and "needs a line after its imports" in result.reason
