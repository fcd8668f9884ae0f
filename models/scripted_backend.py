"""Deterministic replies from a file, so unit tests can drive the whole loop without a model.

The file is JSON: {"rules": [...]}. Each rule may have
  "match":   a regex searched in the conversation (all messages joined); no match key matches all
  "reply":   the text to return, or "replies": a list returned in turn (the last one repeats)
  "error":   raise a ModelError with this message instead of replying (also allowed as an item
             of "replies": {"error": "..."}, so a call can fail once and then succeed)
  "delay_s": sleep this long before answering (to hold a run mid-call in tests); Ctrl-C's
             cut_all ends the wait at once with a ModelError, as it breaks a real call's connection
  "token_delay_s": sleep this long after each streamed piece (to hold a reply mid-stream)
  "finish_reason": e.g. "length" to mimic a reply cut off by the token budget
The first rule whose regex matches answers the call.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from qed.models import deadline
from qed.models.base import (
    CallOptions,
    Completion,
    Message,
    ModelError,
    ModelSpecError,
    TokenCallback,
    Usage,
)
from qed.models.registry import Backend, BuildOptions, ModelSpec


class ScriptedModel:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.spec = f"scripted:{self.path}"
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            raise ModelSpecError(f"scripted model file not found: {self.path}") from None
        except json.JSONDecodeError as e:
            raise ModelSpecError(f"scripted model file {self.path} is not valid JSON: {e}") from None
        rules = data.get("rules") if isinstance(data, dict) else None
        if not isinstance(rules, list) or not rules:
            raise ModelSpecError(f"scripted model file {self.path} needs a non-empty 'rules' list")
        self.rules: list[dict[str, Any]] = rules
        self._turns = [0] * len(rules)
        self.calls: list[list[Message]] = []

    def chat(
        self,
        messages: list[Message],
        options: CallOptions | None = None,
        on_token: TokenCallback | None = None,
    ) -> Completion:
        start = time.perf_counter()
        self.calls.append(list(messages))
        conversation = "\n".join(m.content for m in messages)
        for i, rule in enumerate(self.rules):
            pattern = rule.get("match")
            if pattern is not None and not re.search(pattern, conversation, re.S):
                continue
            if rule.get("delay_s"):
                _pause(float(rule["delay_s"]))
            if "error" in rule:
                raise ModelError(str(rule["error"]))
            if "replies" in rule:
                replies = rule["replies"]
                text = replies[min(self._turns[i], len(replies) - 1)]
            else:
                text = rule.get("reply", "")
            self._turns[i] += 1
            if isinstance(text, dict):
                raise ModelError(str(text.get("error", "scripted failure")))
            if on_token:
                for piece in re.findall(r"\S+\s*|\s+", text):
                    on_token(piece)
                    if rule.get("token_delay_s"):
                        _pause(float(rule["token_delay_s"]))
            prompt_tokens = sum(len(m.content.split()) for m in messages)
            return Completion(
                text=text,
                model=self.spec,
                usage=Usage(prompt_tokens, len(text.split())),
                latency_s=time.perf_counter() - start,
                finish_reason=rule.get("finish_reason", "stop"),
            )
        raise ModelError(f"scripted model {self.path.name}: no rule matches this call")

    def close(self) -> None:
        pass


def _build(spec: ModelSpec, options: BuildOptions) -> ScriptedModel:
    return ScriptedModel(spec.name)


BACKEND = Backend("scripted", "scripted:<file>", "deterministic replies from a JSON file (tests)", _build)


def _pause(seconds: float) -> None:
    """Sleep like a slow server, but end as a cut call does when Ctrl-C cuts every call in flight."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if deadline.cancelled():
            raise ModelError("the call was cut (interrupted)")
        time.sleep(min(left, 0.05))
