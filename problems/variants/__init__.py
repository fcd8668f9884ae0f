"""Variants of classical inequality problems with answers known by construction.

`generate(seed, count)` draws problems from the families in `families.py` (each family a
classical inequality with its constants, exponents, number of variables, domain words, triangle
kind or equality constraint varied), cycling through the families so that each is represented.
The answers come from the closed forms of the classical proofs, never from the engine, so a bench
over these variants measures how the engine generalises beyond the problems it was developed on.
"""

from __future__ import annotations

import random

from qed.problems.record import RELATION_CHOICES, Problem
from qed.problems.variants.families import FAMILIES, Variant

__all__ = ["FAMILIES", "Variant", "generate", "as_problem"]


def generate(seed: int = 0, count: int = 100, families: list[str] | None = None) -> list[dict]:
    """`count` variants (deduplicated by statement), round-robin over the chosen families."""
    rng = random.Random(seed)
    chosen = [FAMILIES[f] for f in (families or sorted(FAMILIES))]
    out: list[dict] = []
    seen: set[str] = set()
    attempts = 0
    while len(out) < count and attempts < 50 * count:
        make = chosen[attempts % len(chosen)]
        attempts += 1
        v = make(rng)
        if v.statement in seen:
            continue
        seen.add(v.statement)
        out.append({"id": f"v{seed}-{len(out) + 1:03d}", "family": v.family, "kind": v.kind,
                    "statement": v.statement, "answer": v.answer, "why": v.why})
    return out


def as_problem(item: dict) -> Problem:
    choices = list(RELATION_CHOICES) if item["kind"] == "relation" else None
    return Problem(id=item["id"], statement=item["statement"], kind=item["kind"], answer=item["answer"],
                   choices=choices, source="variants")
