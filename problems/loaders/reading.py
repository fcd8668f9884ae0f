"""Reading a problem file a piece at a time: lines decoded as they come, with located errors.

A problem set can hold a hundred thousand problems; reading it whole to solve the first one cost
close to a gigabyte. These helpers hand out one line at a time, decode UTF-8 as they go (a bad byte
is reported with its offset in the file) and tell a blank file from an empty set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from qed.problems.errors import ProblemLoadError

_BOM = b"\xef\xbb\xbf"
_SNIFF_BYTES = 1 << 16


def check_readable(path: Path) -> None:
    """Exists, is a regular file, and holds something other than white space."""
    if not path.exists():
        raise ProblemLoadError(path, "no such file")
    if not path.is_file():
        raise ProblemLoadError(path, "not a regular file")
    if is_blank(path):
        raise ProblemLoadError(path, "empty file")


def is_blank(path: Path) -> bool:
    """True when the file holds only white space (read until the first other byte)."""
    try:
        with path.open("rb") as f:
            first = True
            while chunk := f.read(_SNIFF_BYTES):
                if first and chunk.startswith(_BOM):
                    chunk = chunk[len(_BOM):]
                first = False
                if chunk.strip():
                    return False
    except OSError as exc:
        raise ProblemLoadError(path, f"cannot read: {exc.strerror or exc}") from None
    return True


def raw_lines(path: Path) -> Iterator[str]:
    """The file's lines with their line ends, decoded one by one (a UTF-8 BOM dropped)."""
    offset = 0
    try:
        with path.open("rb") as f:
            for raw in f:
                skip = len(_BOM) if offset == 0 and raw.startswith(_BOM) else 0
                data = raw[skip:]
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    at = offset + skip + exc.start
                    raise ProblemLoadError(
                        path, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {at})"
                    ) from None
                offset += len(raw)
                yield text
    except OSError as exc:
        raise ProblemLoadError(path, f"cannot read: {exc.strerror or exc}") from None


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line without its end), numbered as str.splitlines() would number them."""
    number = 0
    for chunk in raw_lines(path):
        for line in chunk.splitlines():
            number += 1
            yield number, line


def read_text(path: Path) -> str:
    """The whole file as text, for formats read as one document (LaTeX)."""
    check_readable(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProblemLoadError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemLoadError(
            path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
