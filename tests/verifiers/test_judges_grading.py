"""Grading proofs with several judges, and the planted-flaw corpus the judges are calibrated on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qed.models.scripted_backend import ScriptedModel
from qed.problems.record import Problem
from qed.verifiers.judges.assumptions import read_assumptions
from qed.verifiers.judges.calibration.mutations import FLAW_TYPES, Mutator, refute
from qed.verifiers.judges.calibration.references import Reference
from qed.verifiers.judges.calibration.run import (
    build_corpus,
    calibrate,
    load_corpus,
    markdown,
    save_corpus,
    select,
)
from qed.verifiers.judges.grading import GradeItem, grade, load_items
from qed.verifiers.judges.registry import JudgeSettings, parse_judges, roles_needed, run_judge
from qed.verifiers.judges.relcheck import parse_relation
from qed.verifiers.judges.report import grade_markdown
from qed.verifiers.latex import tokenize

STATEMENT = ("Let $a, b, c$ be positive real numbers. Find the largest constant $C$ such that "
             "$$ (a+b)(b+c)(c+a) \\geq C a b c $$ holds for all $a, b, c$.")
SOLUTION = (
    "By AM-GM we have $a+b \\geq 2\\sqrt{ab}$, $b+c \\geq 2\\sqrt{bc}$ and $c+a \\geq 2\\sqrt{ca}$.\n\n"
    "Multiplying these inequalities gives\n$$\n(a+b)(b+c)(c+a) \\geq 8 \\sqrt{a^{2} b^{2} c^{2}} = 8abc .\n$$\n\n"
    "We also note that $(a+b)^{2} = a^{2}+2ab+b^{2} \\geq 4ab$ and $\\frac{1}{3}+\\frac{1}{6} = \\frac{1}{2}$.\n\n"
    "Equality holds when $a = b = c$, so the constant $8$ cannot be improved.\n\n"
    "Therefore, the answer is $C = 8$."
)


def bound_problem() -> Problem:
    return Problem(id="amgm", statement=STATEMENT, kind="bound", answer="$$C = 8$$", solution=SOLUTION)


def test_grade_combines_judges_and_marks_steps() -> None:
    item = GradeItem("amgm", "reference", SOLUTION.replace("= 8abc", "= 9abc"), bound_problem())
    result = grade(item, ["numeric_computation", "numeric_approximation", "final_answer"], {})
    assert result.overall == "fail"
    assert result.judges["numeric_computation"].verdict == "fail"
    assert result.judges["final_answer"].verdict == "pass"
    flagged = [s for s in result.steps if s.verdict == "fail"]
    assert [s.index for s in flagged] == [1]
    md = grade_markdown([result], {"source": "x", "judges": ["numeric_computation"], "models": {}})
    assert "❌ fail" in md and "9abc" in md


def test_grade_of_a_correct_reference_passes() -> None:
    result = grade(GradeItem("amgm", "reference", SOLUTION, bound_problem()),
                   ["numeric_computation", "numeric_approximation", "final_answer"], {})
    assert result.overall == "pass", result.reasons


def test_empty_or_malformed_proofs_give_a_verdict_not_a_crash() -> None:
    for text in ("", "   \n\n ", "$$ \\frac{1}{ $$ unbalanced $ and \\begin{aligned} x = "):
        result = grade(GradeItem("x", "p", text, bound_problem()), parse_judges("numeric"), {})
        assert result.overall in ("no_verdict", "fail")
    assert grade(GradeItem("x", "p", "", None), ["numeric_computation"], {}).reasons == ["the proof is empty"]


def test_model_judges_need_their_model_and_numeric_ones_none() -> None:
    assert roles_needed(parse_judges("numeric")) == []
    assert roles_needed(parse_judges("toy_case_model,dsm_verifier")) == ["judge", "verifier"]
    with pytest.raises(ValueError, match="unknown judge"):
        parse_judges("numeric,telepathy")
    with pytest.raises(ValueError, match="needs a model"):
        run_judge("toy_case_model", None, "Some proof.", {})


def test_grade_with_scripted_models(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": [
        {"match": "Grade the proof", "reply": "ISSUES: none\nSCORE: \\boxed{1}"},
        {"match": "TOY CASE|LOGICAL GAP", "reply": "VERDICT: NO FLAW\nSTEP: none\nQUOTE: none\nREASON: sound"},
    ]}))
    model = ScriptedModel(rules)
    result = grade(GradeItem("amgm", "reference", SOLUTION, bound_problem()), parse_judges("all"),
                   {"judge": model, "verifier": model}, JudgeSettings(samples=2))
    assert result.overall == "pass"
    assert result.judges["dsm_verifier"].stats["k"] == 2


def test_load_items_from_tex_pairs_and_proof_only(tmp_path: Path) -> None:
    tex = tmp_path / "mine.tex"
    tex.write_text("\\begin{document}\n\\begin{problem}{Warm-up}\nProve that $x^2 \\geq 0$ for real $x$.\n"
                   "\\end{problem}\n\\begin{solution}{Attempt}\nWe have $x^2 = x \\cdot x \\geq 0$.\n"
                   "\\end{solution}\n\\end{document}\n")
    items = load_items(tex)
    assert [(i.label, i.problem.kind) for i in items] == [("Attempt", "proof")]
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps({"problem": "Prove $1+1=2$.", "proof": "Indeed $1+1 = 2$."}) + "\n\n"
                     + json.dumps({"id": "q2", "problem": "Show $2+2=4$.", "proof": "$2+2=5$."}) + "\n")
    got = load_items(pairs)
    assert [i.id for i in got] == ["pairs-1", "q2"]
    assert grade(got[1], ["numeric_computation"], {}).overall == "fail"
    bare = tmp_path / "bare.md"
    bare.write_text("We have $3 \\cdot 4 = 12$.")
    assert load_items(bare, proof_only=True)[0].problem is None
    with pytest.raises(ValueError, match="no proof to grade"):
        load_items(bare)
    with pytest.raises(FileNotFoundError):
        load_items(tmp_path / "missing.tex")


def _reference() -> Reference:
    return Reference("test:amgm", "ineqmath", bound_problem(), SOLUTION)


def test_wrong_number_mutation_is_false_where_the_original_was_true() -> None:
    m = Mutator(_reference()).mutate("wrong_number")
    assert m is not None and m.flaw == "wrong_number"
    assert m.before != m.after and m.text != SOLUTION
    assert m.evidence["mutated"]  # the refutation found for the changed relation
    assert "fails" in m.evidence["mutated"]


def test_flipped_sign_mutation_is_refuted() -> None:
    m = Mutator(_reference()).mutate("flipped_sign")
    assert m is not None and {m.before, m.after} <= {"\\geq", "\\leq", "\\ge", "\\le"}


def test_decimal_mutation_replaces_a_non_terminating_value() -> None:
    m = Mutator(_reference()).mutate("decimal")
    assert m is not None
    assert m.after in ("0.333", "0.167", "0.500") and m.after != "0.500"


def test_structural_mutations_rewrite_the_argument() -> None:
    mut = Mutator(_reference())
    toy = mut.mutate("toy_case")
    assert toy is not None and toy.evidence["cases"] and all(c in toy.text for c in toy.evidence["cases"])
    assert toy.text.endswith("$C = 8$.")
    gap = mut.mutate("missing_justification")
    assert gap is not None and len(gap.text) < len(SOLUTION)


def test_a_change_that_keeps_the_relation_true_is_not_planted() -> None:
    assumptions = read_assumptions("Let $x$ be a real number.")
    toks = tokenize("x^2 + 2 \\geq 0")
    p = parse_relation(toks[:5], ">=", toks[6:])
    assert refute(p, assumptions, "real") is None
    problem = Problem(id="t", kind="proof", statement="Let $x$ be a real number. Prove $x^2+1 \\geq 0$.")
    ref = Reference("t", "ineqmath", problem, "Clearly $x^{2}+1 \\geq 1 > 0$.\n\nDone.")
    m = Mutator(ref).mutate("wrong_number")
    # 1 > 0 can become 2 > 0 or 3 > 0 (still true) and only 0 > 0 or a larger bound would be false:
    if m is not None:
        assert "fails" in m.evidence["mutated"]


def test_calibration_counts_detections_and_false_rejections(tmp_path: Path) -> None:
    items = build_corpus([_reference()], FLAW_TYPES)
    flaws = {it.flaw for it in items}
    assert {"none", "wrong_number", "flipped_sign"} <= flaws
    save_corpus(items, tmp_path / "corpus.jsonl")
    again = load_corpus(tmp_path / "corpus.jsonl")
    assert [it.id for it in again] == [it.id for it in items]
    chosen = select(again, per_type=1)
    cal = calibrate(chosen, ["numeric_computation"], {})
    score = cal.judges[0]
    assert score.cells["none"].n == 1 and score.cells["none"].fail == 0
    assert score.cells["wrong_number"].fail == 1
    assert score.cells["flipped_sign"].fail == 1
    md = markdown(cal, {"corpus": "test"})
    assert "| numeric_computation |" in md and "false rejection" in md


def test_the_report_names_the_judges_not_run_and_what_they_would_have_checked() -> None:
    # "X >= 3 and Y >= 3, therefore X >= Y": every relation is true, the inference is not; no judge without
    # a model reads inferences, so a pass must say that this was not checked
    problem = Problem(id="gap", statement="Let $a, b, c > 0$ with $abc = 1$. Prove that $a^{2}+b^{2}+c^{2} \\geq a+b+c$.",
                      kind="proof")
    proof = ("By AM-GM, $a^{2}+b^{2}+c^{2} \\geq 3$ and $a+b+c \\geq 3$.\n\n"
             "Therefore $a^{2}+b^{2}+c^{2} \\geq a+b+c$ for all such $a, b, c$.")
    chosen = ["numeric_computation", "toy_case"]
    result = grade(GradeItem("gap", "proof", proof, problem), chosen, {})
    assert result.overall == "pass"
    md = grade_markdown([result], {"source": "x", "judges": chosen, "models": {}})
    assert "- not run here (what they look for was not checked):" in md
    assert "logical_gap (a step that does not follow or lacks justification" in md
    assert "theorem_use (" in md and "numeric_computation (" not in md.split("not run here")[1].splitlines()[0]
    caveat = next(line for line in md.splitlines() if line.startswith("A pass here means no judge run found a flaw"))
    assert "logical_gap" in caveat and "toy_case," not in caveat
