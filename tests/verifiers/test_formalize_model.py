"""The formalizer model path, driven by the scripted backend: what is accepted and what is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy as sp
from qed.models.registry import resolve
from qed.models.scripted_backend import ScriptedModel
from qed.problems.record import Problem
from qed.verifiers.formalize import formalize
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.from_model import build_prompt, extract_json, safe_expr

# The parser cannot read this one (the right side is prose), so the model is asked.
PROSE_RELATION = Problem(
    id="m1",
    kind="relation",
    statement="Let $p, q$ be positive reals with $p + q = 2$. Consider:\n$$\n"
    "p^2 + q^2 \\quad () \\quad \\text{two}\n$$\nDetermine the correct inequality relation.",
)
PROSE_BOUND = Problem(
    id="m2",
    kind="bound",
    statement="Let $p, q > 0$. Find the largest constant $C$ such that the inequality holds: "
    "the sum of the squares is at least $C$ times the product.",
)


def scripted(tmp_path: Path, *replies: str, finish_reason: str = "stop") -> ScriptedModel:
    rules = [{"replies": list(replies), "finish_reason": finish_reason}]
    path = tmp_path / "formalizer.json"
    path.write_text(json.dumps({"rules": rules}))
    return ScriptedModel(path)


def reply(**record) -> str:
    return "Here is the record:\n```json\n" + json.dumps(record) + "\n```"


def test_a_valid_relation_record_is_used_with_origin_model(tmp_path):
    model = scripted(
        tmp_path,
        reply(
            variables={"p": "positive", "q": "positive"},
            constraints=["p + q = 2"],
            triangle_sides=[],
            lhs="p**2 + q**2",
            rhs="2",
        ),
    )
    outcome = formalize(PROSE_RELATION, model)
    assert outcome.ok and outcome.path == "model"
    fp = outcome.formal
    p, q = fp.variables
    assert fp.origin == "model" and fp.lhs == p**2 + q**2 and fp.rhs == 2
    assert fp.constraints == [sp.Eq(p + q, 2)]
    assert "prose" in outcome.failures["parser"]
    prompt = model.calls[0][0].content
    assert "p^2 + q^2" in prompt and "{statement}" not in prompt


def test_a_valid_bound_record_gets_target_and_sense(tmp_path):
    model = scripted(
        tmp_path,
        reply(
            variables={"p": "positive", "q": "positive"},
            constraints=[],
            constant="C",
            inequality="p^2 + q^2 >= C*p*q",
            asked="largest",
        ),
    )
    fp = formalize(PROSE_BOUND, model).formal
    p, q = fp.variables
    assert sp.simplify(fp.target - (p**2 + q**2) / (p * q)) == 0 and fp.sense == "min"


def test_the_model_is_not_asked_when_the_parser_succeeds(tmp_path):
    model = scripted(tmp_path, "{}")
    statement = "Let $p > 0$. Consider:\n$$\np + \\frac{1}{p} \\quad () \\quad 2\n$$"
    outcome = formalize(Problem(id="ok", statement=statement, kind="relation"), model)
    assert outcome.path == "parser" and model.calls == []


def test_model_spec_from_the_registry_works(tmp_path):
    model = scripted(
        tmp_path,
        reply(variables={"p": "positive", "q": "positive"}, constraints=[], lhs="p*q", rhs="1"),
    )
    outcome = formalize(PROSE_RELATION, resolve(f"scripted:{model.path}"))
    assert outcome.ok and outcome.path == "model"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"variables": {"p": "positive"}, "lhs": "__import__('os')", "rhs": "1"}, "characters"),
        ({"variables": {"p": "positive"}, "lhs": "p + w", "rhs": "1"}, "undeclared 'w'"),
        ({"variables": {"p": "positive"}, "lhs": "p +* 1", "rhs": "1"}, "does not parse"),
        ({"variables": {"p": "sometimes"}, "lhs": "p", "rhs": "1"}, "domain"),
        ({"variables": {}, "lhs": "1", "rhs": "1"}, "no variables"),
        ({"variables": {"p": "positive"}, "rhs": "1"}, "lhs"),
        ({"variables": {"p": "positive"}, "lhs": "sqrt(-1 - p)", "rhs": "1"}, "not a finite real"),
        (
            {"variables": {"p": "positive"}, "constraints": ["p = -2"], "lhs": "p", "rhs": "1"},
            "feasible",
        ),
    ],
)
def test_bad_records_are_failures_with_a_reason(tmp_path, record, reason):
    outcome = formalize(PROSE_RELATION, scripted(tmp_path, json.dumps(record)))
    assert not outcome.ok and outcome.path is None
    assert reason in outcome.failures["model"]
    assert outcome.reason.startswith("parser: ") and "; model: " in outcome.reason


def test_invented_numbers_and_names_are_refused(tmp_path):
    invented = {
        "variables": {"p": "positive", "q": "positive"},
        "constraints": ["p + q = 2"],
        "lhs": "p**2 + q**2",
        "rhs": "27/4",
    }
    outcome = formalize(PROSE_RELATION, scripted(tmp_path, json.dumps(invented)))
    assert "number 27" in outcome.failures["model"]
    renamed = {"variables": {"w": "positive"}, "lhs": "w", "rhs": "1"}
    outcome = formalize(PROSE_RELATION, scripted(tmp_path, json.dumps(renamed)))
    assert "'w', which the statement never names" in outcome.failures["model"]


def test_a_bound_record_without_the_constant_in_its_inequality_fails(tmp_path):
    record = {
        "variables": {"p": "positive", "q": "positive"},
        "constant": "C",
        "inequality": "p + q >= 2",
        "asked": "largest",
    }
    outcome = formalize(PROSE_BOUND, scripted(tmp_path, json.dumps(record)))
    assert "does not contain the constant" in outcome.failures["model"]


def test_prose_without_json_and_a_cut_off_reply_are_failures(tmp_path):
    outcome = formalize(PROSE_RELATION, scripted(tmp_path, "I think the answer is (B)."))
    assert "no JSON object" in outcome.failures["model"]
    cut = scripted(tmp_path, '{"variables": {"p": "positive", "q"', finish_reason="length")
    assert "cut off" in formalize(PROSE_RELATION, cut).failures["model"]


def test_a_backend_error_is_a_failure_not_an_exception(tmp_path):
    path = tmp_path / "down.json"
    path.write_text(json.dumps({"rules": [{"error": "server is down"}]}))
    outcome = formalize(PROSE_RELATION, ScriptedModel(path))
    assert not outcome.ok and "server is down" in outcome.failures["model"]


def test_json_is_found_inside_prose_and_fences():
    text = 'Sure! {"a": "{not a brace}", "b": [1, 2]} trailing } text'
    assert extract_json(text) == {"a": "{not a brace}", "b": [1, 2]}
    with pytest.raises(FormalizeError):
        extract_json("[1, 2, 3]")


def test_safe_expressions_are_exact_and_refuse_attribute_access():
    p = sp.Symbol("p", positive=True)
    assert safe_expr("0.5*p^2", {"p": p}, "lhs") == p**2 / 2
    for bad in ("p.__class__", "p.func", "p.subs(p, 2)", "lambda: 1", "[p]"):
        with pytest.raises(FormalizeError):
            safe_expr(bad, {"p": p}, "lhs")


def test_each_kind_has_its_own_prompt_carrying_the_statement():
    bound_prompt = build_prompt("Let $p > 0$ ...\nOptions:\n(A) $\\leq$", "bound")
    assert bound_prompt.rstrip().endswith("Problem: Let $p > 0$ ...")
    assert '"inequality"' in bound_prompt and '"lhs"' not in bound_prompt
    assert '"lhs"' in build_prompt("Let $p > 0$ ...", "relation")


def test_juxtaposed_declared_letters_are_a_product():
    p, q = sp.symbols("p q", positive=True)
    assert safe_expr("pq + 1", {"p": p, "q": q}, "lhs") == p * q + 1
    assert safe_expr("2(p + q)(p - q)", {"p": p, "q": q}, "lhs") == 2 * (p + q) * (p - q)
    assert safe_expr("sqrt(p)", {"p": p}, "lhs") == sp.sqrt(p)
    with pytest.raises(FormalizeError, match="undeclared 'pw'"):
        safe_expr("pw", {"p": p}, "lhs")


def test_a_relation_statement_without_a_blank_is_not_sent_to_the_model(tmp_path):
    model = scripted(tmp_path, reply(variables={"p": "positive"}, lhs="p", rhs="1"))
    problem = Problem(id="nb", kind="relation", statement="Let $p > 0$. Show $$p + 1/p \\geq 2.$$")
    outcome = formalize(problem, model)
    assert not outcome.ok and "no blank" in outcome.failures["model"] and model.calls == []
