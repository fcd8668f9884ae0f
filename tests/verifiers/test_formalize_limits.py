"""The formalizer on hostile input: caps that say what they refused, and a bounded child behind them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import qed.verifiers.input_limits as input_limits
from qed.models.scripted_backend import ScriptedModel
from qed.problems.record import Problem
from qed.verifiers.bounded import Limits
from qed.verifiers.formalize import formalize


def bound(display: str) -> Problem:
    return Problem(id="t", kind="bound", statement="Let $x$ be a positive real number. Find the largest "
                   f"constant $C$ such that $$ {display} \\geq C. $$")


@pytest.mark.parametrize(
    ("display", "refusal"),
    [
        ("x + 9^{9^{9}}", "the exponent 387,420,489 is beyond the limit of 10,000"),
        ("x^{10^{10}} + \\frac{1}{x}", "the exponent 10,000,000,000 is beyond the limit of 10,000"),
        ("x + (7^{5000})^{3}", "a power with about 12,676 digits is beyond the limit of 10,000 digits"),
        ("x + " + "1" * 150, "a number with 150 digits, more than the 100 QED reads"),
        ("x + 1001!", "the factorial of a number above 1,000 is beyond what QED computes"),
        ("x + \\sum_{i=1}^{100000} i", "a sum or product of 100,000 terms, more than the 1,000 QED expands"),
        ("x + " + "(" * 70 + "1" + ")" * 70, "a formula nests brackets 70 deep, more than the 60 QED reads"),
    ],
)
def test_oversized_input_is_refused_with_what_was_refused(display: str, refusal: str):
    outcome = formalize(bound(display))
    assert not outcome.ok
    assert outcome.failures["parser"] == refusal


def test_exponents_of_real_problems_are_read():
    outcome = formalize(bound("x^{2025} + \\frac{2025}{x}"))
    assert outcome.ok and outcome.path == "parser"


def test_a_statement_beyond_the_cap_is_refused_before_any_reading():
    long = bound("x + \\frac{1}{x}").statement + " Note." * 5000
    outcome = formalize(Problem(id="long", kind="bound", statement=long))
    assert not outcome.ok and list(outcome.failures) == ["input"]
    assert outcome.reason == f"the statement has {len(long):,} characters, more than the 20,000 QED reads"


def test_without_the_caps_the_reading_is_stopped_by_the_childs_limit(monkeypatch):
    # 9^{9^{9}} computed: 370 million digits. The caller gets the limit, not a hang.
    monkeypatch.setattr(input_limits, "MAX_EXPONENT", 10**12)
    monkeypatch.setattr(input_limits, "MAX_VALUE_DIGITS", 10**12)
    outcome = formalize(bound("x + 9^{9^{9}}"), limits=Limits(seconds=60, cpu_seconds=2, memory_mb=256))
    assert not outcome.ok
    assert outcome.failures["parser"] in ("stopped: CPU limit of 2 s reached", "stopped: memory limit of 256 MiB reached")


def test_a_formalizer_reply_that_would_hang_the_parser_is_stopped(tmp_path: Path):
    # The parser cannot read the prose side, so the model is asked; its `9^9^9` is checked in a child.
    statement = ("Let $p, q$ be positive reals with $p + q = 9$. Consider:\n$$\np^2 + q^2 \\quad () \\quad "
                 "\\text{nine}\n$$\nDetermine the correct inequality relation.")
    record = {"variables": {"p": "positive", "q": "positive"}, "constraints": ["p + q = 9"], "lhs": "9^9^9", "rhs": "p"}
    script = tmp_path / "formalizer.json"
    script.write_text(json.dumps({"rules": [{"replies": [json.dumps(record)], "finish_reason": "stop"}]}))
    problem = Problem(id="m", kind="relation", statement=statement)
    outcome = formalize(problem, ScriptedModel(script), limits=Limits(seconds=60, cpu_seconds=2, memory_mb=256))
    assert not outcome.ok and "prose" in outcome.failures["parser"]
    # Either the model-expression reader refuses the tower itself, or the child is stopped at its limit.
    why = outcome.failures["model"]
    assert why.startswith(("stopped: CPU limit of 2 s", "stopped: memory limit")) or "exponent" in why, why


def test_a_parametric_record_travels_back_from_the_child_and_still_instantiates():
    problem = Problem(id="p", kind="bound", statement="Let $n \\geq 2$ be an integer and $x_1, \\ldots, x_n$ "
                      "positive reals. Find the largest constant $C$ such that "
                      "$$ x_1 + x_2 + \\cdots + x_n + \\frac{1}{x_1 x_2 \\cdots x_n} \\geq C. $$")
    outcome = formalize(problem)
    assert outcome.ok and outcome.formal.parameters
    other = outcome.formal.instantiate({sym: 4 for sym in outcome.formal.parameters})
    assert len(other.variables) == 4
