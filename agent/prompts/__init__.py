"""Prompt texts live here as .txt files; `render` fills their {{placeholders}}."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_DIR = Path(__file__).parent


@cache
def load(name: str) -> str:
    return (_DIR / f"{name}.txt").read_text()


def render(name: str, **values: str) -> str:
    """Replace {{key}} markers; LaTeX braces and dollars in the text are left alone."""
    text = load(name)
    missing = set(re.findall(r"\{\{(\w+)\}\}", text)) - set(values)
    if missing:
        raise KeyError(f"prompt {name}: no value for {', '.join(sorted(missing))}")
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], text).strip()
