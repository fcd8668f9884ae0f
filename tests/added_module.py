"""A module added to one of QED's packages for a test, as if its file were dropped into the folder."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.cli.cli_helpers import qed_env


@contextmanager
def added_module(package: str, filename: str, source: str, folder: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """`folder/filename` holding `source`, seen as part of `package` (its __path__ extended) while inside."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / filename).write_text(source, encoding="utf-8")
    pkg = importlib.import_module(package)
    monkeypatch.setattr(pkg, "__path__", [*pkg.__path__, str(folder)])
    try:
        yield folder
    finally:
        sys.modules.pop(f"{package}.{Path(filename).stem}", None)


def qed_with(package: str, folder: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `qed` command in its own process, with `folder` added to `package` before it starts."""
    launch = (f"import sys, {package} as p; p.__path__.append(sys.argv.pop(1)); "
              "from qed.cli.app import main; sys.argv[0] = 'qed'; main()")
    return subprocess.run([sys.executable, "-c", launch, str(folder), *args], cwd=tmp_path, env=qed_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
