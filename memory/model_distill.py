"""Model-based distillation: ask a model for reusable facts and strategies, and trust none of it blindly.

The prompt lives in distill_prompt.txt. The reply is read leniently (code fences, prose around the
JSON, trailing commas, a bare list); anything malformed is dropped, never fatal. A model may propose
facts and strategies only: what it calls a lemma is stored as a fact (no certificate), and a
proposed counterexample is kept only if computation confirms that its point refutes its claim.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

from qed.memory.distill import Findings, Item, excerpt
from qed.memory.formal_facts import FormalFactError, parse_fact, point_refutes
from qed.memory.records import Episode
from qed.models.base import CallOptions, ChatModel, Message, ModelError

MAX_ITEMS = 4
MAX_TEXT = 600


def render_prompt(episode: Episode, findings: Findings) -> str:
    template = resources.files("qed.memory").joinpath("distill_prompt.txt").read_text(encoding="utf-8")
    checks = "\n".join(f"- {s}" for s in findings.summaries[-8:]) or "- (no checks recorded)"
    return template.format(kind=episode.kind, statement=excerpt(episode.statement, 1500), outcome=episode.outcome,
                           answer=episode.answer or "none", checks=checks, max_items=MAX_ITEMS)


def _json_candidates(text: str) -> list[str]:
    """Substrings that may be the JSON reply, most likely first."""
    out = [m.group(1) for m in re.finditer(r"```(?:json)?\s*(.*?)```", text, re.S)]
    for opener, closer in (("{", "}"), ("[", "]")):
        start = text.find(opener)
        while start != -1:
            depth, in_str, esc = 0, False, False
            for i in range(start, len(text)):
                ch = text[i]
                if in_str:
                    esc = (ch == "\\") and not esc
                    if ch == '"' and not esc:
                        in_str = False
                    continue
                if ch == '"':
                    in_str = True
                elif ch == opener:
                    depth += 1
                elif ch == closer:
                    depth -= 1
                    if depth == 0:
                        out.append(text[start:i + 1])
                        break
            start = text.find(opener, start + 1) if not out else -1
    return out


def parse_reply(text: str) -> list[dict[str, Any]]:
    """The list of item dicts in a model reply; [] when none can be read."""
    for chunk in _json_candidates(text):
        for attempt in (chunk, re.sub(r",\s*([}\]])", r"\1", chunk)):
            try:
                data = json.loads(attempt)
            except json.JSONDecodeError:
                continue
            items = data.get("items") if isinstance(data, dict) else data
            if isinstance(items, list):
                return [i for i in items if isinstance(i, dict)]
    return []


def _to_item(raw: dict[str, Any], spec: str) -> Item | None:
    kind = str(raw.get("kind", "")).strip().lower()
    text = " ".join(str(raw.get("text", "")).split())[:MAX_TEXT]
    if not text:
        return None
    if kind == "lemma":
        kind = "fact"  # a model's say-so is not a certificate
    formal = None
    if isinstance(raw.get("formal"), dict):
        try:
            formal = parse_fact(raw["formal"])
        except FormalFactError:
            formal = None
    if kind == "counterexample":
        point = raw.get("point")
        if not (isinstance(point, dict) and formal is not None and point_refutes(point, formal)):
            return None
        return Item(kind="counterexample", title="Counterexample proposed by a model, confirmed by computation",
                    text=text, data={"point": point, "claim": formal.to_dict()}, source="distill:model", model=spec)
    if kind not in ("fact", "strategy"):
        return None
    data: dict[str, Any] = {"formal": formal.to_dict()} if formal is not None and kind == "fact" else {}
    return Item(kind=kind, title=f"{kind.capitalize()} distilled by a model", text=text, data=data,
                formal=formal if kind == "fact" else None, source="distill:model", model=spec)


def extract_with_model(model: ChatModel, episode: Episode, findings: Findings) -> tuple[list[Item], str | None]:
    """Items the model proposes that pass validation, and a note when the model could not help."""
    try:
        reply = model.chat([Message("user", render_prompt(episode, findings))],
                           CallOptions(max_tokens=500, temperature=0.0))
    except ModelError as e:
        return [], f"model distillation skipped: {e}"
    raw = parse_reply(reply.text)
    if not raw:
        return [], "model distillation: no readable JSON items in the reply"
    items = [it for it in (_to_item(r, model.spec) for r in raw[:MAX_ITEMS]) if it is not None]
    return items, None if items else "model distillation: every proposed item was rejected"
