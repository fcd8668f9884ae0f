"""What each session command does to the state: a function of (state, deps, text) -> update.

Each returns the part of the state it changes and one transcript entry (agent/interactive/state.py)
with the verdict and the evidence behind it. They run inside the session graph's `act` node, so
their model calls stream to the screen and their result is a checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from qed.agent.deps import LoopDeps
from qed.agent.graph import NODES
from qed.agent.interactive.claims import check_claim
from qed.agent.nodes.common import call_model, emit
from qed.agent.state import Draft, plain
from qed.models.base import Message
from qed.problems.record import Problem
from qed.verifiers.certificates.check import check_certificate

Update = dict[str, Any]
Handler = Callable[[dict[str, Any], LoopDeps, str], Update]
PROMPTS = Path(__file__).with_name("prompts")


def prompt(name: str, **values: str) -> str:
    return (PROMPTS / f"{name}.txt").read_text(encoding="utf-8").format(**values)


def entry(command: str, text: str, verdict: str | None, output: str, evidence: dict[str, Any] | None = None) -> dict:
    return {"command": command, "input": text, "verdict": verdict, "output": output, "evidence": plain(evidence or {})}


def problem_of(state: dict[str, Any]) -> Problem:
    return Problem.from_dict(dict(state["problem"]))


def certificate_lines(cert: dict[str, Any]) -> list[str]:
    """The checker's own account of a certificate, step by step (re-verified here)."""
    verdict = check_certificate(cert)
    lines = [f"  ok  {s}" for s in verdict.steps]
    lines.append(f"  {verdict.conclusion}" if verdict.valid and verdict.conclusion else f"  {verdict.summary()}")
    return lines


def claim_output(result: dict[str, Any]) -> str:
    lines = [result["summary"]]
    if result.get("counterexample"):
        point = ", ".join(f"{k} = {v}" for k, v in result["counterexample"].items())
        lines.append(f"counterexample: {point}")
    s = result.get("sign")
    if s and s.get("direction") is None and s.get("reason", "").startswith("not needed"):
        lines.append(f"engine sign analysis: {s['reason']}")
    elif s:
        lines.append(f"engine sign analysis: direction {s.get('direction')}, equality {s.get('equality')}"
                     + (f" ({s['reason']})" if s.get("reason") else ""))
    return "\n".join(lines)


def claim(state: dict[str, Any], deps: LoopDeps, text: str) -> Update:
    if not text.strip():
        return {"entries": [entry("claim", text, "unreadable", "usage: /claim <LaTeX inequality>")]}
    emit({"event": "status", "text": "checking: engine (sign, extremum, counterexample, certificate) and numeric judges"})
    result = check_claim(text, state["problem"]["statement"])
    judges = numeric_judges(state, result["statement"])
    result["judges"] = judges
    out = claim_output(result)
    if judges:
        out += "\n" + "\n".join(f"judge {j['judge']}: {j['verdict']} — {j['reason']}" for j in judges)
    return {"entries": [entry("claim", text, result["verdict"], out, result)], "last_claim": text}


