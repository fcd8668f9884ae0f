"""The one contract every judge keeps: what it is called with, and what its verdict must mean.

A judge is a module of this package that exports `JUDGE = Judge(...)`: its name, the model role
it calls (None: computation only), a one-line summary, whether it judges step by step, and one
function `check(problem, proof, context) -> JudgeVerdict`. The registry finds every such module;
nothing else has to be told about a new judge.

`Judge.run` is the only way a judge is called (by `qed grade`, `qed judges calibrate` and the
loop). It refuses what no judge should read (an empty or oversized proof), hands a model judge
its model or says which one is missing, and holds every verdict to the contract:
- a judge that does not apply (`applicable=False`) is `not_checked` and decides nothing;
- a `pass` needs positive evidence: a `coverage` with at least one place checked. A pass that
  checked nothing becomes `not_checked`, with what was read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from qed.models.base import ChatModel
from qed.problems.record import Problem
from qed.verifiers.judges.bounded_check import proof_refusal
from qed.verifiers.judges.model_judge import DEFAULT_PROOF_CHARS, ModelJudgeOptions
from qed.verifiers.judges.verdict import JudgeVerdict


@dataclass
class JudgeSettings:
    """Options for the model judges; the computation judges need none."""

    samples: int = 1  # k for the DSM verifier
    meta: bool = True
    model_options: ModelJudgeOptions = field(default_factory=ModelJudgeOptions)
    verifier_options: ModelJudgeOptions = field(default_factory=lambda: ModelJudgeOptions(max_tokens=400))
    proof_chars: int = DEFAULT_PROOF_CHARS  # how much of a proof the DSM verifier reads

    def with_context(self, chars: int) -> JudgeSettings:
        """Size prompts for a model's context: proof characters per step-judge window and for the verifier."""
        self.model_options.window_chars = chars
        self.proof_chars = chars
        return self


@dataclass
class JudgeContext:
    """What a judge may use besides the proof: models by the role they play, and settings."""

    models: Mapping[str, ChatModel] = field(default_factory=dict)
    settings: JudgeSettings = field(default_factory=JudgeSettings)

    def model(self, role: str) -> ChatModel:
        model = self.models.get(role)
        if model is None:
            raise ValueError(f"no model for the {role!r} role")
        return model


CheckFn = Callable[[Problem | None, str, JudgeContext], JudgeVerdict]


@dataclass(frozen=True)
class Judge:
    name: str
    role: str | None  # the model role it calls; None: computation only
    summary: str
    check: CheckFn = field(repr=False)
    stepwise: bool = False  # names the offending step (IneqMath's step-wise taxonomy)

    @property
    def needs_model(self) -> bool:
        return self.role is not None

    def run(self, problem: Problem | None, proof: str, context: JudgeContext | None = None) -> JudgeVerdict:
        """The judge on one proof, its verdict held to the contract; a model judge without its model is
        a ValueError, not a silent skip."""
        context = context or JudgeContext()
        if self.role is not None and context.models.get(self.role) is None:
            raise ValueError(f"judge {self.name} needs a model for the {self.role!r} role")
        if not proof.strip():
            return JudgeVerdict(self.name, "no_verdict", "the proof is empty")
        refusal = proof_refusal(proof)
        if refusal:  # model judges too: a window per 5,000 characters would be a thousand calls
            return JudgeVerdict(self.name, "no_verdict", refusal, stats={"refused": refusal})
        return settle(replace(self.check(problem, proof, context), judge=self.name))


def settle(v: JudgeVerdict) -> JudgeVerdict:
    """A verdict as the contract reads it: no pass without something checked, nothing decided by a
    judge that does not apply."""
    if not v.applicable:
        if v.verdict != "not_checked":
            v.verdict = "not_checked"
        return v
    if v.verdict == "pass" and (v.coverage is None or v.coverage.checked == 0):
        read = v.coverage.text() if v.coverage is not None else "the judge reports nothing it checked"
        v.verdict = "not_checked"
        v.reason = f"not checked ({read})"
    return v


def statement_only(problem: Problem) -> Problem:
    """The problem as the loop's judges see it: the statement and its kind, no known answer or reference
    solution (a judge in the loop must not grade a draft against the answer key)."""
    return replace(problem, answer=None, solution=None, proofs=[])
