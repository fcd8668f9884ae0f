"""Pull the code a model wrote out of its reply (Markdown fenced code blocks)."""

from __future__ import annotations

import re

PYTHON_TAGS = ("python", "py", "python3", "sage")

_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")


def extract_code_blocks(
    text: str, languages: tuple[str, ...] = PYTHON_TAGS, *, include_untagged: bool = False
) -> list[str]:
    """The contents of fenced blocks whose language tag is in `languages`, in reply order.

    Follows CommonMark fences: ``` or ~~~ (three or more), closed by a fence of the same
    character at least as long, opening indentation (up to 3 spaces) removed from the body.
    A block that is never closed is dropped: in a model reply it means the text was cut off,
    and half a program would only fail. Untagged blocks count when `include_untagged` is set.
    """
    if not isinstance(text, str):
        raise TypeError(f"extract_code_blocks needs a str, got {type(text).__name__}")
    wanted = {tag.lower() for tag in languages}
    lines = text.splitlines()
    blocks: list[str] = []
    i = 0
    while i < len(lines):
        opening = _OPEN.match(lines[i])
        if opening is None or (opening["fence"][0] == "`" and "`" in opening["info"]):
            i += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        info = opening["info"].strip()
        tag = re.split(r"[\s{,]", info, maxsplit=1)[0].lower() if info else ""
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), None)
        if end is None:
            break
        if (tag in wanted) or (include_untagged and not tag):
            body = [_dedent(line, indent) for line in lines[i + 1 : end]]
            blocks.append("\n".join(body) + ("\n" if body else ""))
        i = end + 1
    return blocks


def _dedent(line: str, indent: int) -> str:
    stripped = len(line) - len(line.lstrip(" "))
    return line[min(stripped, indent) :]
