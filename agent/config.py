"""Loop settings and model roles read from qed.toml, the environment and command-line flags."""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from qed.models.roles import RoleSpecs


class ConfigError(ValueError):
    """qed.toml cannot be used as written."""


PRESENT_STYLES = ("rewrite", "overview")


@dataclass
class LoopConfig:
    max_rounds: int = 2  # generate → ... → decide passes before abstaining
    generate_max_tokens: int = 600
    followup_max_tokens: int = 60  # the one extra request for a final answer after a cut-off
    verify_max_tokens: int = 160
    review_max_tokens: int = 220
    review_samples: int = 1  # DSM verifier samples per proof review (k)
    review_meta: bool = True  # the meta-verifier checks each issue the proof reviewer claims
    temperature: float = 0.0
    refine_temperature: float = 0.3  # later rounds explore a little instead of repeating the draft
    call_timeout_s: float = 300.0  # one attempt of a model call at most
    call_deadline_s: float = 600.0  # a whole model call, retries included: a hung server ends here
    use_engine: bool = True  # the execute node runs the inequality engine when it is available
    use_sandbox: bool = True  # run the draft's code, or the verifier's checks, in the sandbox
    model_checks: bool = True  # the verifier writes code that tests the draft, run in the sandbox
    check_code_max_tokens: int = 320
    engine_model_fallback: bool = False  # let the formalizer model parse what the LaTeX parser cannot
    use_memory: bool = True
    recall_k: int = 5
    interactive: bool = False  # a person confirms each decision (qed prove --interactive)
    proofs: bool = True  # compute first: a certificate and a proof before any draft (agent/nodes/compute.py)
    certificate_seconds: float = 30.0  # the certificate search's time limit per problem
    lean_check: bool = True  # check proof.lean with Lean where a toolchain is configured
    present: bool = False  # the generator presents a computed proof (present_style says how)
    present_style: str = "rewrite"  # "rewrite": new prose, kept only if it passes the judges;
    # "overview": two or three sentences in words above the proof, held to the proof's own formulas
    present_max_tokens: int = 900
    overview_max_tokens: int = 110

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> LoopConfig:
        names = {f.name: f.type for f in fields(cls)}
        unknown = set(data) - set(names)
        if unknown:
            raise ConfigError(f"qed.toml [loop]: unknown setting(s) {', '.join(sorted(unknown))}")
        cfg = cls()
        for key, value in data.items():
            default = getattr(cfg, key)
            if not isinstance(value, type(default)) and not (isinstance(default, float) and isinstance(value, int)):
                raise ConfigError(f"qed.toml [loop].{key}: expected {type(default).__name__}, got {value!r}")
            setattr(cfg, key, type(default)(value))
        if cfg.max_rounds < 1:
            raise ConfigError("qed.toml [loop].max_rounds must be at least 1")
        if cfg.present_style not in PRESENT_STYLES:
            raise ConfigError(f"qed.toml [loop].present_style must be one of {', '.join(PRESENT_STYLES)}, "
                              f"not {cfg.present_style!r}")
        for key in ("call_timeout_s", "call_deadline_s"):
            if not 0 < getattr(cfg, key) < float("inf"):
                raise ConfigError(f"qed.toml [loop].{key} must be a positive number of seconds")
        return cfg


@dataclass
class QedConfig:
    roles: RoleSpecs = field(default_factory=RoleSpecs)
    loop: LoopConfig = field(default_factory=LoopConfig)
    source: str | None = None  # the qed.toml that was read, if any
    tables: dict[str, Any] = field(default_factory=dict)  # [recipes], [budget]: read by agent/recipes.py, agent/budget.py

    def to_dict(self) -> dict[str, Any]:
        return {"models": dict(self.roles.specs), "loop": asdict(self.loop), "config_file": self.source}


def find_config_file(explicit: str | Path | None = None) -> Path | None:
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            raise ConfigError(f"config file not found: {p}")
        return p
    env = os.environ.get("QED_CONFIG")
    if env:
        return find_config_file(env)
    p = Path("qed.toml")
    return p if p.is_file() else None


def load_config(
    path: str | Path | None = None,
    *,
    model: str | None = None,
    role_overrides: dict[str, str] | None = None,
    loop_overrides: dict[str, Any] | None = None,
) -> QedConfig:
    """defaults < qed.toml < QED_* environment < command-line flags.

    [api_key_env] (role -> the QED_* variable that holds the key for that role's custom host)
    is read only from qed.toml, never from a run folder.
    """
    file = find_config_file(path)
    data: dict[str, Any] = {}
    if file:
        try:
            data = tomllib.loads(file.read_text())
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{file}: not valid TOML ({e})") from None
    unknown = set(data) - {"models", "api_key_env", "loop", "recipes", "budget"}
    if unknown:
        raise ConfigError(f"{file}: unknown section(s) {', '.join(sorted(unknown))}; "
                          "expected [models], [api_key_env], [loop], [recipes], [budget]")
    roles = RoleSpecs.from_sources(data.get("models"), model=model, overrides=role_overrides,
                                   key_env=data.get("api_key_env"))
    loop = LoopConfig.from_mapping({**data.get("loop", {}), **(loop_overrides or {})})
    tables = {k: data[k] for k in ("recipes", "budget") if k in data}
    return QedConfig(roles, loop, str(file) if file else None, tables)
