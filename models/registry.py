"""Spec strings to backends: every module `models/<name>_backend.py` that exports `BACKEND`.

A backend registers its spec prefix (`openai` in `openai:<model>[@<base_url>]`), how to build a
model from a parsed spec, and what `qed doctor` checks for it. Adding a provider is adding one
file; nothing here names one. Backend modules import their SDK only when a model is built, so
reading a spec (every command does) costs nothing.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from qed.models.base import DEFAULT_CALL_DEADLINE_S, ChatModel, ModelSpecError


class ModelSpec(NamedTuple):
    """'openai:qwen@http://h:8000/v1' read: ('openai', 'qwen', 'http://h:8000/v1')."""

    kind: str
    name: str
    base_url: str | None

    @property
    def text(self) -> str:
        return f"{self.kind}:{self.name}" + (f"@{self.base_url}" if self.base_url else "")


@dataclass(frozen=True)
class BuildOptions:
    """What the caller decides about a backend it builds (models/roles.py)."""

    server_log: Path | None = None  # where a local worker writes its log
    key_env: str | None = None  # the variable holding the key for a custom host
    custom_keys: bool = True  # False: a custom host gets no key at all (a spec from a run folder)
    deadline_s: float = DEFAULT_CALL_DEADLINE_S  # a whole call, retries included


@dataclass
class Finding:
    """One row of `qed doctor`: ok True, False (missing), or None (optional and absent)."""

    area: str
    name: str
    ok: bool | None
    detail: str


def installed(dist: str, module: str) -> tuple[bool, str | None]:
    """Whether a distribution is installed and its module imports, and its version (doctor rows)."""
    import importlib.metadata as md

    try:
        version = md.version(dist)
    except md.PackageNotFoundError:
        return False, None
    try:
        importlib.import_module(module)
    except Exception:  # noqa: BLE001 — any failure to import means "not usable here"
        return False, version
    return True, version


def _role_ok(spec: ModelSpec) -> tuple[bool | None, str]:
    return True, ""


def _nothing() -> list[Finding]:
    return []


@dataclass(frozen=True)
class Backend:
    prefix: str  # the spec's `kind:`
    form: str  # the spec as the user writes it, for messages: "openai:<model>[@<base_url>]"
    summary: str
    build: Callable[[ModelSpec, BuildOptions], ChatModel]
    takes_base_url: bool = False  # `kind:<model>@<base_url>` splits at the @
    check_role: Callable[[ModelSpec], tuple[bool | None, str]] = _role_ok  # doctor: can a role use this spec?
    doctor: Callable[[], list[Finding]] = _nothing  # doctor: what this installation has for the backend
    # What can be checked before a run folder exists, without starting or calling anything (a
    # ModelError a user can act on: a model not in the catalog, not pulled).
    preflight: Callable[[ModelSpec], None] = lambda spec: None


def backends() -> dict[str, Backend]:
    """Every registered backend by prefix, in prefix order."""
    import qed.models as package

    found: dict[str, tuple[str, Backend]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg or not info.name.endswith("_backend"):
            continue
        backend = getattr(importlib.import_module(f"{package.__name__}.{info.name}"), "BACKEND", None)
        if not isinstance(backend, Backend):
            continue
        if backend.prefix in found:
            raise RuntimeError(f"two backends claim {backend.prefix!r}: {found[backend.prefix][0]} and {info.name}")
        found[backend.prefix] = (info.name, backend)
    return {prefix: found[prefix][1] for prefix in sorted(found)}


def spec_help(registered: dict[str, Backend] | None = None) -> str:
    return ", ".join(b.form for b in (registered or backends()).values())


def parse_spec(spec: str) -> ModelSpec:
    """'openai:qwen@http://h:8000/v1' -> ModelSpec('openai', 'qwen', 'http://h:8000/v1'); a spec no
    backend claims is a ModelSpecError naming the forms there are."""
    registered = backends()
    kind, sep, rest = spec.partition(":")
    backend = registered.get(kind)
    if not sep or not rest or backend is None:
        guess = difflib.get_close_matches(kind, list(registered), n=1, cutoff=0.6)
        hint = f"; did you mean {guess[0]}:{rest or '<model>'}?" if guess else ""
        raise ModelSpecError(f"unknown model spec {spec!r}; expected {spec_help(registered)}{hint}")
    if backend.takes_base_url and "@" in rest:
        model, _, base = rest.partition("@")
        if not model or not base:
            raise ModelSpecError(f"bad model spec {spec!r}; expected {kind}:<model>@<base_url>")
        return ModelSpec(kind, model, base)
    return ModelSpec(kind, rest, None)


def preflight(specs: Iterable[str]) -> None:
    """Refuse specs that cannot work before anything is created for them (a run folder, a worker)."""
    for spec in dict.fromkeys(specs):
        parsed = parse_spec(spec)
        backend_for(parsed).preflight(parsed)


def backend_for(spec: ModelSpec) -> Backend:
    return backends()[spec.kind]


def resolve(
    spec: str,
    *,
    server_log: Path | None = None,
    key_env: str | None = None,
    custom_keys: bool = True,
    deadline_s: float = DEFAULT_CALL_DEADLINE_S,
) -> ChatModel:
    """The backend for `spec`. `key_env` names the variable holding the key for a custom host,
    `custom_keys=False` sends a custom host no key at all (models/keys.py), `deadline_s` bounds
    each call, retries included."""
    parsed = parse_spec(spec)
    return backend_for(parsed).build(parsed, BuildOptions(server_log, key_env, custom_keys, deadline_s))
