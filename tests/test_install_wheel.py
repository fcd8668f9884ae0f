"""The built wheel installs as `qed.*` and runs beside the package index's own `verifiers`.

QED's folders used to install as top-level `verifiers`, `cli`, ... — names other distributions
own. This builds the wheel, installs it into a fresh virtual environment next to the index's
`verifiers` distribution, and runs the installed `qed` from a folder outside the checkout, so
nothing can be imported from the source tree by accident.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STARTER = REPO / "problems" / "sets" / "starter.jsonl"


def _run(args: list[str], cwd: Path, timeout: float = 300, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    index = root / "index"
    got = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--dest", str(index), "verifiers"],
        capture_output=True, text=True, timeout=300,
    )
    if got.returncode != 0 or not list(index.glob("verifiers-*.whl")):
        pytest.skip(f"the package index's `verifiers` wheel cannot be downloaded here: {got.stderr.strip()[-200:]}")
    dist = root / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(REPO)], cwd=root)
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=root)
    # QED's dependencies come from this interpreter's site-packages (a path entry, not a site
    # folder, so the editable checkout's finder there is not loaded); QED itself and the
    # index's `verifiers` are installed into the new environment.
    py = venv / "bin" / "python"
    site = _run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root).strip()
    (Path(site) / "qed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheels = [str(p) for p in (*dist.glob("qed_workbench-*.whl"), *index.glob("verifiers-*.whl"))]
    _run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", *wheels], cwd=root)
    return venv


def test_both_verifiers_packages_import_side_by_side(fresh_env: Path, tmp_path: Path) -> None:
    out = _run([str(fresh_env / "bin" / "python"), "-c",
                "import json, verifiers, qed.verifiers.engine as e;"
                "print(json.dumps([verifiers.__file__, e.__file__]))"], cwd=tmp_path)
    theirs, ours = json.loads(out)
    assert f"{os.sep}verifiers{os.sep}" in theirs and f"{os.sep}qed{os.sep}" not in theirs
    assert f"{os.sep}qed{os.sep}verifiers{os.sep}engine{os.sep}" in ours
    assert str(REPO) not in ours


def test_installed_qed_reports_its_version(fresh_env: Path, tmp_path: Path) -> None:
    assert _run([str(fresh_env / "bin" / "qed"), "--version"], cwd=tmp_path).startswith("qed ")


def test_installed_qed_solves_a_problem(fresh_env: Path, tmp_path: Path) -> None:
    env = dict(os.environ, QED_RUNS_DIR=str(tmp_path / "runs"))
    _run([str(fresh_env / "bin" / "qed"), "solve", str(STARTER), "--solver", "symbolic", "--limit", "1",
          "--no-memory"], cwd=tmp_path, env=env)
    results = list((tmp_path / "runs").glob("*/results.jsonl"))
    assert len(results) == 1
    record = json.loads(results[0].read_text().splitlines()[0])
    assert record["outcome"] == "solved" and record["correct"] is True