def numeric_judges(state: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """The judges that need no model, on the claim as a one-step proof."""
    from qed.verifiers.judges.registry import groups, run_judge

    out = []
    for name in groups()["numeric"]:
        if name == "final_answer":
            continue
        v = run_judge(name, problem_of(state), text, {})
        out.append({"judge": name, "verdict": v.verdict if v.applicable else "not_checked", "reason": v.reason})
    return out


def prove(state: dict[str, Any], deps: LoopDeps, text: str) -> Update:
    """The engine and the certificate search on a claim, the last claim, or the problem itself."""
    from qed.agent.interactive.export import PROBLEM_INPUT

    asked = text.strip()
    target = "" if asked == "problem" else asked or state.get("last_claim") or ""
    kind = state["problem"]["kind"]
    if not target and kind in ("bound", "relation"):
        from qed.agent.interactive.problem_proof import prove_problem

        emit({"event": "status", "text": "engine and certificate search on the problem"})
        result = prove_problem(problem_of(state), deps.engine or _engine())
        lines = [result["summary"]]
    else:
        emit({"event": "status", "text": f"engine and certificate search on {(target or 'the problem')[:80]}"})
        result = check_claim(target or state["problem"]["statement"], state["problem"]["statement"], seconds=30.0)
        lines = [claim_output(result)]
    update: Update = {}
    if result.get("certificate") and result["verdict"] in ("certified", "refuted"):
        lines.append("proof (the checker's steps):" if result["verdict"] == "certified" else "the check:")
        lines.extend(certificate_lines(result["certificate"]))
    update["entries"] = [entry("prove", target or PROBLEM_INPUT, result["verdict"], "\n".join(lines), result)]
    return update


def _engine():
    from qed.verifiers.engine import solve_problem

    return solve_problem


def run(state: dict[str, Any], deps: LoopDeps, text: str) -> Update:
    from qed.verifiers.sandbox import run_python

    if not text.strip():
        return {"entries": [entry("run", text, "error", "usage: /run <python>")]}
    res = run_python(text)
    verdict = "ok" if res.exit_code == 0 and res.limit_hit is None else "error"
    out = (res.stdout.rstrip() + ("\n" + res.stderr.rstrip() if res.stderr.strip() else "")).strip()
    out = out or "(no output)"
    if verdict != "ok":
        out += f"\n[{res.reason}]"
    evidence = {"stdout": res.stdout[-4000:], "stderr": res.stderr[-2000:], "exit_code": res.exit_code,
                "limit_hit": res.limit_hit, "reason": res.reason, "seconds": round(res.duration, 2)}
    return {"entries": [entry("run", text, verdict, out, evidence)]}


def evidence_block(state: dict[str, Any], limit: int = 8) -> str:
    lines = []
    for e in (state.get("entries") or [])[-limit:]:
        if e["verdict"] is not None and e["command"] in ("claim", "prove", "run", "review", "grade", "step"):
            first = e["output"].splitlines()[0] if e["output"] else ""
            lines.append(f"- /{e['command']} {e['input'][:120]} -> {first[:200]}")
    return "\n".join(lines) or "(none yet)"


def say(state: dict[str, Any], deps: LoopDeps, text: str) -> Update:
    """A message to the generator with the problem, the proof so far and the evidence; it streams."""
    messages = [
        Message("system", prompt("session_system")),
        Message("user", prompt("session_user", statement=state["problem"]["statement"],
                               proof=state.get("proof_text") or "(no proof yet)", evidence=evidence_block(state),
                               message=text)),
    ]
    result, usage = call_model(deps, "generator", messages, deps.config.generate_max_tokens)
    reply = result.text.strip()
    note = " (cut off by the token budget)" if result.truncated else ""
    return {"entries": [entry("say", text, None, reply + note, {"truncated": result.truncated})],
            "proof_text": reply, "proof_from": "generator", "usage": usage}


def set_proof(state: dict[str, Any], deps: LoopDeps, text: str) -> Update:
    if not text.strip():
        return {"entries": [entry("proof", "", None, state.get("proof_text") or "(no proof yet)")]}
    return {"entries": [entry("proof", text, None, "the proof is now yours as written")], "proof_text": text.strip(),
            "proof_from": "you"}


def review(state: dict[str, Any], deps: LoopDeps, text: str) -> Update:
    """The loop's hostile referee (agent/nodes/review.py) on the proof as it stands."""
    proof = state.get("proof_text")
    if not proof:
        return {"entries": [entry("review", "", "skipped", "no proof to review yet (say something, /proof TEXT or /step)")]}
    rnd = state.get("round", 1)
    scratch = {"problem": state["problem"], "round": rnd, "recalled": state.get("recalled") or [],
               "drafts": [Draft(round=rnd, text=proof, answer=None, truncated=False)], "checks": [],
               "engine": state.get("engine")}
    update = NODES["review"](scratch, deps=deps)
    check = update["checks"][0]
    return {"entries": [entry("review", "", check["verdict"], f"review: {check['verdict']} — {check['summary']}", check)],
            "usage": update.get("usage") or {}}


def grade(state: dict[str, Any], deps: LoopDeps, text: str) -> Update:
    """The judges (`text`: names or groups as `qed grade --judges` takes them, default all) whose model
    this session has, on the proof as it stands (verifiers/judges/grading.py)."""
    from qed.verifiers.judges.grading import GradeItem
    from qed.verifiers.judges.grading import grade as grade_proof
    from qed.verifiers.judges.registry import judges, parse_judges

    proof = state.get("proof_text")
    if not proof:
        return {"entries": [entry("grade", text, "no_verdict", "no proof to grade yet")]}
    registered = judges()
    try:
        named = parse_judges(text.strip() or "all")
    except ValueError as e:
        return {"entries": [entry("grade", text, "error", str(e))]}
    chosen = [n for n in named if registered[n].role is None or registered[n].role in deps.models]
    item = GradeItem(state["problem"]["id"], "session proof", proof, problem_of(state))
    result = grade_proof(item, chosen, deps.models,
                         on_judge=lambda name, status: emit({"event": "status", "text": f"judge {name}: {status}"}))
    lines = [f"grade: {result.overall}"]
    for name, v in result.judges.items():
        lines.append(f"  {name}: {v.verdict if v.applicable else 'not_checked'} — {v.reason}")
    return {"entries": [entry("grade", text, result.overall, "\n".join(lines), result.to_dict())]}


def remember(state: dict[str, Any], deps: LoopDeps, text: str) -> Update:
    from qed.memory.records import Provenance

    if deps.memory is None:
        return {"entries": [entry("remember", text, "error", "memory is off (started with --no-memory)")]}
    if not text.strip():
        return {"entries": [entry("remember", text, "error", "usage: /remember <text>")]}
    prov = Provenance(run=deps.run_id, model=None, when=datetime.now(UTC).isoformat(), source="user:session",
                      run_dir=deps.run_dir)
    node_id = deps.memory.add("fact", text.strip(), title=text.strip()[:60], problem_id=state["problem"]["id"],
                              provenance=prov)
    return {"entries": [entry("remember", text, "ok", f"remembered as {node_id} (source user:session, run {deps.run_id})",
                              {"id": node_id, "provenance": prov.to_dict()})]}


def recall(state: dict[str, Any], deps: LoopDeps, text: str) -> Update:
    if deps.memory is None:
        return {"entries": [entry("recall", text, "error", "memory is off (started with --no-memory)")]}
    query = text.strip() or state["problem"]["statement"]
    items = deps.memory.recall(query, k=5)
    if not items:
        out = "nothing recalled"
    else:
        out = "\n".join(f"[{it.kind} {it.id}] {it.text}\n    from {it.provenance.describe()}" for it in items)
    return {"entries": [entry("recall", text, "ok", out, {"items": [it.to_dict() for it in items]})]}


def model_switched(state: dict[str, Any], deps: LoopDeps, text: str) -> Update:
    role, _, spec = text.partition(" ")
    roles = dict(state.get("roles") or {})
    roles[role] = spec.strip()
    return {"entries": [entry("model", text, "ok", f"{role} now uses {spec.strip()}")], "roles": roles}


HANDLERS: dict[str, Handler] = {
    "claim": claim, "prove": prove, "run": run, "say": say, "proof": set_proof, "review": review,
    "grade": grade, "remember": remember, "recall": recall, "model": model_switched,
}
