"""Where an accepted answer came from: engine, model or person, and what vouches for it."""

from __future__ import annotations

from qed.agent.nodes.decide import apply_choice
from qed.agent.provenance import of_result, of_state
from qed.agent.summary import render_summary

CERTIFIED = {"status": "answered", "certified": True, "evidence": {
    "certificate": {"verdict": "proved", "solver": "z3", "confirmed_by": ["cvc5"]}}}
NUMERICAL = {"status": "answered", "certified": False, "evidence": {"certificate": {"verdict": "unknown"}}}


def _result(outcome="solved", reason="", checks=(), engine=None, drafts=1):
    return {"problem_id": "p", "kind": "bound", "outcome": outcome, "answer": "$$C = 2$$", "correct": True,
            "reason": reason, "rounds": drafts, "drafts": [{"round": i + 1} for i in range(drafts)],
            "evidence": {"checks": list(checks), **({"engine": engine} if engine else {})}}


def test_the_engine_alone_names_the_solvers_that_certified_it():
    found = of_result(_result(reason="certified", engine=CERTIFIED, drafts=0))
    assert found.line() == "answer from engine (certified by z3, cvc5)" and found.verified


def test_an_uncertified_engine_answer_says_so():
    found = of_result(_result(reason="numerical evidence", engine=NUMERICAL, drafts=0))
    assert found.line() == "answer from engine (numerical, not certified)" and not found.verified


def test_a_numerical_answer_the_compute_stage_proved_names_the_re_verified_certificate():
    line = {**_result(reason="computed first", engine=NUMERICAL, drafts=0),
            "proof": {"status": "proved", "method": "ordered", "verified": True, "judged": True, "path": "p/proof.md"}}
    found = of_result(line)
    assert found.line() == "answer from engine (proved by an ordered certificate, re-verified)" and found.verified
    state = {"outcome": "solved", "reason": "computed first", "engine": NUMERICAL, "drafts": [],
             "proof": {"status": "proved", "method": "sos", "verified": True, "emitted": True}}
    assert of_state(state).line() == "answer from engine (proved by a sos certificate, re-verified)"


def test_a_proof_the_judges_refused_or_a_certificate_that_failed_is_not_evidence():
    for proof in ({"status": "proved", "method": "sos", "verified": True, "judged": False},
                  {"status": "none", "method": "sos", "verified": False, "judged": False},
                  {"status": "proved", "method": "sos", "verified": False, "emitted": True}):
        found = of_result({**_result(reason="numerical evidence", engine=NUMERICAL, drafts=0), "proof": proof})
        assert found.line() == "answer from engine (numerical, not certified)" and not found.verified


def test_a_draft_confirmed_by_the_engine_and_the_referee_is_the_models():
    checks = [{"round": 1, "stage": "review", "verdict": "fail", "summary": "gap"},
              {"round": 2, "stage": "execute", "verdict": "pass", "summary": "the engine agrees"},
              {"round": 2, "stage": "review", "verdict": "pass", "summary": "fine"}]
    found = of_result(_result(reason="round 2: confirmed by execute, review", checks=checks, engine=CERTIFIED,
                              drafts=2))
    assert found.line() == "answer from model (confirmed by the engine, certified by z3, cvc5; the referee)"
    assert found.verified


def test_a_person_accepting_a_draft_no_check_confirmed_is_unverified():
    state = {"problem": {"kind": "open"}, "drafts": [{"round": 1, "answer": {"text": "13"}, "text": "13"}],
             "checks": [{"round": 1, "stage": "review", "verdict": "fail", "summary": "13 is not the least"}]}
    update = apply_choice(state, {"decision": "refine", "feedback": "-"}, {"decision": "accept"}, 2)
    found = of_state({**state, **update})
    assert found.line() == "answer from user (unverified)" and not found.verified


def test_a_person_agreeing_with_a_confirmed_draft_keeps_its_confirmation():
    checks = [{"round": 1, "stage": "review", "verdict": "pass", "summary": "fine"}]
    found = of_result(_result(reason="accepted by the user: looks right", checks=checks))
    assert found.line() == "answer from user (confirmed by the referee)" and found.verified


def test_abstentions_and_errors_have_no_origin():
    assert of_result(_result(outcome="abstained", reason="no confirmed answer")) is None
    assert of_result(_result(outcome="error")) is None


def test_the_summary_has_an_answer_from_column():
    text = render_summary({"command": "solve", "solver": "symbolic"},
                          [_result(reason="certified", engine=CERTIFIED, drafts=0)], 1)
    assert "| answer from |" in text and "| engine (certified by z3, cvc5) |" in text
