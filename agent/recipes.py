"""Test-time scaling recipes: more attempts and more checks over the same loop and judges.

    single           the loop once (the default)
    pessimistic:N    the loop once; its accepted draft must then survive N independent checks by
                     the DeepSeekMath-V2 verifier (the reviewer's model): one check that finds an
                     error (and that the meta-verifier does not throw out) rejects it
    best-of:N        the loop N times; the solved attempt the verifier scores highest is kept
    heavy:N          DeepSeekMath-V2's heavy setting: a pool of N loop attempts, each verified
                     `checks` times; the best one is refined for up to `rounds` rounds with the
                     checks' issues as feedback; it stops as soon as one passes every check, and a
                     proof that still fails a check at the end is not accepted (agent/recipe_heavy.py)

A recipe spends the problem's budget like the loop does (its checks are model calls through the
same meter). Parameters come from `qed solve --recipe NAME[:N]` and qed.toml:

    [recipes.pessimistic]
    n = 8
    temperature = 0.7     # independent checks must be able to differ
    [recipes.best-of]
    n = 4
    temperature = 0.7     # attempts after the first explore
    [recipes.heavy]
    n = 4                 # the pool
    checks = 4            # verifications of each proof
    rounds = 2            # refinements of the best
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from qed.models.base import ChatModel
from qed.problems.record import Problem
from qed.verifiers.judges.judge import JudgeSettings, statement_only
from qed.verifiers.judges.model_judge import ModelJudgeOptions
from qed.verifiers.judges.registry import run_judge
from qed.verifiers.judges.verdict import JudgeVerdict

RECIPES = ("single", "pessimistic", "best-of", "heavy")
DEFAULT_N = {"single": 1, "pessimistic": 8, "best-of": 4, "heavy": 4}
HEAVY_DEFAULTS = {"checks": 4, "rounds": 2}
MAX_N = 64


class RecipeError(ValueError):
    """A recipe as written cannot be used."""


@dataclass(frozen=True)
class Recipe:
    name: str = "single"
    n: int = 1
    temperature: float = 0.7
    meta: bool = True  # the meta-verifier vets each check's claimed issues
    checks: int = 1  # heavy: verifications of each proof
    rounds: int = 0  # heavy: refinements of the best proof

    @property
    def label(self) -> str:
        return self.name if self.name == "single" else f"{self.name}:{self.n}"

    def to_dict(self) -> dict[str, Any]:
        out = {"name": self.name, "n": self.n, "temperature": self.temperature, "meta": self.meta}
        if self.name == "heavy":
            out.update(checks=self.checks, rounds=self.rounds)
        return out


def parse_recipe(text: str | None, tables: Mapping[str, Any] | None = None) -> Recipe:
    """`pessimistic:8`, `best-of`, `single`; N from the text, else qed.toml [recipes.NAME], else the default."""
    text = (text or "single").strip()
    name, sep, count = text.partition(":")
    name = name.strip()
    if name not in RECIPES:
        raise RecipeError(f"--recipe: unknown recipe {name!r}; recipes are {', '.join(RECIPES)}")
    table = dict((tables or {}).get(name) or {})
    unknown = set(table) - {"n", "temperature", "meta", *(HEAVY_DEFAULTS if name == "heavy" else ())}
    if unknown:
        raise RecipeError(f"qed.toml [recipes.{name}]: unknown setting(s) {', '.join(sorted(unknown))}")
    n = table.get("n", DEFAULT_N[name])
    if sep:
        if not count.strip().isdigit():
            raise RecipeError(f"--recipe {text!r}: expected {name}:N with N a whole number")
        n = int(count)
    if name == "single":
        if n != 1:
            raise RecipeError("--recipe single takes no count")
    elif not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_N:
        raise RecipeError(f"recipe {name}: N must be a whole number from 1 to {MAX_N}, not {n!r}")
    temperature = table.get("temperature", 0.7)
    if isinstance(temperature, bool) or not isinstance(temperature, int | float) or not 0 <= temperature <= 2:
        raise RecipeError(f"qed.toml [recipes.{name}].temperature must be a number from 0 to 2")
    meta = table.get("meta", True)
    if not isinstance(meta, bool):
        raise RecipeError(f"qed.toml [recipes.{name}].meta must be true or false")
    extra: dict[str, int] = {}
    if name == "heavy":
        for key, default in HEAVY_DEFAULTS.items():
            value = table.get(key, default)
            low = 1 if key == "checks" else 0
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= MAX_N:
                raise RecipeError(f"qed.toml [recipes.heavy].{key} must be a whole number from {low} to {MAX_N}")
            extra[key] = value
    return Recipe(name, n, float(temperature), meta, **extra)


@dataclass
class CheckLine:
    """One independent check of a draft, as a result line keeps it."""

    verdict: str  # pass, fail, no_verdict
    score: float | None
    reason: str

    @classmethod
    def of(cls, judged: JudgeVerdict) -> CheckLine:
        return cls(judged.verdict, judged.score, judged.reason[:300])


@dataclass
class Verification:
    """N checks of one draft, and what they add up to under pessimistic verification."""

    checks: list[CheckLine] = field(default_factory=list)

    @property
    def rejected_by(self) -> int | None:
        """1-based number of the first check that found an error."""
        return next((i + 1 for i, c in enumerate(self.checks) if c.verdict == "fail"), None)

    @property
    def passed(self) -> int:
        return sum(c.verdict == "pass" for c in self.checks)

    @property
    def accepted(self) -> bool:
        """No check found an error, and at least one check positively passed the draft."""
        return self.rejected_by is None and self.passed > 0

    @property
    def complete(self) -> bool:
        """Every check ran and passed: what heavy's search stops at."""
        return bool(self.checks) and all(c.verdict == "pass" for c in self.checks)

    @property
    def mean_score(self) -> float:
        """For heavy: the average score over its checks (no verdict counts as 0), as DeepSeekMath-V2 ranks."""
        if not self.checks:
            return 0.0
        return sum(c.score if c.score is not None and c.verdict != "no_verdict" else 0.0
                   for c in self.checks) / len(self.checks)

    def issues(self, limit: int = 3) -> list[str]:
        """The failing checks' reasons, for the next refinement's feedback."""
        return [c.reason for c in self.checks if c.verdict == "fail"][:limit]

    @property
    def score(self) -> float:
        """For best-of: the lowest score any check gave (a check without a score counts as 0)."""
        return min((c.score if c.score is not None and c.verdict != "no_verdict" else 0.0) for c in self.checks) \
            if self.checks else 0.0

    def reason(self, label: str) -> str:
        n = len(self.checks)
        if self.rejected_by is not None:
            return f"{label}: check {self.rejected_by} of {n} found an error: {self.checks[self.rejected_by - 1].reason}"
        if not self.passed:
            return f"{label}: none of {n} check(s) could verify the draft"
        return f"{label}: {self.passed} of {n} check(s) passed, none found an error"

    def to_dict(self) -> dict[str, Any]:
        return {"checks": [c.__dict__ for c in self.checks], "rejected_by": self.rejected_by,
                "passed": self.passed, "accepted": self.accepted}


