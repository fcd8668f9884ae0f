"""Which model plays which part: roles map to spec strings from qed.toml, QED_* variables, flags.

A role may also name, in qed.toml's [api_key_env], the variable holding the key for its custom
host (models/keys.py says which names are allowed). Roles whose spec came from a run folder
(`from_run`) get no custom-host key at all: a run folder someone sent cannot choose where keys go.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qed.models.base import DEFAULT_CALL_DEADLINE_S, ChatModel, ModelSpecError
from qed.models.calllog import CallLog, LoggedModel
from qed.models.catalog import DEFAULT_MODEL
from qed.models.keys import check_key_env
from qed.models.registry import parse_spec, resolve

ROLES: tuple[str, ...] = ("generator", "verifier", "reviewer", "judge", "formalizer")
DEFAULT_SPEC = f"local:{DEFAULT_MODEL}"


@dataclass
class RoleSpecs:
    specs: dict[str, str] = field(default_factory=lambda: {r: DEFAULT_SPEC for r in ROLES})
    key_env: dict[str, str] = field(default_factory=dict)  # role -> variable holding its host's key
    from_run: frozenset[str] = frozenset()  # roles whose spec a run folder chose

    @classmethod
    def from_sources(
        cls,
        toml_models: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        model: str | None = None,
        overrides: Mapping[str, str] | None = None,
        key_env: Mapping[str, str] | None = None,
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
        return cls(specs, _key_env_by_role(key_env))

    def build(
        self, log: CallLog | None = None, server_log: Path | None = None,
        deadline_s: float = DEFAULT_CALL_DEADLINE_S,
    ) -> dict[str, ChatModel]:
        """One backend per distinct spec and key (roles sharing both share a server), logged per role."""
        backends: dict[tuple[str, str | None, bool], ChatModel] = {}
        out: dict[str, ChatModel] = {}
        try:
            for role, spec in self.specs.items():
                trusted = role not in self.from_run
                key = (spec, self.key_env.get(role) if trusted else None, trusted)
                if key not in backends:
                    backends[key] = resolve(spec, server_log=server_log, key_env=key[1], custom_keys=trusted,
                                            deadline_s=deadline_s)
                out[role] = LoggedModel(backends[key], log, role)
        except BaseException:  # a later role failed (a model not pulled, a bad key): free the ones built
            for backend in backends.values():
                backend.close()
            raise
        return out


def _key_env_by_role(table: Mapping[str, str] | None) -> dict[str, str]:
    """qed.toml [api_key_env]: role (or default) -> variable name, checked by the key rule."""
    table = dict(table or {})
    unknown = set(table) - set(ROLES) - {"default"}
    if unknown:
        raise ModelSpecError(f"qed.toml [api_key_env]: unknown role(s) {', '.join(sorted(unknown))}; "
                             f"roles are {', '.join(ROLES)}")
    out = {}
    for role in ROLES:
        variable = table.get(role, table.get("default"))
        if variable is None:
            continue
        if not isinstance(variable, str):
            raise ModelSpecError(f"qed.toml [api_key_env].{role}: expected a variable name, got {variable!r}")
        check_key_env(variable, f"qed.toml [api_key_env].{role}")
        out[role] = variable
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
