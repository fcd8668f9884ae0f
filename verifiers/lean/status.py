"""What Lean support this machine has: toolchain, project, lean-dojo, and what is missing.

The Lean backend needs `lake` (and `lean`) on PATH, usually from elan, and a Lake project to
check files in: `QED_LEAN_PROJECT` names it, and it should require Mathlib so that `import
Mathlib` resolves. lean-dojo is optional: it is used only when it imports and `QED_LEAN_DOJO_FILE`
names a file of an already traced project (see verifiers/lean/dojo_backend.py).
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import importlib.util
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROJECT_ENV = "QED_LEAN_PROJECT"
DOJO_FILE_ENV = "QED_LEAN_DOJO_FILE"
_VERSION = re.compile(r"version\s+v?(?P<v>\d+\.\d+\.\d+[^\s,)]*)")
_VERSION_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class LeanProject:
    """A Lake project directory and whether Mathlib is among its packages."""

    root: Path
    has_mathlib: bool


@dataclass(frozen=True)
class LeanStatus:
    """A snapshot of Lean support; `explanation` is the one line `qed doctor` shows."""

    lean: str | None
    lean_version: str | None
    lake: str | None
    lake_version: str | None
    project: LeanProject | None
    project_problem: str | None
    dojo_version: str | None
    dojo_problem: str | None
    dojo_file: str | None
    explanation: str

    @property
    def available(self) -> bool:
        """True when `check_lean` can run Lean here (it may still lack Mathlib: see project)."""
        return bool(self.lake and self.lean and self.project)

    @property
    def dojo_ready(self) -> bool:
        return bool(self.available and self.dojo_version and self.dojo_file)

    def describe(self) -> dict[str, object]:
        return {
            "available": self.available,
            "lean": self.lean,
            "lean_version": self.lean_version,
            "lake": self.lake,
            "lake_version": self.lake_version,
            "project": None if self.project is None else str(self.project.root),
            "project_has_mathlib": bool(self.project and self.project.has_mathlib),
            "project_problem": self.project_problem,
            "lean_dojo": self.dojo_version,
            "lean_dojo_problem": self.dojo_problem,
            "lean_dojo_file": self.dojo_file,
            "explanation": self.explanation,
        }


def find_project(project: str | os.PathLike[str] | None = None) -> tuple[LeanProject | None, str | None]:
    """The configured Lake project (argument, else $QED_LEAN_PROJECT), or why there is none."""
    raw = os.fspath(project) if project is not None else os.environ.get(PROJECT_ENV, "").strip()
    if not raw:
        return None, f"{PROJECT_ENV} is not set (point it at a Lake project that requires Mathlib)"
    root = Path(raw).expanduser()
    if not root.is_dir():
        return None, f"Lean project {root} is not a directory"
    if not any((root / f).is_file() for f in ("lakefile.lean", "lakefile.toml")):
        return None, f"Lean project {root} has no lakefile.lean or lakefile.toml"
    return LeanProject(root.resolve(), _has_mathlib(root)), None


def _has_mathlib(root: Path) -> bool:
    """Mathlib is a dependency (manifest or fetched package) or the project is Mathlib itself."""
    if (root / ".lake" / "packages" / "mathlib").is_dir() or (root / "Mathlib.lean").is_file():
        return True
    manifest = root / "lake-manifest.json"
    try:
        packages = json.loads(manifest.read_text(encoding="utf-8")).get("packages", [])
    except (OSError, ValueError, AttributeError):
        return False
    return any(isinstance(p, dict) and str(p.get("name", "")).lower() == "mathlib" for p in packages)


def _tool_version(path: str) -> str | None:
    """`<tool> --version`, reduced to its version number (the first line when none is found)."""
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True,
                              timeout=_VERSION_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (done.stdout or done.stderr).strip()
    if done.returncode != 0 or not text:
        return None
    found = _VERSION.search(text)
    return found["v"] if found else text.splitlines()[0][:80]


def _dojo() -> tuple[str | None, str | None]:
    """lean-dojo's version when it imports here, else why not."""
    if importlib.util.find_spec("lean_dojo") is None:
        return None, "lean-dojo is not installed (optional: pip install 'qed-workbench[lean]')"
    try:
        importlib.import_module("lean_dojo")
    except Exception as e:  # noqa: BLE001 — its import runs git checks and configures logging
        return None, f"lean-dojo is installed but does not import: {type(e).__name__}: {e}"
    try:
        return md.version("lean-dojo"), None
    except md.PackageNotFoundError:
        return "unknown", None


def lean_status(project: str | os.PathLike[str] | None = None, *, probe: bool = True) -> LeanStatus:
    """What Lean support is available; `probe=False` skips running `--version` and importing
    lean-dojo (the check path uses it to stay fast)."""
    lean, lake = shutil.which("lean"), shutil.which("lake")
    lean_version = _tool_version(lean) if lean and probe else None
    lake_version = _tool_version(lake) if lake and probe else None
    found, project_problem = find_project(project)
    dojo_version, dojo_problem = _dojo() if probe else (None, "not probed")
    dojo_file = os.environ.get(DOJO_FILE_ENV, "").strip() or None
    if dojo_version and not dojo_file:
        dojo_problem = f"{DOJO_FILE_ENV} is not set, so lean-dojo is not used"

    missing = []
    if not lean or not lake:
        absent = " and ".join(f"`{t}`" for t, p in (("lean", lean), ("lake", lake)) if not p)
        missing.append(f"{absent} not on PATH (install elan: https://github.com/leanprover/elan)")
    if project_problem:
        missing.append(project_problem)
    if missing:
        explanation = "Lean checks unavailable: " + "; ".join(missing)
    else:
        assert found is not None
        explanation = (f"Lean {lean_version or '?'} (Lake {lake_version or '?'}), project {found.root} "
                       + ("with Mathlib" if found.has_mathlib else "without Mathlib (`import Mathlib` fails)"))
    if probe:
        explanation += "; " + (f"lean-dojo {dojo_version}" if dojo_version and not dojo_problem
                               else (dojo_problem or "lean-dojo unavailable"))
    return LeanStatus(lean, lean_version, lake, lake_version, found if not project_problem else None,
                      project_problem, dojo_version, dojo_problem, dojo_file, explanation)
