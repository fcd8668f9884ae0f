"""What the nodes need besides the state: models by role, settings, memory, the engine."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qed.agent.config import LoopConfig
from qed.models.base import ChatModel


@dataclass
class LoopDeps:
    models: Mapping[str, ChatModel]
    config: LoopConfig = field(default_factory=LoopConfig)
    memory: Any | None = None  # memory.Memory when memory is on
    engine: Callable[..., Any] | None = None  # verifiers' inequality engine, when available
    run_id: str = ""
    run_dir: str = ""

    def model(self, role: str) -> ChatModel:
        try:
            return self.models[role]
        except KeyError:
            raise KeyError(f"no model configured for role {role!r}") from None
