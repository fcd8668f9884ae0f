"""One judge contract: a judge is a module exporting JUDGE, found by the registry, held to the verdict rules."""

from __future__ import annotations

import ast
import importlib
import json
import textwrap
from pathlib import Path

import pytest
import qed.verifiers.judges as judges_package
from qed.problems.record import Problem
from qed.verifiers.judges import registry
from qed.verifiers.judges.grading import GradeItem, grade, load_items
from qed.verifiers.judges.judge import Judge, JudgeContext, settle, statement_only
from qed.verifiers.judges.report import grade_markdown
from qed.verifiers.judges.verdict import Coverage, JudgeVerdict

from tests.added_module import added_module, qed_with
from tests.cli.cli_helpers import run_dirs

PACKAGE = Path(judges_package.__file__).parent

# A judge written the way a contributor would add one: a single file, nothing else edited.
THROWAWAY = textwrap.dedent('''
    """Obviousness judge: "obviously" where a step needs its reason (for the registry's tests)."""

    import re

    from qed.verifiers.judges.extract import split_steps
    from qed.verifiers.judges.judge import Judge
    from qed.verifiers.judges.verdict import Coverage, Finding, JudgeVerdict

    _WORD = re.compile(r"\\b(obviously|clearly)\\b", re.I)


    def _check(problem, proof, context):
        steps = split_steps(proof)
        findings = [Finding("flaw" if _WORD.search(s.text) else "ok", s.text[:60], "an unexplained 'obviously'",
                            s.index, checked=True, how="word search") for s in steps]
        flawed = [f for f in findings if f.status == "flaw"]
        coverage = Coverage("steps", len(steps), len(steps), len(steps))
        if flawed:
            return JudgeVerdict("obviousness", "fail", flawed[0].reason, step=flawed[0].step, findings=findings,
                                coverage=coverage)
        return JudgeVerdict("obviousness", "pass", "no step leans on 'obviously'", findings=findings,
                            coverage=coverage)


    JUDGE = Judge("obviousness", None, "an unexplained 'obviously' (a throwaway judge)", _check, stepwise=True)
''')


def _exported_judges() -> list[str]:
    """The modules of the package that assign JUDGE at top level, read from their source (not imported)."""
    out = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "JUDGE" for t in node.targets)
               for node in tree.body):
            out.append(path.stem)
    return out


def test_every_module_exporting_a_judge_is_registered_and_nothing_else():
    modules = _exported_judges()
    registered = registry.judges()
    assert len(modules) == len(registered) >= 6
    for name in modules:
        judge = importlib.import_module(f"qed.verifiers.judges.{name}").JUDGE
        assert registered[judge.name] is judge


def test_groups_follow_what_the_judges_declare():
    groups = registry.groups()
    registered = registry.judges()
    assert set(groups["numeric"]) == {n for n, j in registered.items() if j.role is None}
    assert set(groups["model"]) == {n for n, j in registered.items() if j.role is not None}
    assert set(groups["stepwise"]) == {n for n, j in registered.items() if j.stepwise}
    assert {"numeric_computation", "numeric_approximation", "final_answer", "toy_case", "theorem_use"} == set(groups["numeric"])
    assert registry.roles_needed(registry.parse_judges("model")) == ["verifier", "judge"]


