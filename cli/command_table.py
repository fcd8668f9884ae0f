"""Every `qed` command by name and its one-line help, importing nothing.

`qed --help` is drawn from this table before typer (and pydantic, rich) is imported: the full
typer help costs more start-up than the whole listing is worth. `cli/commands.py` builds the
typer group from the same table, so a command added here is listed, and imported when it runs.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from typing import NamedTuple

ROOT_HELP = "QED: a workbench for mathematical research with AI."
ROOT_OPTIONS = (("--version", "Print the version and exit."), ("--help", "Show this message and exit."))


class Entry(NamedTuple):
    module: str  # under qed.cli
    attr: str  # a command function, or a typer.Typer group
    help: str  # the line `qed --help` shows (tests check it matches the command's own)


COMMANDS: dict[str, Entry] = {
    "solve": Entry("solve_cmd", "solve",
                   "Solve a problem set; results land in runs/<timestamp>-solve-<name>/ as each problem ends."),
    "prove": Entry("prove_cmd", "prove",
                   "Work on one problem and show every step: drafts, checks, computation, review, decision."),
    "grade": Entry("grade_cmd", "grade_command",
                   "Grade proofs: per-step verdicts, an overall verdict and reasons, in runs/<timestamp>-grade-<name>/."),
    "doctor": Entry("doctor_cmd", "doctor",
                    "Report the model cache, llama.cpp, z3/cvc5, Lean, API keys and each role's model."),
    "check": Entry("check_cmd", "check",
                   "Re-verify an inequality certificate exactly (sympy only); print each step and the verdict."),
    "report": Entry("report_cmd", "report",
                    "Write one HTML file (no network, no external files) showing a run, or comparing two."),
    "eval": Entry("eval_cmd", "eval_command",
                  "Score a run again without re-running it; writes eval.json and eval.md into the run folder."),
    "session": Entry("session_cmd", "session",
                     "An interactive proof session: claims checked now, computations, the loop step by step, export."),
    "models": Entry("models_cmd", "app", "Pull and list the embedded models."),
    "memory": Entry("memory_cmd", "app", "Search, inspect and curate the knowledge graph."),
    "judges": Entry("judges_cmd", "app", "Calibrate the proof judges on planted flaws."),
}


def root_help(width: int | None = None) -> str:
    """The text `qed --help` prints: usage, options and the command table, wrapped to the terminal."""
    width = width or int(os.environ.get("COLUMNS") or 0) or shutil.get_terminal_size((100, 24)).columns
    width = max(60, min(width, 120))

    def rows(items: list[tuple[str, str]]) -> list[str]:
        name_w = max(len(n) for n, _ in items) + 2
        out = []
        for name, text in items:
            lines = textwrap.wrap(text, width - name_w - 2) or [""]
            out.append(f"  {name.ljust(name_w)}{lines[0]}")
            out += [" " * (name_w + 2) + line for line in lines[1:]]
        return out

    return "\n".join([
        "Usage: qed [OPTIONS] COMMAND [ARGS]...", "", ROOT_HELP, "",
        "Options:", *rows(list(ROOT_OPTIONS)), "",
        "Commands:", *rows([(name, entry.help) for name, entry in COMMANDS.items()]), "",
        "Run `qed COMMAND --help` for a command's options.",
    ])
