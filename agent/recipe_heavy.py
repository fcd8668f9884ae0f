"""DeepSeekMath-V2's heavy setting as a recipe over QED's loop: a pool, many checks, refinement.

    heavy:N   N loop attempts form the pool; each solved attempt's proof gets `checks`
              independent DSM-verifier checks and is ranked by their mean score; while no proof
              passes every check, the best one is refined (a new loop attempt whose prompt carries
              the checks' issues and the proof they were found in) for up to `rounds` rounds.

It stops at the first proof that passes every check. A proof that still fails a check when the
pool and the rounds are spent is not accepted: the problem is abstained on, with the best score
in the reason (QED prefers an honest abstention to a proof its own verifier rejects). An answer
computation certified needs no model check and ends the search at once. Every attempt and check is
a model call through the problem's budget and the call log, like the loop's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qed.agent.answers import shown
from qed.agent.budget import BudgetExhausted
from qed.agent.nodes.common import Metered
from qed.agent.recipes import Recipe, Verification, pooled_usage, verify
from qed.agent.state import LoopState
from qed.models.calllog import calls_for
from qed.problems.record import Problem

if TYPE_CHECKING:
    from qed.agent.solve import Solver

DRAFT_CHARS = 4000  # how much of the proof being refined its feedback quotes


def _certified(state: LoopState) -> bool:
    engine = state.get("engine")
    return bool(engine and engine.get("certified") and state.get("answer") == state.get("engine_answer"))


def _checks(solver: Solver, problem: Problem, state: LoopState, recipe: Recipe, meter: Metered) -> Verification | None:
    """All `checks` verifications of the state's last draft (None: out of budget)."""
    cfg = solver.config.loop
    text = (state.get("drafts") or [{}])[-1].get("text") or ""
    try:
        with calls_for(problem_id=problem.id, node=f"recipe {recipe.label}"):
            return verify(problem, text, meter, recipe.checks, recipe, cfg.review_max_tokens, cfg.call_timeout_s,
                          stop_at_error=False)
    except BudgetExhausted:
        return None


def feedback_for(state: LoopState, checked: Verification) -> str:
    """What the refinement must address: the issues the checks found, in the proof they found them in."""
    issues = checked.issues() or [f"no check could confirm it (mean score {checked.mean_score:.2f})"]
    draft = ((state.get("drafts") or [{}])[-1].get("text") or "")[:DRAFT_CHARS]
    listed = "\n".join(f"- {issue}" for issue in issues)
    return (f"Independent verifiers checked this proof ({checked.passed} of {len(checked.checks)} passed it):\n"
            f"{listed}\n\nThe proof they checked:\n{draft}")


def run_heavy(solver: Solver, problem: Problem, recipe: Recipe, start: float) -> dict[str, Any]:
    meter = Metered(solver.metered_models()["reviewer"])  # the verifier's calls, for the result
    attempts: list[tuple[LoopState, str | None]] = []
    lines: list[dict[str, Any]] = []
    best: tuple[float, int, Verification] | None = None
    certified: int | None = None

    def attempt(label: str, thread: str, temperature: float | None, feedback: str | None) -> bool:
        """One loop attempt and its checks; True when the search can stop."""
        nonlocal best, certified
        solver.on_event({"event": "status", "text": f"{recipe.label}: {label}"})
        state, error = solver._attempt(problem, thread, temperature, feedback=feedback)
        attempts.append((state, error))
        k = len(attempts) - 1
        line: dict[str, Any] = {"attempt": k + 1, "stage": label, "outcome": "error" if error else state.get("outcome"),
                                "answer": shown(problem.kind, state.get("answer"))}
        lines.append(line)
        if error is not None or state.get("outcome") != "solved":
            return False
        if _certified(state):
            certified = k
            line["checks"] = "skipped: the answer is certified by computation"
            return True
        checked = _checks(solver, problem, state, recipe, meter)
        if checked is None:
            line["checks"] = "not run: out of budget"
            return True
        line.update(score=round(checked.mean_score, 4), passed=checked.passed, of=len(checked.checks))
        if best is None or checked.mean_score > best[0]:
            best = (checked.mean_score, k, checked)
        return checked.complete

    done = False
    for k in range(recipe.n):
        if solver.meter.exhausted is not None:
            break
        thread = problem.id if k == 0 else f"{problem.id}#pool{k + 1}"
        if attempt(f"pool attempt {k + 1} of {recipe.n}", thread, None if k == 0 else recipe.temperature, None):
            done = True
            break
    for r in range(recipe.rounds):
        if done or best is None or solver.meter.exhausted is not None:
            break
        state, _ = attempts[best[1]]
        done = attempt(f"refinement {r + 1} of {recipe.rounds} of attempt {best[1] + 1}", f"{problem.id}#refine{r + 1}",
                       recipe.temperature, feedback_for(state, best[2]))

    chosen = certified if certified is not None else (best[1] if best is not None else 0)
    state, error = attempts[chosen] if attempts else ({}, None)
    if certified is not None:
        state = {**state, "reason": f"{state.get('reason')}; {recipe.label}: certified by computation, no check needed"}
    elif best is not None and best[2].complete:
        state = {**state, "reason": f"{state.get('reason')}; {recipe.label}: attempt {chosen + 1} of {len(attempts)} "
                                    f"passed all {len(best[2].checks)} checks"}
    elif best is not None:
        state = {**state, "outcome": "abstained", "answer": None,
                 "reason": f"{recipe.label}: no proof passed every check; the best (attempt {chosen + 1} of "
                           f"{len(attempts)}) passed {best[2].passed} of {len(best[2].checks)}, mean score "
                           f"{best[0]:.2f}" + (f": {best[2].issues(1)[0]}" if best[2].issues(1) else "")}
    elif attempts and error is None and state.get("outcome") == "solved":
        state = {**state, "outcome": "abstained", "answer": None,
                 "reason": f"{recipe.label}: out of budget before its proof could be checked"}
    elif attempts and error is None and state.get("outcome") is not None:
        state = {**state, "reason": f"{state.get('reason')}; {recipe.label}: no attempt of {len(attempts)} was solved"}
    usage = pooled_usage(meter.usage, attempts, chosen)
    return solver._finish(problem, state, start, error,
                          {"usage": usage, "recipe": {"name": recipe.label, "checks": recipe.checks,
                                                      "rounds": recipe.rounds, "attempts": lines,
                                                      "chosen": chosen + 1 if attempts else None}})
