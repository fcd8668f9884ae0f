"""Which model plays which part: roles map to spec strings from qed.toml, QED_* variables, flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qed.models.base import ChatModel, ModelSpecError
from qed.models.calllog import CallLog, LoggedModel
from qed.models.catalog import DEFAULT_MODEL
from qed.models.registry import parse_spec, resolve

ROLES: tuple[str, ...] = ("generator", "verifier", "reviewer", "judge", "formalizer")
DEFAULT_SPEC = f"local:{DEFAULT_MODEL}"


@dataclass
class RoleSpecs:
    specs: dict[str, str] = field(default_factory=lambda: {r: DEFAULT_SPEC for r in ROLES})

    @classmethod
    def from_sources(
        cls,
        toml_models: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        model: str | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> RoleSpecs:
        """Later sources win: defaults < qed.toml [models] < QED_MODEL / QED_<ROLE> < --model < --role."""
        env = os.environ if env is None else env
        toml_models = dict(toml_models or {})
        unknown = set(toml_models) - set(ROLES) - {"default"}
        if unknown:
            raise ModelSpecError(f"qed.toml [models]: unknown role(s) {', '.join(sorted(unknown))}; roles are {', '.join(ROLES)}")
        base = toml_models.get("default", DEFAULT_SPEC)
        base = env.get("QED_MODEL", base)
        specs = {}
        for role in ROLES:
            spec = toml_models.get(role, base)
            spec = env.get(f"QED_{role.upper()}", spec)
            specs[role] = spec
        if model:
            specs = {r: model for r in ROLES}
        for role, spec in (overrides or {}).items():
            if role not in ROLES:
                raise ModelSpecError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
            specs[role] = spec
        for spec in specs.values():
            parse_spec(spec)
        return cls(specs)

    def build(self, log: CallLog | None = None, server_log: Path | None = None) -> dict[str, ChatModel]:
        """One backend per distinct spec (roles sharing a spec share a server), logged per role."""
        backends: dict[str, ChatModel] = {}
        out: dict[str, ChatModel] = {}
        for role, spec in self.specs.items():
            if spec not in backends:
                backends[spec] = resolve(spec, server_log=server_log)
            out[role] = LoggedModel(backends[spec], log, role)
        return out


def parse_role_overrides(items: list[str]) -> dict[str, str]:
    """['reviewer=openai:gpt-4o'] -> {'reviewer': 'openai:gpt-4o'}."""
    out = {}
    for item in items:
        role, sep, spec = item.partition("=")
        if not sep or not role or not spec:
            raise ModelSpecError(f"--role takes ROLE=SPEC, got {item!r}")
        out[role.strip()] = spec.strip()
    return out
