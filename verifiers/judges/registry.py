"""The judges by name: which need a model (and in which role), and one way to run any of them."""

from __future__ import annotations

from dataclasses import dataclass, field

from qed.models.base import ChatModel
from qed.problems.record import Problem
from qed.verifiers.judges import (
    dsm_verifier,
    final_answer_judge,
    logical_gap,
    numeric_approximation,
    numeric_computation,
    toy_case,
)
from qed.verifiers.judges.bounded_check import proof_refusal
from qed.verifiers.judges.model_judge import ModelJudgeOptions
from qed.verifiers.judges.verdict import JudgeVerdict


@dataclass(frozen=True)
class JudgeInfo:
    name: str
    role: str | None  # the model role it calls; None: computation only
    summary: str


JUDGES: dict[str, JudgeInfo] = {
    j.name: j
    for j in (
        JudgeInfo("numeric_computation", None, "recomputes equalities, inequalities and evaluations (sympy)"),
        JudgeInfo("numeric_approximation", None, "decimals used where an exact value is needed"),
        JudgeInfo("final_answer", None, "the answer read from the proof, compared exactly with the known one"),
        JudgeInfo("toy_case", "judge", "a general claim supported only by special cases (model)"),
        JudgeInfo("logical_gap", "judge", "a step that does not follow or lacks justification (model)"),
        JudgeInfo("dsm_verifier", "verifier", "DeepSeekMath-V2 verifier: issues, score 0/0.5/1, meta-check (model)"),
    )
}
GROUPS: dict[str, tuple[str, ...]] = {
    "all": tuple(JUDGES),
    "numeric": ("numeric_computation", "numeric_approximation", "final_answer"),
    "model": ("toy_case", "logical_gap", "dsm_verifier"),
    "stepwise": ("toy_case", "logical_gap", "numeric_approximation", "numeric_computation"),
}


@dataclass
class JudgeSettings:
    samples: int = 1  # k for the DSM verifier
    meta: bool = True
    model_options: ModelJudgeOptions = field(default_factory=ModelJudgeOptions)
    verifier_options: ModelJudgeOptions = field(default_factory=lambda: ModelJudgeOptions(max_tokens=400))
    proof_chars: int = dsm_verifier.DEFAULT_PROOF_CHARS  # how much of a proof the DSM verifier reads

    def with_context(self, chars: int) -> JudgeSettings:
        """Size prompts for a model's context: proof characters per step-judge window and for the verifier."""
        self.model_options.window_chars = chars
        self.proof_chars = chars
        return self


def parse_judges(spec: str | None) -> list[str]:
    """'numeric_computation,toy_case' or a group name ('all', 'numeric', 'model', 'stepwise')."""
    if not spec:
        return list(GROUPS["all"])
    out: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        names = GROUPS.get(part, (part,))
        for name in names:
            if name not in JUDGES:
                known = ", ".join([*JUDGES, *GROUPS])
                raise ValueError(f"unknown judge {name!r}; choose from {known}")
            if name not in out:
                out.append(name)
    if not out:
        raise ValueError("--judges names no judge")
    return out


def roles_needed(judges: list[str]) -> list[str]:
    """The model roles the selected judges call (empty: no model has to be started)."""
    roles: list[str] = []
    for name in judges:
        role = JUDGES[name].role
        if role and role not in roles:
            roles.append(role)
    return roles


def run_judge(name: str, problem: Problem | None, proof: str, models: dict[str, ChatModel],
              settings: JudgeSettings | None = None) -> JudgeVerdict:
    """One judge on one proof; a model judge without its model is a ValueError, not a silent skip."""
    settings = settings or JudgeSettings()
    info = JUDGES.get(name)
    if info is None:
        raise ValueError(f"unknown judge {name!r}")
    if not proof.strip():
        return JudgeVerdict(name, "no_verdict", "the proof is empty")
    refusal = proof_refusal(proof)
    if refusal:  # model judges too: a window per 5,000 characters would be a thousand calls
        return JudgeVerdict(name, "no_verdict", refusal, stats={"refused": refusal})
    if name == "numeric_computation":
        return numeric_computation.check(proof, problem)
    if name == "numeric_approximation":
        return numeric_approximation.check(proof, problem)
    if name == "final_answer":
        return final_answer_judge.check(problem, proof)
    model = models.get(info.role or "")
    if model is None:
        raise ValueError(f"judge {name} needs a model for the {info.role!r} role")
    if name == "toy_case":
        return toy_case.judge(problem, proof, model, settings.model_options)
    if name == "logical_gap":
        return logical_gap.judge(problem, proof, model, settings.model_options)
    return dsm_verifier.verify(problem, proof, model, settings.samples, meta=settings.meta,
                               options=settings.verifier_options, proof_chars=settings.proof_chars)
