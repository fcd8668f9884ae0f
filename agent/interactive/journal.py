"""A step's input written down before it runs, and its reply as it streams, so a kill loses neither.

`session.pending.json` names the step being taken (its number, command, input, the checkpoint it
starts from), fsynced before the step starts. Its streamed reply goes to
`session.partial/step-<n>-<id>.txt` token by token; the file's first line says the reply is
incomplete. A step that ends removes both (its result is the checkpoint and a line of
session.jsonl). A step stopped while the process lives (Ctrl-C, an error) is recorded in
`session.incomplete.jsonl` with its reason and keeps its partial file. A kill leaves both files,
so a resume finds the step, shows it with its partial reply, and `/retry` runs it again; a step
taken instead moves the killed one to session.incomplete.jsonl, so it is never lost.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from qed.agent.runs import RunDir

PENDING_FILE = "session.pending.json"
PARTIAL_DIR = "session.partial"
INCOMPLETE_FILE = "session.incomplete.jsonl"
_FIELDS = {"id": str, "n": int, "command": str, "input": str, "head": (str, type(None)), "started": str, "partial": str}


class JournalError(ValueError):
    """The pending-step file is not what the session writes (one line)."""


@dataclass
class PendingStep:
    """A step that was asked for and has not (yet) ended."""

    id: str
    n: int  # the number the step would have in its branch
    command: str
    input: str
    head: str | None  # the checkpoint it started from
    started: str
    partial: str  # its streamed reply, relative to the run folder

    def describe(self) -> str:
        what = "/step (one node of the loop)" if self.command == "step" else (
            f"/{self.command} {self.input}".strip() if self.command != "say" else f"message: {self.input}")
        return what.replace("\n", " ")[:120]


def _fsync_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class StepJournal:
    """The pending step of one run folder's session, and the partial reply it is streaming."""

    def __init__(self, run: RunDir):
        self.run = run
        self._current: PendingStep | None = None
        self._out: IO[str] | None = None

    # -- one step -------------------------------------------------------------------------------
    def begin(self, n: int, command: str, text: str, head: str | None) -> PendingStep:
        """Write the step down (durably) before it runs; a killed one left here is moved aside first."""
        left = self.pending()
        if left is not None:
            self._record(left, "killed before it finished; another step was taken instead of /retry")
        sid = uuid.uuid4().hex[:12]
        step = PendingStep(sid, n, command, text, head, datetime.now(UTC).isoformat(), f"{PARTIAL_DIR}/step-{n}-{sid}.txt")
        path = self.run.file(step.partial)
        path.parent.mkdir(exist_ok=True)
        self._out = open(path, "w", encoding="utf-8")  # noqa: SIM115 - open for the length of the step
        self._out.write(f"INCOMPLETE: the reply of step {n} ({step.describe()}) as far as it streamed; "
                        f"the step did not finish\n")
        self._out.flush()
        _fsync_write(self.run.file(PENDING_FILE), json.dumps(asdict(step), ensure_ascii=False) + "\n")
        self._current = step
        return step

    def token(self, text: str) -> None:
        """One streamed piece, in the file before it is on the screen (a kill keeps what was shown)."""
        if self._out is not None:
            self._out.write(text)
            self._out.flush()

    def finish(self) -> None:
        """The step ended and its result is written: neither file is needed any more."""
        step = self._close()
        if step is not None:
            self.run.file(step.partial).unlink(missing_ok=True)
        self.run.file(PENDING_FILE).unlink(missing_ok=True)

    def stop(self, reason: str) -> None:
        """The step was stopped in this process: record why, keep its partial reply."""
        step = self._close()
        if step is not None:
            self._record(step, reason)

    def retire(self, step: PendingStep, reason: str) -> None:
        """Move a killed step aside (into session.incomplete.jsonl) with what became of it."""
        self._record(step, reason)

    def _close(self) -> PendingStep | None:
        if self._out is not None:
            self._out.close()
            self._out = None
        step, self._current = self._current, None
        return step

    def _record(self, step: PendingStep, reason: str) -> None:
        line = {**asdict(step), "reason": reason, "recorded": datetime.now(UTC).isoformat()}
        with open(self.run.file(INCOMPLETE_FILE), "a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self.run.file(PENDING_FILE).unlink(missing_ok=True)

    # -- after a kill ---------------------------------------------------------------------------
    def pending(self) -> PendingStep | None:
        """The step a killed session left unfinished, or None."""
        path = self.run.file(PENDING_FILE)
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise JournalError(f"{path} is not readable JSON ({e})") from None
        if not isinstance(data, dict) or set(data) != set(_FIELDS) or not all(
                isinstance(data[k], t) and not isinstance(data[k], bool) for k, t in _FIELDS.items()):
            raise JournalError(f"{path} is not a pending step as the session writes it")
        step = PendingStep(**data)
        if not step.partial.startswith(f"{PARTIAL_DIR}/step-") or "/" in step.partial[len(PARTIAL_DIR) + 1:] \
                or ".." in step.partial:
            raise JournalError(f"{path}: its partial file {step.partial!r} is outside {PARTIAL_DIR}/")
        return step

    def settle(self, finished_ids: set[str]) -> PendingStep | None:
        """The pending step after a kill, unless its result was written just before the kill."""
        step = self.pending()
        if step is not None and step.id in finished_ids:
            self.run.file(step.partial).unlink(missing_ok=True)
            self.run.file(PENDING_FILE).unlink(missing_ok=True)
            return None
        return step

    def partial_reply(self, step: PendingStep) -> str:
        """What the killed step had streamed (without the file's INCOMPLETE line)."""
        try:
            text = self.run.file(step.partial).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return text.split("\n", 1)[1] if "\n" in text else ""
