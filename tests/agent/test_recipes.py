"""Recipes change outcomes the way they claim: more checks reject more flaws, more attempts find more."""

from __future__ import annotations

import pytest
from qed.agent.config import LoopConfig
from qed.agent.recipes import Recipe, RecipeError, parse_recipe

from tests.agent.loop_helpers import CHECK_OK, calls, make_solver, script
from tests.agent.test_loop_scripted import PROOF

# A planted flaw no computation can see: the case a < b is never handled.
FLAWED = ("Without loss of generality $a \\geq b$, and then $a^2 + b^2 - 2ab$ is a square of a "
          "non-negative number, so $a^2+b^2 \\geq 2ab$.\nQED")
SOUND = "We have $a^2 + b^2 - 2ab = (a-b)^2 \\geq 0$, so $a^2+b^2 \\geq 2ab$.\nQED"
PASSES = "SCORE: \\boxed{1}\nISSUES: none"
CATCHES = "SCORE: \\boxed{0}\nISSUES:\n1. [step 1] the case a < b is assumed away without a symmetry argument"
META_REAL = "ISSUE 1: REAL - the proof never treats a < b\nRATING: \\boxed{1}"
LOOP = LoopConfig(use_engine=False, use_memory=False, max_rounds=1, model_checks=False)


def _roles(tmp_path, generator: list[str], grades: list[dict]) -> object:
    return script(tmp_path, "roles", [
        {"match": "check your own", "reply": "VERDICT: PASS"},
        {"match": "by computation", "reply": CHECK_OK},
        *grades,
        {"match": "check another grader", "reply": META_REAL},
        {"match": "careful research mathematician", "replies": generator},
    ])


def _one_catch_in_eight(tmp_path):
    """The grader sees the flaw in the flawed proof on one look of eight (the last)."""
    return _roles(tmp_path, [FLAWED], [
        {"match": r"careful grader(?s:.*)Without loss of generality", "replies": [PASSES] * 8 + [CATCHES, PASSES]},
    ])


def _solve(tmp_path, spec, recipe: Recipe):
    solver, run = make_solver(tmp_path, spec, LOOP)
    solver.options.recipe = recipe
    try:
        [result] = solver.solve_all([PROOF])
    finally:
        solver.close()
    return result, run


def test_a_flaw_one_check_in_eight_catches_is_accepted_by_one_check(tmp_path):
    result, _ = _solve(tmp_path, _one_catch_in_eight(tmp_path), parse_recipe("single"))
    assert result["outcome"] == "solved"
    assert "recipe" not in result["evidence"]


def test_pessimistic_8_rejects_the_flaw_one_check_in_eight_catches(tmp_path):
    result, run = _solve(tmp_path, _one_catch_in_eight(tmp_path), parse_recipe("pessimistic:8"))
    assert result["outcome"] == "abstained" and result["answer"] is None
    recipe = result["evidence"]["recipe"]
    assert recipe["name"] == "pessimistic:8"
    assert recipe["rejected_by"] == 8 and recipe["passed"] == 7
    assert result["reason"].startswith("pessimistic:8: check 8 of 8 found an error")
    logged = [c["node"] for c in calls(run)]
    assert logged.count("recipe pessimistic:8") == 9, "eight checks and one meta-check, each in the call log"
    assert result["calls"] == len(logged), "the recipe's calls count in the result"


def test_pessimistic_4_is_not_enough_for_that_flaw(tmp_path):
    result, _ = _solve(tmp_path, _one_catch_in_eight(tmp_path), parse_recipe("pessimistic:4"))
    assert result["outcome"] == "solved"
    assert result["evidence"]["recipe"]["passed"] == 4
    assert "4 of 4 check(s) passed" in result["reason"]


def test_pessimistic_accepts_a_sound_proof_every_check_passes(tmp_path):
    spec = _roles(tmp_path, [SOUND], [{"match": "careful grader", "reply": PASSES}])
    result, _ = _solve(tmp_path, spec, parse_recipe("pessimistic:8"))
    assert result["outcome"] == "solved" and result["evidence"]["recipe"]["accepted"] is True


def test_checks_without_a_verdict_do_not_accept(tmp_path):
    spec = _roles(tmp_path, [SOUND], [{"match": "careful grader", "replies": [PASSES, "I am not sure."]}])
    result, _ = _solve(tmp_path, spec, parse_recipe("pessimistic:3"))
    assert result["outcome"] == "abstained"
    assert "none of 3 check(s) could verify" in result["reason"]


def test_best_of_keeps_the_attempt_the_verifier_scores_highest(tmp_path):
    spec = _roles(tmp_path, [FLAWED, SOUND], [
        {"match": r"careful grader(?s:.*)Without loss of generality", "reply": CATCHES},
        {"match": "careful grader", "reply": PASSES},
    ])
    single, _ = _solve(tmp_path, spec, parse_recipe("single"))
    assert single["outcome"] == "abstained", "one attempt: the flawed proof, rejected by the referee"

    result, _ = _solve(tmp_path, spec, parse_recipe("best-of:2"))
    assert result["outcome"] == "solved"
    recipe = result["evidence"]["recipe"]
    assert [a["outcome"] for a in recipe["attempts"]] == ["abstained", "solved"]
    assert recipe["chosen"] == 2
    assert "attempt 2 of 2 kept" in result["reason"]


@pytest.mark.parametrize(("text", "expected"), [
    ("single", Recipe("single", 1)),
    ("pessimistic", Recipe("pessimistic", 8)),
    ("pessimistic:3", Recipe("pessimistic", 3)),
    ("best-of:5", Recipe("best-of", 5)),
])
def test_recipes_read_from_the_flag(text, expected):
    assert parse_recipe(text) == expected


def test_qed_toml_sets_a_recipes_parameters_and_the_flag_overrides_n():
    tables = {"pessimistic": {"n": 16, "temperature": 1.0}}
    assert parse_recipe("pessimistic", tables) == Recipe("pessimistic", 16, 1.0)
    assert parse_recipe("pessimistic:2", tables).n == 2


@pytest.mark.parametrize("text", ["heavy:0", "mega", "pessimistic:0", "pessimistic:x", "best-of:1000", "single:3"])
def test_bad_recipes_are_refused(text):
    with pytest.raises(RecipeError):
        parse_recipe(text)
