"""Let computation decide what it can: the answer's form, the inequality engine, the draft's code.

Every finding is a Check with its evidence; the engine's result is kept in the state so that
refine rounds compare new drafts against it without recomputing.
"""

from __future__ import annotations

import re
from typing import Any

from qed.agent.answers import ANSWER_KINDS
from qed.agent.deps import LoopDeps
from qed.agent.nodes.common import call_model, emit, node
from qed.agent.prompts import render
from qed.agent.state import Check, LoopState, Verdict, latest_draft, plain
from qed.models.base import Message
from qed.problems.record import Problem
from qed.verifiers.final_answer import is_correct, is_decimal_approximation, latex_to_sympy
from qed.verifiers.sandbox import extract_code_blocks, run_checks


def _form_check(kind: str, answer: str | None) -> tuple[Verdict, str]:
    if answer is None:
        return "fail", "the draft states no final answer"
    if kind == "bound":
        if is_decimal_approximation(answer):
            return "fail", f"C = {answer} is a decimal approximation; an exact value is required"
        if latex_to_sympy(answer) is None:
            return "unknown", f"could not read C = {answer} as a closed-form value"
        return "pass", f"C = {answer} is an exact closed form"
    if kind == "relation":
        return ("pass", f"option ({answer})") if answer in "ABCDEF" else ("fail", f"{answer!r} is not an option")
    return "pass", "an answer is stated"


def run_engine(problem: dict[str, Any], deps: LoopDeps) -> dict[str, Any] | None:
    """The engine's verdict on the problem, as plain data; None when there is no engine for it."""
    if deps.engine is None or not deps.config.use_engine or problem["kind"] not in ("bound", "relation"):
        return None
    emit({"event": "status", "text": "inequality engine: formalize → search → certify"})
    formalizer = deps.models.get("formalizer") if deps.config.engine_model_fallback else None
    result = deps.engine(Problem.from_dict(problem), model=formalizer)
    return plain(result.to_dict())


def _engine_check(kind: str, answer: str | None, engine: dict[str, Any]) -> tuple[Verdict, str]:
    if engine.get("status") != "answered":
        return "unknown", f"engine abstained: {engine.get('reason') or 'no trusted answer'}"
    strength = "certified" if engine.get("certified") else "numerical, uncertified"
    theirs = engine["answer"]
    if answer is None:
        return "fail", f"the engine finds {_show(kind, theirs)} ({strength}); the draft gives none"
    gold = f"({theirs})" if kind == "relation" else theirs
    if is_correct(kind, answer if kind == "bound" else f"({answer})", gold):
        return "pass", f"the engine agrees: {_show(kind, theirs)} ({strength})"
    return "fail", f"the engine finds {_show(kind, theirs)} ({strength}), not {_show(kind, answer)}"


def _show(kind: str, answer: str) -> str:
    return f"({answer})" if kind == "relation" else f"C = {answer}"


def _code_checks(state: LoopState, draft: dict[str, Any], deps: LoopDeps, engine_answered: bool
                 ) -> tuple[list[tuple[Verdict, str]], dict[str, Any], dict[str, int]]:
    """Run the draft's own code, or else code the verifier model writes to test the draft."""
    if not deps.config.use_sandbox:
        return [], {}, {}
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
        return [], {}, usage
    emit({"event": "status", "text": f"sandbox: {result.reason}"})
    evidence = {"origin": origin, "code": "\n".join(extract_code_blocks(reply)), "result": result.for_model(2000),
                "ok": result.ok, "limit_hit": result.limit_hit}
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
    evidence: dict[str, Any] = {}
    if kind in ANSWER_KINDS:
        findings.append(_form_check(kind, draft["answer"]))
    engine = state.get("engine")
    if engine is None and "engine" not in state:
        engine = run_engine(problem, deps)
        update["engine"] = engine
    if engine is not None:
        findings.append(_engine_check(kind, draft["answer"], engine))
        evidence["engine"] = engine
    answered = engine is not None and engine.get("status") == "answered"
    code_findings, code_evidence, usage = _code_checks(state, draft, deps, answered)
    findings += code_findings
    if code_evidence:
        evidence["sandbox"] = code_evidence
    if usage:
        update["usage"] = usage
    verdict: Verdict = "unknown"  # a well-formed answer alone is not evidence that it is right
    if any(v == "fail" for v, _ in findings):
        verdict = "fail"
    elif engine is not None and engine.get("status") == "answered":
        verdict = "pass"  # the engine answered and no finding contradicts the draft
    summary = "; ".join(s for _, s in findings) or "nothing to compute for this kind of problem"
    update["checks"] = [Check(round=draft["round"], stage="execute", verdict=verdict, summary=summary, evidence=evidence)]
    return update
