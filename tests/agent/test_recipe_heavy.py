"""heavy: a pool of proofs, all checks on each, the best refined with the checks' issues, stop at
the first proof every check passes; a proof that still fails a check is not accepted."""

from __future__ import annotations

import pytest
from qed.agent.recipes import Recipe, RecipeError, parse_recipe, resolve_recipe

from tests.agent.loop_helpers import calls
from tests.agent.test_recipes import CATCHES, FLAWED, PASSES, SOUND, _roles, _solve

REFINE_CUE = "Independent verifiers checked this proof"
HEAVY = Recipe("heavy", 2, 0.7, True, checks=2, rounds=1)


def _flawed_then_refined(tmp_path):
    """The generator writes the flawed proof until a refinement quotes the checks' issues to it. The
    grader lets the flaw through the loop's own review each time, and catches it in some checks:
    attempt 1 scores 1/2 (mean 0.5), attempt 2 scores 0."""
    flawed_grades = [PASSES, PASSES, CATCHES,   # attempt 1: the loop's review, then checks 1 and 2
                     PASSES, CATCHES, CATCHES]  # attempt 2
    return _roles(tmp_path, [FLAWED], [
        {"match": r"careful grader(?s:.*)Without loss of generality", "replies": flawed_grades},
        {"match": "careful grader", "reply": PASSES},
        {"match": REFINE_CUE, "reply": SOUND},
    ])


def test_heavy_refines_the_best_of_the_pool_until_every_check_passes(tmp_path):
    result, run = _solve(tmp_path, _flawed_then_refined(tmp_path), HEAVY)

    assert result["outcome"] == "solved"
    recipe = result["evidence"]["recipe"]
    assert [(a["stage"].split(" ")[0], a.get("score")) for a in recipe["attempts"]] == [
        ("pool", 0.5), ("pool", 0.0), ("refinement", 1.0)]
    assert "of attempt 1" in recipe["attempts"][2]["stage"], "the refinement starts from the best of the pool"
    assert recipe["chosen"] == 3 and "attempt 3 of 3 passed all 2 checks" in result["reason"]
    prompts = [c["messages"] for c in calls(run) if c["node"] == "generate"]
    assert len(prompts) == 3 and REFINE_CUE in prompts[2] and "the case a < b is assumed away" in prompts[2]
    assert REFINE_CUE not in prompts[0] + prompts[1]
    assert result["calls"] == len(calls(run)), "every attempt and check is counted"


def test_heavy_does_not_accept_a_proof_that_still_fails_a_check(tmp_path):
    result, _ = _solve(tmp_path, _flawed_then_refined(tmp_path), Recipe("heavy", 2, 0.7, True, checks=2, rounds=0))
    assert result["outcome"] == "abstained" and result["answer"] is None
    assert result["reason"].startswith("heavy:2: no proof passed every check; the best (attempt 1 of 2) passed 1 of 2")


def test_heavy_stops_at_the_first_proof_every_check_passes(tmp_path):
    spec = _roles(tmp_path, [SOUND], [{"match": "careful grader", "reply": PASSES}])
    result, run = _solve(tmp_path, spec, Recipe("heavy", 4, 0.7, True, checks=3, rounds=2))
    assert result["outcome"] == "solved"
    assert len(result["evidence"]["recipe"]["attempts"]) == 1
    assert [c["node"] for c in calls(run)].count("recipe heavy:4") == 3
    assert [c["node"] for c in calls(run)].count("generate") == 1


def test_heavy_reads_its_pool_checks_and_rounds_and_a_resume_keeps_them():
    tables = {"heavy": {"n": 6, "checks": 8, "rounds": 3}}
    recipe = parse_recipe("heavy", tables)
    assert (recipe.n, recipe.checks, recipe.rounds) == (6, 8, 3)
    assert parse_recipe("heavy:2", tables).n == 2
    assert resolve_recipe(None, None, recipe.to_dict()) == recipe
    with pytest.raises(RecipeError, match="heavy"):
        resolve_recipe("heavy:3", tables, recipe.to_dict())
    for bad in ({"checks": 0}, {"rounds": -1}, {"rounds": True}, {"pool": 3}):
        with pytest.raises(RecipeError):
            parse_recipe("heavy", {"heavy": bad})
    with pytest.raises(RecipeError):
        parse_recipe("pessimistic", {"pessimistic": {"checks": 3}})
