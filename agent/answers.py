"""What counts as 'the answer' of a draft, per problem kind, read deterministically."""

from __future__ import annotations

import re
from typing import Any

from qed.agent.prompts import load
from qed.verifiers.final_answer import extract_bound, extract_relation

ANSWER_KINDS = ("bound", "relation", "open")


def answer_format(problem: dict[str, Any]) -> str:
    return load(f"answer_format_{problem['kind']}").strip()


def read_answer(problem: dict[str, Any], text: str) -> str | None:
    kind = problem["kind"]
    if kind == "bound":
        return extract_bound(text)
    if kind == "relation":
        return extract_relation(text)
    if kind == "open":
        found = re.findall(r"answer is[:\s]*(.+)", text, re.I)
        return found[-1].strip().strip("$").rstrip(".").strip() if found else None
    return None


def proof_complete(text: str) -> bool:
    return bool(re.search(r"(^|\n)\s*(QED|∎|\\qed|\\blacksquare)\.?\s*$", text.strip(), re.I))
