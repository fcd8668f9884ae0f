"""The one interface every backend implements: messages in; text, usage and latency out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]
TokenCallback = Callable[[str], None]


class ModelError(Exception):
    """A model call failed in a way the user can act on (bad spec, server down, key missing,
    a reply with no content, no reply within the call deadline). The message is one line."""


class ModelSpecError(ModelError):
    """The spec string does not name a backend QED knows."""


@dataclass
class Message:
    role: Role
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class Completion:
    text: str
    model: str
    usage: Usage = field(default_factory=Usage)
    latency_s: float = 0.0
    finish_reason: str | None = None  # "stop", "length", ...

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


DEFAULT_CALL_DEADLINE_S = 600.0  # a whole call, retries included; [loop] call_deadline_s


@dataclass
class CallOptions:
    max_tokens: int = 512
    temperature: float = 0.0
    stop: list[str] | None = None
    timeout_s: float = 300.0  # one attempt at most (and never more than what is left of the deadline)
    deadline_s: float | None = None  # the whole call, retries included; None: the backend's setting


@runtime_checkable
class ChatModel(Protocol):
    """A backend. `on_token` receives streamed text pieces when the caller wants live output."""

    spec: str

    def chat(
        self,
        messages: list[Message],
        options: CallOptions | None = None,
        on_token: TokenCallback | None = None,
    ) -> Completion: ...

    def close(self) -> None: ...


def as_messages(items: list[Message] | list[dict[str, str]] | str) -> list[Message]:
    """Accept a bare prompt, dicts or Messages; backends always see Messages."""
    if isinstance(items, str):
        return [Message("user", items)]
    return [m if isinstance(m, Message) else Message(m["role"], m["content"]) for m in items]  # type: ignore[arg-type]