@pytest.fixture
def throwaway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding one new judge module, seen as part of the judges package."""
    with added_module("qed.verifiers.judges", "obviousness.py", THROWAWAY, tmp_path / "more_judges",
                      monkeypatch) as folder:
        yield folder


def test_a_judge_added_as_one_file_is_registered_grouped_graded_and_run_by_the_loop(throwaway):
    assert "obviousness" in registry.judges()
    assert "obviousness" in registry.groups()["numeric"] and "obviousness" in registry.groups()["stepwise"]
    item = GradeItem("t", "proof", "Obviously $2 + 2 = 4$.\n\nHence the claim.", None)
    result = grade(item, registry.parse_judges("numeric_computation,obviousness"), {})
    assert result.judges["obviousness"].verdict == "fail" and result.overall == "fail"
    assert result.steps[0].verdict == "fail"
    from qed.agent.nodes.self_verify import computation_judges

    assert "obviousness" in computation_judges()


def test_qed_judges_list_and_qed_grade_see_a_judge_added_as_one_file(throwaway, tmp_path):
    r = qed_with("qed.verifiers.judges", throwaway, tmp_path, "judges", "list")
    assert r.returncode == 0, r.stderr
    out = " ".join(r.stdout.split())
    assert "obviousness" in out and "throwaway" in out and "numeric = final_answer, numeric_approximation, numeric_computation, obviousness" in out
    (tmp_path / "p.md").write_text("Let $a > 0$. Prove that $a + 1 > a$.\n\n**Proof.** Clearly $a + 1 - a = 1 > 0$.\n")
    r = qed_with("qed.verifiers.judges", throwaway, tmp_path, "grade", "p.md", "--judges", "obviousness")
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    [result] = json.loads((run / "grade.json").read_text())["results"]
    assert result["judges"]["obviousness"]["verdict"] == "fail" and result["overall"] == "fail"
    assert "obviousness" in (run / "report.md").read_text()


def test_a_pass_without_anything_checked_is_not_a_pass():
    bare = settle(JudgeVerdict("x", "pass", "looks fine"))
    assert bare.verdict == "not_checked" and "reports nothing it checked" in bare.reason
    empty = settle(JudgeVerdict("x", "pass", "looks fine", coverage=Coverage("relations", 51, 4, 0)))
    assert (empty.verdict, empty.reason) == ("not_checked", "not checked (4 of 51 relations read, 0 checked)")
    some = settle(JudgeVerdict("x", "pass", "fine", coverage=Coverage("relations", 51, 4, 1)))
    assert some.verdict == "pass"
    moot = settle(JudgeVerdict("x", "fail", "no reference", applicable=False))
    assert moot.verdict == "not_checked"


def test_a_model_judge_without_its_model_is_an_error_not_a_skip():
    with pytest.raises(ValueError, match="needs a model for the 'judge' role"):
        registry.run_judge("toy_case_model", None, "Some proof.", {})
    with pytest.raises(ValueError, match="unknown judge"):
        registry.parse_judges("numeric,telepathy")


def test_every_call_goes_through_the_contract():
    calls = []

    def check(problem, proof, context):
        calls.append((problem, proof, context))
        return JudgeVerdict("wrong-name", "pass", "ok", coverage=Coverage("steps", 1, 1, 1))

    judge = Judge("probe", None, "test", check)
    assert judge.run(None, "   ").reason == "the proof is empty" and not calls
    v = judge.run(None, "x", JudgeContext())
    assert v.judge == "probe" and v.verdict == "pass" and len(calls) == 1


BOUND = ("Let $a, b$ be positive real numbers. Find the largest constant $C$ such that "
         "$\\frac{a}{b} + \\frac{b}{a} \\geq C$ holds for all $a, b$.")
GOOD = ("By AM-GM, $\\frac{a}{b} + \\frac{b}{a} \\geq 2\\sqrt{\\frac{a}{b} \\cdot \\frac{b}{a}} = 2$, with equality "
        "at $a = b$.\n\nTherefore, the answer is $C = 2$.")


def test_a_proof_without_a_reference_answer_gets_pass_or_fail_from_the_judges_that_apply():
    problem = Problem(id="amgm", statement=BOUND, kind="bound", answer=None)
    good = grade(GradeItem("amgm", "p", GOOD, problem), registry.parse_judges("numeric"), {})
    assert good.overall == "pass", good.reasons
    assert not good.judges["final_answer"].applicable and not good.judges["numeric_approximation"].applicable
    assert good.judges["final_answer"].verdict == "not_checked"
    bad = grade(GradeItem("amgm", "p", GOOD.replace("= 2$, with", "= 3$, with"), problem),
                registry.parse_judges("numeric"), {})
    assert bad.overall == "fail"


def test_when_no_selected_judge_applies_the_proof_is_not_checked():
    result = grade(GradeItem("t", "p", "We argue in words only, with no formula at all.", None),
                   ["numeric_computation", "numeric_approximation", "final_answer"], {})
    assert result.overall == "not_checked"
    assert result.reasons[0] == "no selected judge applies to this proof"


def test_the_report_names_per_step_who_checked_what_and_how_and_what_was_not():
    proof = ("We have $2^{10} = 1024$ and $(a-b)^2 \\geq 0$.\n\n"
             "By the hypothesis $\\mathfrak{q} = \\mathfrak{p}^c$ the rest follows.")
    statement = "Let $a, b$ be positive reals. Prove that $a^2 + b^2 \\geq 2ab$."
    result = grade(GradeItem("t", "p", proof, Problem(id="t", statement=statement, kind="proof")),
                   ["numeric_computation"], {})
    first, second = result.steps
    assert first.verdict == "pass" and second.verdict == "unchecked"
    [row] = first.checked_by
    assert row["judge"] == "numeric_computation" and row["how"] == {"exact (50 digits)": 1, "sampled at 120 points": 1}
    assert second.not_checked[0]["judge"] == "numeric_computation"
    md = grade_markdown([result], {"source": "t", "judges": ["numeric_computation"], "models": {}})
    assert "| numeric_computation | ✅ pass | 2 of 3 relations read, 2 checked (67 %) |" in md
    assert "numeric_computation: exact (50 digits), sampled at 120 points" in md
    assert "\\mathfrak is not read" in md


def test_a_plain_proof_paragraph_is_read_without_a_special_heading(tmp_path: Path):
    source = tmp_path / "mine.md"
    source.write_text("Let $a, b$ be positive reals. Prove that $a^2 + b^2 \\geq 2ab$.\n\n"
                      "**Proof.** We have $a^2 + b^2 - 2ab = (a-b)^2 \\geq 0$.\n")
    [item] = load_items(source)
    assert item.problem.statement == "Let $a, b$ be positive reals. Prove that $a^2 + b^2 \\geq 2ab$."
    assert item.problem.kind == "proof" and item.proof.startswith("**Proof.** We have")
    assert grade(item, ["numeric_computation"], {}).overall == "pass"


def test_the_loop_judges_never_see_the_known_answer():
    problem = Problem(id="b", statement=BOUND, kind="bound", answer="$$C = 2$$", solution="By AM-GM ...")
    seen = statement_only(problem)
    assert (seen.statement, seen.kind, seen.answer, seen.solution) == (BOUND, "bound", None, None)
    assert problem.answer == "$$C = 2$$"
