"""Headless Chromium, found on this machine (never downloaded), for a report's screenshot.

Run with its own flags only: no sandbox (root in containers), no GPU, and none of the background
traffic (component updates, sync, first-run fetches) a browser would otherwise start; a fresh
profile in a temporary folder each time.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars")


class NoBrowser(RuntimeError):
    """No Chromium on this machine."""


def find_chromium() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def base_command(binary: str, profile: str) -> list[str]:
    return [binary, *FLAGS, f"--user-data-dir={profile}"]


def screenshot(page: Path, out: Path, width: int = 1280, height: int = 1600, timeout_s: float = 120) -> Path:
    """A PNG of the top `height` pixels of the page, rendered as a browser shows it."""
    binary = find_chromium()
    if binary is None:
        raise NoBrowser("no Chromium here (Debian: apt-get install chromium); the report is written without a screenshot")
    with tempfile.TemporaryDirectory(prefix="qed-chromium-") as profile:
        cmd = [*base_command(binary, profile), f"--window-size={width},{height}",
               f"--screenshot={out.resolve()}", page.resolve().as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"chromium took more than {timeout_s:.0f} s to render the page") from None
    if done.returncode != 0 or not out.is_file():
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"chromium could not take the screenshot ({last[:200]})")
    return out
