"""A JSON array (or object) read one element at a time, with the standard library's decoder.

IneqMath ships its problems as one JSON array; `json.load` holds all of it, and every record, in
memory at once. Here the file is decoded in chunks and each element is handed out as soon as
`json.JSONDecoder.raw_decode` can read it; only the current element is buffered. A malformed file
is reported at the same line and column `json.load` would name.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from qed.problems.errors import ProblemLoadError

CHUNK = 1 << 16
MAX_ELEMENT_CHARS = 64 * 1024 * 1024  # one record larger than this is refused, not buffered
_WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


class JsonStream:
    """Pull elements of the top-level array (`items`) or pairs of the top-level object (`pairs`)."""

    def __init__(self, path: Path, f: BinaryIO):
        self.path = path
        self.f = f
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.bytes_read = 0
        self.line = 1  # line number of buf[0]
        self.line_start = 0  # offset in buf where that line starts (may be negative: earlier text)

    # -- buffer ------------------------------------------------------------------------------
    def _more(self, at_least: int = CHUNK) -> bool:
        if self.eof:
            return False
        raw = self.f.read(max(CHUNK, at_least))
        final = not raw
        try:
            text = self.decoder.decode(raw, final=final)
        except UnicodeDecodeError as exc:
            raise ProblemLoadError(
                self.path,
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {self.bytes_read + exc.start})"
                if exc.start < len(raw) else "not UTF-8 text (the file ends inside a character)",
            ) from None
        self.bytes_read += len(raw)
        self.buf += text
        if final:
            self.eof = True
        return bool(text) or not final

    def _compact(self) -> None:
        """Drop what was consumed, keeping line numbers right."""
        if self.pos == 0:
            return
        done = self.buf[: self.pos]
        newlines = done.count("\n")
        if newlines:
            self.line += newlines
            self.line_start = done.rfind("\n") + 1 - self.pos
        else:
            self.line_start -= self.pos
        self.buf = self.buf[self.pos :]
        self.pos = 0

    def _where(self, pos: int) -> str:
        before = self.buf[:pos]
        newlines = before.count("\n")
        line = self.line + newlines
        col = pos - before.rfind("\n") if newlines else pos - self.line_start + 1
        return f"line {line}, column {col}"

    def peek(self) -> str | None:
        """The next character that is not white space (None at the end of the file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            self._compact()
            if not self._more():
                return None

    def _expect(self, allowed: str, what: str) -> str:
        c = self.peek()
        if c is None or c not in allowed:
            raise self._malformed(f"Expecting {what}", self.pos)
        self.pos += 1
        return c

    def _malformed(self, msg: str, pos: int) -> ProblemLoadError:
        return ProblemLoadError(self.path, f"malformed JSON: {msg} at {self._where(pos)}")

    def value(self) -> Any:
        """The next complete JSON value; more of the file is read until it is complete."""
        self.peek()
        self._compact()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                incomplete = exc.msg.startswith("Unterminated string") or len(self.buf) - exc.pos < 16
                if incomplete and self._grow():
                    continue
                raise self._malformed(exc.msg, exc.pos) from None
            if end >= len(self.buf) and self._grow():  # a number at the buffer's end may go on
                continue
            self.pos = end
            return value

    def _grow(self) -> bool:
        if len(self.buf) - self.pos > MAX_ELEMENT_CHARS:
            raise ProblemLoadError(
                self.path, f"a JSON element at {self._where(self.pos)} is larger than "
                f"{MAX_ELEMENT_CHARS // (1024 * 1024)} MB"
            )
        return self._more(len(self.buf) - self.pos)  # doubling: each element is decoded O(1) times

    # -- structure ---------------------------------------------------------------------------
    def start(self) -> str:
        """'array', 'object' or 'value': what the document's top level is (nothing consumed for a value)."""
        c = self.peek()
        if c == "[":
            self.pos += 1
            return "array"
        if c == "{":
            self.pos += 1
            return "object"
        return "value"

    def items(self) -> Iterator[Any]:
        """The elements of the top-level array, one at a time."""
        if self.peek() == "]":
            self.pos += 1
            self._end()
            return
        while True:
            yield self.value()
            if self._expect(",]", "',' delimiter") == "]":
                self._end()
                return

    def pairs(self) -> Iterator[tuple[str, Any]]:
        """The (key, value) pairs of the top-level object, one at a time."""
        if self.peek() == "}":
            self.pos += 1
            self._end()
            return
        while True:
            if self.peek() != '"':
                raise self._malformed("Expecting property name enclosed in double quotes", self.pos)
            key = self.value()
            self._expect(":", "':' delimiter")
            yield key, self.value()
            if self._expect(",}", "',' delimiter") == "}":
                self._end()
                return

    def _end(self) -> None:
        if self.peek() is not None:
            raise self._malformed("Extra data", self.pos)


def open_stream(path: Path) -> tuple[JsonStream, BinaryIO]:
    try:
        f = path.open("rb")
    except OSError as exc:
        raise ProblemLoadError(path, f"cannot read: {exc.strerror or exc}") from None
    return JsonStream(path, f), f
