"""The judges' prompts, as .txt files beside this module."""

from __future__ import annotations

from pathlib import Path

from qed.models.prompt_files import PromptFiles

_FILES = PromptFiles(Path(__file__).parent)
load = _FILES.load
render = _FILES.render
