"""Prompt templates kept as .txt files beside the code that uses them, so they read and diff as text."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_MARKER = re.compile(r"\{\{(\w+)\}\}")


class PromptFiles:
    """The `<name>.txt` templates of one folder; `render` fills their {{placeholders}}."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.load = cache(self._read)

    def _read(self, name: str) -> str:
        return (self.folder / f"{name}.txt").read_text(encoding="utf-8")

    def render(self, name: str, **values: str) -> str:
        """Replace {{key}} markers only: LaTeX braces and dollars in the text and values are left alone."""
        text = self.load(name)
        missing = set(_MARKER.findall(text)) - set(values)
        if missing:
            raise KeyError(f"prompt {name}: no value for {', '.join(sorted(missing))}")
        return _MARKER.sub(lambda m: values[m.group(1)], text).strip()
