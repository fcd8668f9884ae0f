"""Budgets as written, as counted, and as they end a problem or a run (in one process)."""

from __future__ import annotations

import pytest
from qed.agent.budget import (
    Budget,
    BudgetedModel,
    BudgetError,
    BudgetExhausted,
    Budgets,
    LocalCounter,
    Meter,
    SharedCounter,
    resolve_budgets,
)
from qed.agent.config import LoopConfig
from qed.agent.recipes import RecipeError, parse_recipe, resolve_recipe
from qed.agent.session import RunSession
from qed.agent.solve import SolveOptions, Solver
from qed.models.base import CallOptions, Message
from qed.models.scripted_backend import ScriptedModel
from qed.problems.record import Problem

from tests.agent.loop_helpers import make_solver, roles_script, script

OPEN = [Problem(id=f"q{i}", kind="open", statement=f"What is the smallest prime greater than {i}0?")
        for i in range(1, 4)]
LOOP = LoopConfig(use_engine=False, use_memory=False, max_rounds=1)


def test_a_budget_reads_any_subset_of_its_keys():
    assert Budget.parse("tokens=20000,calls=40,seconds=2.5") == Budget(20000, 2.5, 40)
    assert Budget.parse("calls=3") == Budget(calls=3)
    assert Budget.parse(None).empty


@pytest.mark.parametrize("text", ["tokens", "words=3", "calls=0", "calls=-2", "tokens=1.5", "seconds=inf", "calls=x"])
def test_a_budget_that_cannot_be_meant_is_refused_with_the_flag_named(text):
    with pytest.raises(BudgetError, match="--budget"):
        Budget.parse(text)


def test_flags_override_qed_toml_and_a_resumed_run_keeps_its_own():
    toml = {"problem": {"tokens": 100, "calls": 5}, "run": {"seconds": 60}}
    assert resolve_budgets(toml, "calls=9", None) == Budgets(Budget(100, None, 9), Budget(seconds=60))
    saved = {"problem": {"calls": 2}, "run": {}}
    assert resolve_budgets(toml, None, "calls=50", saved) == Budgets(Budget(calls=2), Budget(calls=50))
    with pytest.raises(BudgetError, match=r"qed.toml \[budget\]"):
        resolve_budgets({"problme": {}}, None, None)


def test_the_meter_refuses_the_call_that_would_start_over_budget(tmp_path):
    model = ScriptedModel(script(tmp_path, "m", [{"reply": "one two three"}]))
    meter = Meter(Budgets(Budget(calls=2)))
    budgeted = BudgetedModel(model, meter)
    for _ in range(2):
        budgeted.chat([Message("user", "hi")])
    with pytest.raises(BudgetExhausted, match="2 of 2 model calls per problem used"):
        budgeted.chat([Message("user", "hi")])
    assert len(model.calls) == 2, "the refused call never reached the model"
    meter.start("next")
    budgeted.chat([Message("user", "hi")])  # a new problem starts with its own budget


def test_a_reply_is_never_allowed_more_tokens_than_are_left(tmp_path):
    seen = []

    class Recording(ScriptedModel):
        def chat(self, messages, options=None, on_token=None):
            seen.append(options.max_tokens)
            return super().chat(messages, options, on_token)

    model = Recording(script(tmp_path, "m", [{"reply": "a b c d e"}]))
    meter = Meter(Budgets(Budget(tokens=12)))
    BudgetedModel(model, meter).chat([Message("user", "one two")], CallOptions(max_tokens=500))
    assert seen == [12] and meter.tokens == 7
    BudgetedModel(model, meter).chat([Message("user", "x")], CallOptions(max_tokens=500))
    assert seen[-1] == 5


def test_the_runs_counter_is_shared_by_every_problem():
    counter = LocalCounter(tokens=90, calls=0)  # what earlier results of the run spent
    meter = Meter(Budgets(run=Budget(tokens=100)), counter)
    meter.check()
    counter.add(10, 1)
    with pytest.raises(BudgetExhausted, match="100 of 100 tokens for the run used") as e:
        meter.check()
    assert e.value.to_dict()["scope"] == "run"


def test_the_last_call_of_a_run_goes_to_one_worker_only():
    """Two workers that check at once with one call left: one starts it, the other is refused."""
    import multiprocessing as mp

    for counter in (LocalCounter(calls=6), SharedCounter.create(mp.get_context("fork"), calls=6)):
        first, second = (Meter(Budgets(run=Budget(calls=7)), counter) for _ in range(2))
        first.check()
        with pytest.raises(BudgetExhausted, match="7 of 7 model calls for the run used"):
            second.check()
        assert counter.read()[1] == 7


def _solver(tmp_path, budgets: Budgets):
    spec = roles_script(tmp_path, ["Checking primes in order.\nThe answer is 11."], ["VERDICT: PASS"],
                        ["VERDICT: ACCEPT"])
    solver, run = make_solver(tmp_path, spec, LOOP)
    solver.close()
    return Solver(solver.config, RunSession(run, solver.config.roles), SolveOptions(budgets=budgets)), run


def test_a_problem_out_of_tokens_abstains_and_the_next_one_starts_afresh(tmp_path):
    solver, run = _solver(tmp_path, Budgets(Budget(tokens=150)))
    try:
        results = solver.solve_all(OPEN)
    finally:
        solver.close()
    assert len(results) == 3 and [r["problem_id"] for r in run.results()] == ["q1", "q2", "q3"]
    for r in results:
        assert r["outcome"] == "abstained" and r["error"] is None
        assert r["reason"].startswith("budget exhausted: ") and "tokens per problem used" in r["reason"]
        assert r["budget"]["exhausted"] == "tokens" and r["budget"]["scope"] == "problem"
    assert solver.stopped is None


def test_a_run_out_of_calls_stops_and_does_not_record_the_problem_it_cut(tmp_path):
    solver, run = _solver(tmp_path, Budgets(run=Budget(calls=6)))  # a problem takes 4 calls
    try:
        results = solver.solve_all(OPEN)
    finally:
        solver.close()
    assert [r["problem_id"] for r in results] == ["q1"] == [r["problem_id"] for r in run.results()]
    assert results[0]["outcome"] == "solved"
    assert solver.stopped == "budget exhausted: 6 of 6 model calls for the run used"


def test_a_resumed_run_keeps_its_recipe():
    saved = parse_recipe("pessimistic:8").to_dict()
    assert resolve_recipe(None, None, saved).label == "pessimistic:8"
    assert resolve_recipe("pessimistic:8", None, saved).label == "pessimistic:8"
    with pytest.raises(RecipeError, match="this run used --recipe pessimistic:8"):
        resolve_recipe("best-of:2", None, saved)


def test_a_call_may_not_outlast_the_problems_seconds(tmp_path):
    seen = []

    class Recording(ScriptedModel):
        def chat(self, messages, options=None, on_token=None):
            seen.append((options.deadline_s, options.timeout_s))
            return super().chat(messages, options, on_token)

    model = Recording(script(tmp_path, "m", [{"reply": "ok"}]))
    BudgetedModel(model, Meter(Budgets(Budget(seconds=30)))).chat([Message("user", "x")], CallOptions(timeout_s=300))
    BudgetedModel(model, Meter(Budgets())).chat([Message("user", "x")], CallOptions(timeout_s=300))
    (deadline, timeout), unlimited = seen
    assert 29 <= deadline <= 30 and 29 <= timeout <= 30
    assert unlimited == (None, 300)
