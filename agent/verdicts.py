"""Read a checker's verdict from its reply. Junk reads as 'unknown', never as a pass."""

from __future__ import annotations

import re

from qed.agent.state import Verdict

_PASS = {"PASS", "ACCEPT", "CORRECT", "VALID"}
_FAIL = {"FAIL", "REJECT", "INCORRECT", "INVALID", "WRONG"}


def read_verdict(text: str) -> Verdict:
    """The last `VERDICT: X` line decides (a reply that is only the word counts); else no verdict."""
    found = re.findall(r"VERDICT\s*[:：]?\s*\**\s*([A-Za-z]+)", text, re.I)
    if not found:
        lines = [line.strip(" *.`") for line in text.strip().splitlines() if line.strip()]
        found = lines[-1:] if lines and lines[-1].upper() in _PASS | _FAIL else []
    if not found:
        return "unknown"
    word = found[-1].upper()
    if word in _PASS:
        return "pass"
    if word in _FAIL:
        return "fail"
    return "unknown"


def reason_of(text: str, limit: int = 300) -> str:
    """The reply without its verdict line, squeezed to one line for summaries and feedback."""
    body = re.sub(r"VERDICT\s*[:：]?.*", "", text, flags=re.I)
    body = " ".join(body.split())
    return body[:limit] + ("…" if len(body) > limit else "")