def verify(problem: Problem, text: str, model: ChatModel, n: int, recipe: Recipe,
           max_tokens: int, timeout_s: float, stop_at_error: bool = True) -> Verification:
    """N independent DSM-verifier checks of `text` (one sample each, so each is its own check).

    Checks run in order and, for pessimistic verification, stop at the first error; heavy ranks
    proofs by their mean score and runs all N."""
    settings = JudgeSettings(samples=1, meta=recipe.meta,
                             verifier_options=ModelJudgeOptions(max_tokens=max_tokens, timeout_s=timeout_s,
                                                                temperature=recipe.temperature if n > 1 else 0.0))
    out = Verification()
    seen = statement_only(problem)
    for _ in range(n):
        judged = run_judge("dsm_verifier", seen, text, {"verifier": model}, settings)
        out.checks.append(CheckLine.of(judged))
        if judged.failed and stop_at_error:
            break
    return out


def resolve_recipe(flag: str | None, tables: Mapping[str, Any] | None, saved: Mapping[str, Any] | None = None) -> Recipe:
    """The recipe of a new run (flag, qed.toml), or a resumed run's own (its checkpoints follow it)."""
    if saved is None:
        return parse_recipe(flag, tables)
    if not isinstance(saved, Mapping) or not isinstance(saved.get("name"), str):
        raise RecipeError("the run folder's config.json has an unreadable recipe")
    n = saved.get("n", 1)
    text = saved["name"] if saved["name"] == "single" else f"{saved['name']}:{n}"
    table = {k: saved[k] for k in ("temperature", "meta", *HEAVY_DEFAULTS) if k in saved}
    recipe = parse_recipe(text, {saved["name"]: table})
    if flag and parse_recipe(flag, tables).label != recipe.label:
        raise RecipeError(f"this run used --recipe {recipe.label}; resume it with that recipe")
    return recipe


def pooled_usage(kept: dict[str, int], attempts: list[tuple[dict[str, Any], Any]], chosen: int) -> dict[str, int]:
    """The tokens and calls of a recipe's run: the kept attempt's own usage is in its state, the others' add."""
    usage = dict(kept)
    for k, (other, _) in enumerate(attempts):
        if k != chosen:
            for key in usage:
                usage[key] += (other.get("usage") or {}).get(key, 0)
    return usage
