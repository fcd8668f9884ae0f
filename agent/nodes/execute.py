"""Let computation decide what it can: the answer's form, the inequality engine, the draft's code.

Every finding is a Check with its evidence. The engine's result is kept once in the state (its
answer parsed once, when it arrives) so that refine rounds compare new drafts against it without
recomputing; a check records that it weighed the engine (`uses_engine`), not a copy of it.
"""

from __future__ import annotations

import re
from typing import Any

from qed.agent.answers import ANSWER_KINDS, engine_answer, same_answer
from qed.agent.deps import LoopDeps
from qed.agent.nodes.common import call_model, emit, node
from qed.agent.prompts import render
from qed.agent.state import (
    Answer,
    Check,
    Draft,
    EngineResult,
    ExecuteEvidence,
    LoopState,
    ProblemRecord,
    SandboxEvidence,
    Verdict,
    latest_draft,
    plain,
)
from qed.models.base import Message
from qed.problems.record import Problem
from qed.verifiers.sandbox import extract_code_blocks, run_checks


def _form_check(kind: str, answer: Answer | None) -> tuple[Verdict, str]:
    if answer is None:
        return "fail", "the draft states no final answer"
    text = answer["text"]
    if kind == "bound":
        if answer["decimal"]:
            return "fail", f"C = {text} is a decimal approximation; an exact value is required"
        if answer["exact"] is None:
            return "unknown", f"could not read C = {text} as a closed-form value"
        return "pass", f"C = {text} is an exact closed form"
    if kind == "relation":
        return ("pass", f"option ({text})") if answer["exact"] is not None else ("fail", f"{text!r} is not an option")
    return "pass", "an answer is stated"


def run_engine(problem: ProblemRecord, deps: LoopDeps) -> EngineResult | None:
    """The engine's verdict on the problem, as plain data; None when there is no engine for it."""
    if deps.engine is None or not deps.config.use_engine or problem["kind"] not in ("bound", "relation"):
        return None
    emit({"event": "status", "text": "inequality engine: formalize → search → certify"})
    formalizer = deps.models.get("formalizer") if deps.config.engine_model_fallback else None
    result = deps.engine(Problem.from_dict(dict(problem)), model=formalizer)
    return plain(result.to_dict())


def _engine_check(kind: str, answer: Answer | None, engine: EngineResult, theirs: Answer | None
                  ) -> tuple[Verdict, str]:
    if engine["status"] != "answered" or theirs is None:
        return "unknown", f"engine abstained: {engine.get('reason') or 'no trusted answer'}"
    strength = "certified" if engine["certified"] else "numerical, uncertified"
    if answer is None:
        return "fail", f"the engine finds {_show(kind, theirs['text'])} ({strength}); the draft gives none"
    if same_answer(kind, answer, theirs):
        return "pass", f"the engine agrees: {_show(kind, theirs['text'])} ({strength})"
    return "fail", f"the engine finds {_show(kind, theirs['text'])} ({strength}), not {_show(kind, answer['text'])}"


def _show(kind: str, answer: str) -> str:
    return f"({answer})" if kind == "relation" else f"C = {answer}"


def _code_checks(state: LoopState, draft: Draft, deps: LoopDeps, engine_answered: bool
                 ) -> tuple[list[tuple[Verdict, str]], SandboxEvidence | None, dict[str, int]]:
    """Run the draft's own code, or else code the verifier model writes to test the draft."""
    if not deps.config.use_sandbox:
        return [], None, {}
    usage: dict[str, int] = {}
    origin, reply = "draft", draft["text"]
    result = run_checks(reply)
    if result is None and deps.config.model_checks and not engine_answered:
        emit({"event": "status", "text": "asking the verifier for a computational check"})
        messages = [
            Message("system", render("check_code_system")),
            Message("user", render("check_code_user", statement=state["problem"]["statement"], draft=draft["text"])),
        ]
        completion, usage = call_model(deps, "verifier", messages, deps.config.check_code_max_tokens)
        origin, reply = "verifier", completion.text
        result = run_checks(reply)
    if result is None:
        return [], None, usage
    emit({"event": "status", "text": f"sandbox: {result.reason}"})
    evidence = SandboxEvidence(origin=origin, code="\n".join(extract_code_blocks(reply)),
                               result=result.for_model(2000), ok=result.ok, limit_hit=result.limit_hit)
    failed = re.findall(r"CHECK\s+(.+?):\s*FAIL\b(.*)", result.stdout)
    passed = re.findall(r"CHECK\s+(.+?):\s*OK\b", result.stdout)
    if failed:
        what = "; ".join(f"{claim.strip()}{':' + why.strip() if why.strip() else ''}" for claim, why in failed[:3])
        return [("fail", f"computation contradicts the draft ({origin}'s code): {what}")], evidence, usage
    if not result.ok:
        verdict: Verdict = "fail" if origin == "draft" else "unknown"
        return [(verdict, f"{origin}'s code did not run cleanly: {result.reason}")], evidence, usage
    note = f"{len(passed)} computational check(s) passed" if passed else "the code ran without reporting checks"
    return [("unknown", f"{note} ({origin}'s code)")], evidence, usage


@node("execute")
def execute(state: LoopState, deps: LoopDeps) -> dict[str, Any]:
    problem = state["problem"]
    draft = latest_draft(state)
    assert draft is not None, "execute runs after generate"
    kind = problem["kind"]
    update: dict[str, Any] = {}
    findings: list[tuple[Verdict, str]] = []
    evidence = ExecuteEvidence()
    if kind in ANSWER_KINDS:
        findings.append(_form_check(kind, draft["answer"]))
    engine, theirs = state.get("engine"), state.get("engine_answer")
    if engine is None and "engine" not in state:
        engine = run_engine(problem, deps)
        theirs = engine_answer(engine)
        update["engine"], update["engine_answer"] = engine, theirs
    if engine is not None:
        findings.append(_engine_check(kind, draft["answer"], engine, theirs))
        evidence["uses_engine"] = True
    answered = engine is not None and engine["status"] == "answered"
    code_findings, sandbox, usage = _code_checks(state, draft, deps, answered)
    findings += code_findings
    if sandbox is not None:
        evidence["sandbox"] = sandbox
    if usage:
        update["usage"] = usage
    verdict: Verdict = "unknown"  # a well-formed answer alone is not evidence that it is right
    if any(v == "fail" for v, _ in findings):
        verdict = "fail"
    elif answered:
        verdict = "pass"  # the engine answered and no finding contradicts the draft
    summary = "; ".join(s for _, s in findings) or "nothing to compute for this kind of problem"
    update["checks"] = [Check(round=draft["round"], stage="execute", verdict=verdict, summary=summary, evidence=evidence)]
    return update
