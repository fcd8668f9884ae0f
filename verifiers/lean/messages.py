"""Lean's command-line output turned into structured messages, axiom reports and `sorry` warnings.

Lean frames warnings and errors as `file:line:col[-endLine:endCol]: severity[(name)]: text`, with
the text continuing on the following lines (goals, hypotheses). Information messages (`#print
axioms`) carry the same frame with `info:` in recent versions and no frame at all in older ones.
Lines before any frame (`error: unknown package 'Mathlib'` from Lake) are messages of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]

# Axioms every classical Mathlib proof may use; anything else (sorryAx, a new `axiom`,
# Lean.ofReduceBool from native_decide) means the kernel did not check the whole proof.
STANDARD_AXIOMS = frozenset({"propext", "Classical.choice", "Quot.sound"})

_FRAME = re.compile(
    r"^(?P<file>.+?\.lean|<[^>\n]+>):(?P<line>\d+):(?P<col>\d+)(?:-\d+:\d+)?:\s"
    r"(?:(?P<severity>error|warning|info|information)(?:\([^)\n]*\))?:\s?)?(?P<text>.*)$"
)
_UNFRAMED = re.compile(r"^(?P<severity>error|warning|info|uncaught exception):\s?(?P<text>.*)$")
_AXIOMS_LINE = re.compile(r"'.+' (?:depends on axioms: \[|does not depend on any axioms)")
_SORRY = re.compile(r"declaration uses ['`]?sorry['`]?")


@dataclass(frozen=True)
class LeanMessage:
    """One message Lean printed; line is 1-based and column 0-based, as Lean counts them."""

    severity: Severity
    text: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.line}:{self.column}: " if self.line is not None else ""
        return f"{where}{self.severity}: {self.text}"

    def describe(self) -> dict[str, object]:
        return {"severity": self.severity, "line": self.line, "column": self.column, "text": self.text}


def _severity(word: str | None) -> Severity:
    if word in ("error", "uncaught exception"):
        return "error"
    if word == "warning":
        return "warning"
    return "info"


def parse_lean_output(output: str) -> list[LeanMessage]:
    """Split Lean/Lake output into messages, keeping each message's continuation lines."""
    messages: list[LeanMessage] = []
    head: dict[str, object] | None = None
    body: list[str] = []

    def flush() -> None:
        if head is not None:
            text = "\n".join([str(head["text"]), *body]).strip()
            messages.append(LeanMessage(head["severity"], text, head["line"], head["column"]))  # type: ignore[arg-type]

    for raw in output.splitlines():
        line = raw.rstrip()
        framed = _FRAME.match(line)
        unframed = None if framed else _UNFRAMED.match(line)
        if framed:
            flush()
            head = {"severity": _severity(framed["severity"]), "text": framed["text"],
                    "line": int(framed["line"]), "column": int(framed["col"])}
            body = []
        elif unframed or _AXIOMS_LINE.match(line) or (head is None and line.strip()):
            flush()
            head = {"severity": _severity(unframed["severity"] if unframed else None),
                    "text": unframed["text"] if unframed else line, "line": None, "column": None}
            body = []
        elif head is not None:
            body.append(line)
    flush()
    return messages


def axioms_of(output: str, name: str) -> list[str] | None:
    """The axioms `#print axioms name` reported, [] for none, None when the report is missing."""
    quoted = re.escape(f"'{name}'")
    if re.search(quoted + r" does not depend on any axioms", output):
        return []
    found = re.search(quoted + r" depends on axioms: \[(?P<axioms>[^\]]*)\]", output)
    if found is None:
        return None
    return [a.strip() for a in found["axioms"].replace("\n", " ").split(",") if a.strip()]


def mentions_sorry(text: str) -> bool:
    """Lean's own warning that a declaration still contains `sorry`, anywhere in `text`."""
    return _SORRY.search(text) is not None


def uses_sorry(messages: list[LeanMessage]) -> bool:
    """Lean's own verdict, among parsed messages, that some declaration still contains `sorry`."""
    return any(m.severity == "warning" and mentions_sorry(m.text) for m in messages)
