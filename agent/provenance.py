"""Where an accepted answer came from, and what vouches for it: engine, model or a person.

"solved ✓" alone hid whether a solver proved the answer, a model's draft was confirmed by a check,
or a person accepted it with nothing behind it. `origin` reads that from what the loop recorded (the
checks of the deciding round, the engine's result, the decision's reason), the same way for a
results.jsonl line and for the loop's state, so the live view, summary.md, `qed prove` and memory
agree. A person's acceptance that no check confirmed is `verified = False`: shown as unverified and
never stored in memory as a fact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

USER_ACCEPTED = "accepted by the user"  # how decide.apply_choice begins the reason it records
_ENGINE_FALLBACK = "the answer is the inequality engine's"  # decide.assess, rounds run out


@dataclass(frozen=True)
class Origin:
    source: str  # "engine", "model" or "user"
    backing: str  # "certified by z3, cvc5", "confirmed by the referee", "unverified", ...
    verified: bool  # a check (a certificate, computation or the referee) stands behind the answer

    def line(self) -> str:
        return f"answer from {self.source} ({self.backing})"


def certifiers(engine: Mapping[str, Any] | None) -> list[str]:
    """The solvers whose certificate proved the engine's answer (z3, then who confirmed it)."""
    if not engine or not engine.get("certified"):
        return []
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            if node.get("verdict") == "proved" and isinstance(node.get("solver"), str):
                found.extend([node["solver"], *[s for s in node.get("confirmed_by") or [] if isinstance(s, str)]])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(engine.get("evidence") or {})
    return list(dict.fromkeys(found)) or ["a solver"]


def _proof_method(proof: Mapping[str, Any] | None) -> str | None:
    """The method of a proof of the answer whose certificate re-verified and whose text passed the
    judges (the state's computed proof says `emitted`, a results line's record says `judged`)."""
    if not isinstance(proof, Mapping) or proof.get("status") != "proved" or not proof.get("verified"):
        return None
    if not (proof.get("emitted") or proof.get("judged")):
        return None
    return str(proof.get("method") or "a")


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _engine_backing(engine: Mapping[str, Any] | None, proof: Mapping[str, Any] | None = None) -> tuple[str, bool]:
    names = certifiers(engine)
    if names:
        return f"certified by {', '.join(names)}", True
    # The engine found the answer numerically, and the compute stage proved it: the certificate,
    # re-checked by the independent checker, is the evidence (the label must not understate it).
    if method := _proof_method(proof):
        return f"proved by {_article(method)} {method} certificate, re-verified", True
    return "numerical, not certified", False


def _confirmations(checks: Sequence[Mapping[str, Any]], engine: Mapping[str, Any] | None,
                   proof: Mapping[str, Any] | None = None) -> tuple[list[str], bool]:
    """What confirmed the deciding (last) round, and whether any of its checks failed."""
    if not checks:
        return [], False
    last = max(int(c.get("round") or 0) for c in checks)
    current = [c for c in checks if int(c.get("round") or 0) == last]
    failed = any(c.get("verdict") == "fail" for c in current)
    by = []
    for c in current:
        if c.get("verdict") != "pass":
            continue
        if c.get("stage") == "execute":
            backing, certified = _engine_backing(engine, proof)
            by.append(f"the engine, {backing}" if certified else "computation")
        elif c.get("stage") == "review":
            by.append("the referee")
    return by, failed


def origin(outcome: str | None, reason: str | None, checks: Sequence[Mapping[str, Any]],
           engine: Mapping[str, Any] | None, drafts: int, proof: Mapping[str, Any] | None = None) -> Origin | None:
    """The origin of an answer that was accepted (solved or refuted); None for any other outcome."""
    if outcome not in ("solved", "refuted"):
        return None
    reason = reason or ""
    if reason.startswith(USER_ACCEPTED):
        by, failed = _confirmations(checks, engine, proof)
        if by and not failed:
            return Origin("user", f"confirmed by {'; '.join(by)}", True)
        return Origin("user", "unverified", False)
    if drafts == 0 or reason.startswith(_ENGINE_FALLBACK):
        if engine:
            backing, certified = _engine_backing(engine, proof)
            return Origin("engine", backing, certified)
        return Origin("engine", reason or "no evidence recorded", False)
    by, failed = _confirmations(checks, engine, proof)
    if by and not failed:
        return Origin("model", f"confirmed by {'; '.join(by)}", True)
    return Origin("model", "unconfirmed", False)


def of_result(result: Mapping[str, Any]) -> Origin | None:
    """The origin of a results.jsonl line."""
    evidence = result.get("evidence") or {}
    return origin(result.get("outcome"), result.get("reason"), evidence.get("checks") or [],
                  evidence.get("engine"), len(result.get("drafts") or []), result.get("proof"))


def of_state(state: Mapping[str, Any]) -> Origin | None:
    """The origin of the loop's state once it decided."""
    return origin(state.get("outcome"), state.get("reason"), state.get("checks") or [], state.get("engine"),
                  len(state.get("drafts") or []), state.get("proof"))
