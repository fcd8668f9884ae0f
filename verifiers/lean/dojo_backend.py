"""Check a Lean theorem through lean-dojo's command REPL, for projects lean-dojo has traced.

lean-dojo (4.x) opens a REPL at a position of a file in a *traced* repository:
`Dojo((LeanGitRepo.from_path(root), file, line))` yields a `CommandState`; `run_cmd(state, text)`
returns the next `CommandState` (its `message` holds Lean's non-error output) or a
`LeanError`. Tracing a project that depends on Mathlib takes hours, so this backend never
triggers it: when the project is not in lean-dojo's cache it declines and the Lake backend runs.

Configuration: $QED_LEAN_DOJO_FILE names a .lean file of the project (relative to its root)
whose header imports what the theorems need (e.g. `import Mathlib`) followed by at least one
more line; the REPL opens on the line after its last import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

from qed.verifiers.lean.errors import LeanInputError
from qed.verifiers.lean.messages import STANDARD_AXIOMS, LeanMessage, axioms_of, mentions_sorry
from qed.verifiers.lean.result import LeanResult, LeanStatusWord
from qed.verifiers.lean.source import LeanSource

_IMPORT = re.compile(r"^\s*import\s+(?P<modules>.+?)\s*$")


def entry_point(root: Path, entry_file: str) -> tuple[Path, int, set[str]]:
    """(file relative to root, line to open the REPL at, modules the file already imports)."""
    relative = Path(entry_file)
    if relative.is_absolute() or relative.suffix != ".lean" or ".." in relative.parts:
        raise LeanInputError(f"the lean-dojo entry file must be a .lean path inside the project, got {entry_file!r}")
    path = root / relative
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError as e:
        raise LeanInputError(f"cannot read the lean-dojo entry file {path}: {e.strerror}") from e
    if lines and lines[-1] == "":
        lines.pop()  # lean-dojo counts the lines of the text, not the final newline
    imported: set[str] = set()
    last_import = 0
    for number, line in enumerate(lines, start=1):
        found = _IMPORT.match(line)
        if found:
            imported.update(found["modules"].split())
            last_import = number
    if last_import + 1 > len(lines):
        raise LeanInputError(f"the lean-dojo entry file {path} needs a line after its imports (an empty line will do)")
    return relative, last_import + 1, imported


def check_with_dojo(src: LeanSource, root: Path, entry_file: str, timeout_s: float) -> LeanResult | None:
    """The verdict through lean-dojo, or None when the project is not traced (use Lake instead)."""
    import lean_dojo  # noqa: F401 — imported here: it is optional and slow to import
    from lean_dojo import (
        Dojo,
        DojoCrashError,
        DojoInitError,
        DojoTacticTimeoutError,
        LeanError,
        LeanGitRepo,
        is_available_in_cache,
    )

    relative, line, already = entry_point(root, entry_file)
    repo = LeanGitRepo.from_path(root)
    if not is_available_in_cache(repo):
        return None
    extra = [m for m in src.imports if m not in already]

    def result(status: LeanStatusWord, reason: str, messages: Sequence[LeanMessage] = (),
               axioms: list[str] | None = None, timed_out: bool = False) -> LeanResult:
        return LeanResult(status, reason, src.text, "lean-dojo", messages=list(messages), axioms=axioms,
                          timed_out=timed_out)

    try:
        with Dojo((repo, relative, line), timeout=max(1, math.ceil(timeout_s)),
                  additional_imports=extra) as (dojo, state):
            after = dojo.run_cmd(state, src.theorem)
            if isinstance(after, LeanError):
                text = after.error.strip()
                first = text.splitlines()[0] if text else "(no text)"
                return result("failed", f"Lean: {first}", [LeanMessage("error", text)])
            said = [LeanMessage("info", after.message.strip())] if (after.message or "").strip() else []
            if mentions_sorry(after.message or ""):
                return result("failed", "Lean reports that the declaration uses `sorry`", said)
            report = dojo.run_cmd(after, f"#print axioms {src.name}")
    except DojoTacticTimeoutError:
        return result("error", f"Lean did not answer within {timeout_s:g} s", timed_out=True)
    except (DojoInitError, DojoCrashError) as e:
        return result("error", f"lean-dojo could not run the check: {type(e).__name__}: {e}")
    if isinstance(report, LeanError):
        return result("error", f"`#print axioms {src.name}` failed: {report.error.strip()[:200]}", said)
    axioms = axioms_of(report.message or "", src.name)
    said.append(LeanMessage("info", (report.message or "").strip()))
    if axioms is None:
        return result("error", f"Lean printed no axiom report for {src.name}", said)
    extra_axioms = [a for a in axioms if a not in STANDARD_AXIOMS]
    if extra_axioms:
        return result("failed", f"the proof depends on non-standard axioms: {', '.join(extra_axioms)}", said, axioms)
    return result("proved", "Lean accepted the proof (axioms: " + (", ".join(axioms) or "none") + ")", said, axioms)
