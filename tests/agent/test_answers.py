"""Each answer is parsed from LaTeX once, where it is read; deciding, grading and the summary use
the parsed record, whose exact value the safe reader reads back."""

from __future__ import annotations

from collections import Counter

import pytest
import qed.agent.answers as answers
import qed.verifiers.final_answer as final_answer
from qed.agent.answers import exact_value, grade, parse_answer, same_answer, shown
from qed.agent.config import LoopConfig
from qed.agent.runs import RunDir

from tests.agent.loop_helpers import make_solver, roles_script
from tests.agent.test_loop_engine import RIGHT, WEIGHTED, WRONG


@pytest.mark.parametrize(("text", "exact", "symbols", "decimal"), [
    ("\\frac{3}{2}", "3/2", [], False),
    ("1.5", "3/2", [], True),  # exactly 3/2, yet written as a decimal: the form check still refuses it
    ("\\approx 1.89", None, [], True),
    ("\\frac{3}{\\sqrt[3]{4}}", "3*2**(1/3)/2", [], False),
    ("\\frac{n}{2}", "n/2", ["n"], False),
    ("n!", None, [], False),  # sympy prints factorial(n), which the safe reader does not take
])
def test_a_bound_answer_is_parsed_once_into_an_exact_value_the_safe_reader_reads_back(text, exact, symbols, decimal):
    answer = parse_answer("bound", text)
    assert answer == {"text": text, "exact": exact, "symbols": symbols, "decimal": decimal}
    if exact is not None:
        assert str(exact_value(answer)) == exact


def test_answers_compare_by_their_parsed_values():
    two = parse_answer("bound", "2")
    assert same_answer("bound", parse_answer("bound", "\\frac{4}{2}"), two)
    assert not same_answer("bound", parse_answer("bound", "\\approx 2"), two)
    assert not same_answer("bound", parse_answer("bound", "3"), two)
    assert same_answer("relation", parse_answer("relation", "B"), parse_answer("relation", "B"))
    assert not same_answer("relation", parse_answer("relation", "B"), parse_answer("relation", "A"))
    assert grade("bound", parse_answer("bound", "1.5"), "$$C = \\frac{3}{2}$$") is True
    assert grade("relation", parse_answer("relation", "B"), "(B) $\\geq$") is True
    assert grade("relation", None, "(B) $\\geq$") is False and grade("open", parse_answer("open", "7"), "7") is None
    assert shown("bound", two) == "$$C = 2$$" and shown("relation", parse_answer("relation", "B")) == "(B) $\\geq$"


def test_each_answer_is_parsed_from_latex_once_per_problem(tmp_path, monkeypatch):
    """Two drafts (10, then 6), the engine's answer (6) and the known answer: four parses in all,
    over two rounds of form checks, engine comparisons, the decision and the grade."""
    parsed: Counter[str] = Counter()
    real = final_answer.latex_to_sympy

    def counting(value):
        parsed[value] += 1
        return real(value)

    monkeypatch.setattr(final_answer, "latex_to_sympy", counting)  # bounds_equal, is_correct, ...
    monkeypatch.setattr(answers, "latex_to_sympy", counting)
    spec = roles_script(tmp_path, [WRONG, RIGHT], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    solver, run = make_solver(tmp_path, spec, LoopConfig(use_engine=True, use_memory=False, max_rounds=2, proofs=False))
    [result] = solver.solve_all([WEIGHTED])
    state = solver.graph().get_state({"configurable": {"thread_id": WEIGHTED.id}}).values
    solver.close()

    assert result["outcome"] == "solved" and result["rounds"] == 2
    assert parsed == {"10": 1, "6": 2, "$$C = 6$$": 1}, "the drafts' 10 and 6, the engine's 6, the known answer"
    accepted = state["drafts"][-1]["answer"]
    assert accepted == {"text": "6", "exact": "6", "symbols": [], "decimal": False}
    assert state["answer"] == accepted, "decide accepts the draft's parsed record"
    assert result["answer"] == "$$C = 6$$" and result["correct"] is True
    assert [d["exact"] for d in result["drafts"]] == ["10", "6"]
    [row] = [x for x in run.file(RunDir.SUMMARY).read_text().splitlines() if x.startswith("| weighted-amgm |")]
    assert row.startswith("| weighted-amgm | bound | solved | $$C = 6$$ | model (confirmed by ") and "| yes | 2 |" in row


def test_the_engine_result_is_kept_once_per_problem_and_checks_refer_to_it(tmp_path):
    spec = roles_script(tmp_path, [WRONG, RIGHT], ["VERDICT: PASS"], ["VERDICT: ACCEPT"])
    solver, run = make_solver(tmp_path, spec, LoopConfig(use_engine=True, use_memory=False, max_rounds=2, proofs=False))
    [result] = solver.solve_all([WEIGHTED])
    state = solver.graph().get_state({"configurable": {"thread_id": WEIGHTED.id}}).values
    solver.close()

    executes = [c for c in state["checks"] if c["stage"] == "execute"]
    assert len(executes) == 2 and all(c["evidence"].get("uses_engine") is True for c in executes)
    assert not any("engine" in c["evidence"] for c in state["checks"])
    assert state["engine"]["certified"] is True and state["engine_answer"]["exact"] == "6"
    line = run.file(RunDir.RESULTS).read_text()
    assert line.count('"certificate"') == 1, "results.jsonl holds the engine's result once"
    assert result["evidence"]["engine"] == state["engine"]
