"""`qed memory ...` end to end through the real CLI entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from qed.memory import open_memory


def _qed(*args: str, env_memory: Path) -> subprocess.CompletedProcess:
    code = "from cli.app import main; main()"
    return subprocess.run([sys.executable, "-c", code, "memory", "--memory", str(env_memory), *args],
                          capture_output=True, text=True, timeout=300, env={"QED_EMBEDDER_DIR": "off", "PATH": "",
                                                                             "COLUMNS": "200", "HOME": str(env_memory.parent)})


@pytest.fixture
def populated(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "m.db"
    with open_memory(path, seed_library=False, embeddings=False) as mem:
        sid = mem.add("strategy", "for cyclic fractions try Titu's lemma")
    return path, sid


def test_search_show_stats(populated):
    path, sid = populated
    out = _qed("search", "cyclic fractions", env_memory=path)
    assert out.returncode == 0, out.stderr
    assert sid in out.stdout and "embeddings" in out.stderr
    shown = _qed("show", sid, env_memory=path)
    assert shown.returncode == 0 and "provenance: source=user" in shown.stdout
    stats = _qed("stats", env_memory=path)
    assert stats.returncode == 0 and "strategy" in stats.stdout


def test_forget_restore_and_errors(populated):
    path, sid = populated
    assert _qed("forget", sid, env_memory=path).returncode == 0
    assert sid not in _qed("search", "cyclic fractions", env_memory=path).stdout
    assert _qed("forget", sid, "--undo", env_memory=path).returncode == 0
    assert sid in _qed("search", "cyclic fractions", env_memory=path).stdout
    missing = _qed("show", "strat-missing", env_memory=path)
    assert missing.returncode == 2 and missing.stderr.strip() == "error: no memory item with id 'strat-missing'"


def test_export_import(populated, tmp_path: Path):
    path, sid = populated
    out = tmp_path / "export.json"
    assert _qed("export", "--format", "json", "-o", str(out), env_memory=path).returncode == 0
    assert json.loads(out.read_text())["format"] == "qed-memory-export"
    fresh = tmp_path / "fresh.db"
    done = _qed("import", str(out), env_memory=fresh)
    assert done.returncode == 0 and "1 added" in done.stdout
    bad = _qed("export", "--format", "csv", env_memory=path)
    assert bad.returncode == 2 and "json or graphml" in bad.stderr


def test_corrupt_memory_file_is_one_line(tmp_path: Path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"\x00garbage" * 500)
    out = _qed("stats", env_memory=path)
    assert out.returncode == 2
    assert out.stderr.strip().startswith("error: ") and len(out.stderr.strip().splitlines()) == 1
