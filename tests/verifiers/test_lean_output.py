"""Reading Lean's output and screening sources (pure Python: the Lean text here is written in
the format `lean` prints, not captured from a run)."""

from __future__ import annotations

import pytest
from qed.verifiers.lean import LeanInputError, LeanMessage, check_lean, parse_lean_output
from qed.verifiers.lean.judge import judge_output
from qed.verifiers.lean.messages import axioms_of
from qed.verifiers.lean.source import build_source, forbidden_constructs, theorem_name

STATEMENT = "theorem qed_ineq (a b : ℝ) (ha : 0 < a) (hb : 0 < b) : a^2 + b^2 ≥ 2*a*b"
SRC = build_source(STATEMENT, "by nlinarith [sq_nonneg (a - b)]", ["Mathlib"])
F = ".qed-lean-x1/QedCheck.lean"

UNSOLVED = f"""{F}:3:78: error: unsolved goals
a b : ℝ
ha : 0 < a
hb : 0 < b
⊢ a ^ 2 + b ^ 2 ≥ 2 * a * b
{F}:5:0: info: 'qed_ineq' depends on axioms: [propext, sorryAx, Classical.choice, Quot.sound]
"""


def test_source_layout_puts_theorem_after_imports_and_axiom_report_last():
    assert SRC.text == ("import Mathlib\n\n" + STATEMENT + " := by nlinarith [sq_nonneg (a - b)]\n\n"
                        "#print axioms qed_ineq\n")
    assert (SRC.first_line, SRC.last_line, SRC.axioms_line) == (3, 3, 5)
    lines = SRC.text.splitlines()
    assert lines[SRC.first_line - 1].startswith("theorem") and lines[SRC.axioms_line - 1].startswith("#print")


def test_statement_with_trailing_assign_and_proof_with_leading_assign_join_once():
    src = build_source("lemma foo : 1 + 1 = 2 :=", ":= by\n  norm_num", [])
    assert src.theorem == "lemma foo : 1 + 1 = 2 := by\n  norm_num"
    assert (src.first_line, src.last_line, src.axioms_line) == (1, 2, 4)


@pytest.mark.parametrize(("statement", "proof", "imports", "match"), [
    ("example : 1 = 1", "rfl", [], "must start with `theorem <name>`"),
    ("", "rfl", [], "must start with"),
    ("theorem t : 1 = 1", "   ", [], "proof is empty"),
    ("theorem t : 1 = 1", "rfl", ["Mathlib; rm -rf /"], "not a Lean module name"),
    ("theorem t : 1 = 1", "rfl", "Mathlib", "list of module names"),
])
def test_malformed_input_raises_a_one_line_input_error(statement, proof, imports, match):
    with pytest.raises(LeanInputError, match=match):
        build_source(statement, proof, imports)


def test_theorem_name_reads_attributes_and_primes():
    assert theorem_name("@[simp] private theorem am_gm' (a : ℝ) : a = a") == "am_gm'"


def test_framed_messages_keep_their_continuation_lines():
    msgs = parse_lean_output(UNSOLVED)
    assert [(m.severity, m.line, m.column) for m in msgs] == [("error", 3, 78), ("info", 5, 0)]
    assert msgs[0].text.splitlines()[0] == "unsolved goals"
    assert msgs[0].text.splitlines()[-1] == "⊢ a ^ 2 + b ^ 2 ≥ 2 * a * b"


def test_end_positions_error_names_and_unframed_messages_parse():
    out = (f"{F}:3:2-3:9: error(lean.unknownIdentifier): unknown identifier 'nlinarith'\n"
           "error: unknown package 'Mathlib'\n"
           "'qed_ineq' depends on axioms: [propext]\n")
    msgs = parse_lean_output(out)
    assert msgs == [LeanMessage("error", "unknown identifier 'nlinarith'", 3, 2),
                    LeanMessage("error", "unknown package 'Mathlib'"),
                    LeanMessage("info", "'qed_ineq' depends on axioms: [propext]")]


def test_axiom_reports_in_every_form():
    assert axioms_of(UNSOLVED, "qed_ineq") == ["propext", "sorryAx", "Classical.choice", "Quot.sound"]
    assert axioms_of("'t' does not depend on any axioms", "t") == []
    assert axioms_of("'t'' depends on axioms: [propext,\n Quot.sound]", "t'") == ["propext", "Quot.sound"]
    assert axioms_of("'other' depends on axioms: [propext]", "t") is None


def test_unsolved_goals_fail_with_the_line_and_first_words():
    verdict = judge_output(SRC, UNSOLVED, 1)
    assert verdict.status == "failed"
    assert verdict.reason == "line 3: unsolved goals"


def test_clean_run_with_standard_axioms_is_proved():
    out = f"{F}:5:0: info: 'qed_ineq' depends on axioms: [propext, Classical.choice, Quot.sound]\n"
    verdict = judge_output(SRC, out, 0)
    assert verdict.status == "proved" and verdict.axioms == ["propext", "Classical.choice", "Quot.sound"]


def test_sorry_warning_fails_even_when_lean_exits_zero():
    out = (f"{F}:3:8: warning: declaration uses 'sorry'\n"
           f"{F}:5:0: info: 'qed_ineq' depends on axioms: [sorryAx]\n")
    assert judge_output(SRC, out, 0).status == "failed"
    assert "sorry" in judge_output(SRC, out, 0).reason


def test_extra_axiom_fails_and_missing_report_is_an_error():
    out = "'qed_ineq' depends on axioms: [propext, Lean.ofReduceBool]\n"
    assert judge_output(SRC, out, 0).reason == "the proof depends on non-standard axioms: Lean.ofReduceBool"
    assert judge_output(SRC, "", 0).status == "error"


def test_axiom_report_printed_elsewhere_in_the_file_does_not_count():
    out = f"{F}:3:40: info: 'qed_ineq' does not depend on any axioms\n"
    assert judge_output(SRC, out, 0).status == "error"


def test_import_failures_are_the_environments_fault_not_the_proofs():
    out = (f"{F}:1:0: error: unknown module prefix 'Mathlib'\n\nNo directory 'Mathlib' or file "
           "'Mathlib.olean' in the search path entries:\n/p/.lake/build/lib/lean\n")
    verdict = judge_output(SRC, out, 1)
    assert verdict.status == "error" and "unknown module prefix" in verdict.reason
    assert judge_output(SRC, "error: no such file or directory (error code: 2)\n", 1).status == "error"
    assert judge_output(SRC, "Segmentation fault\n", 139).status == "error"


@pytest.mark.parametrize(("proof", "reason"), [
    ("by sorry", "`sorry`"),
    ("by\n  admit", "`admit`"),
    ("by exact (sorryAx _ false)", "`sorryAx`"),
    ("by native_decide", "compiler"),
    ("by run_tac Lean.logInfo \"x\"", "meta-code"),
    ("by simp\n#exit", "#exit"),
])
def test_screen_refuses_what_a_checked_proof_never_needs(proof, reason):
    assert any(reason in r for r in forbidden_constructs(proof))


def test_screen_ignores_comments_strings_and_longer_names():
    proof = ("by\n  -- no sorry here\n  /- nor /- nested admit -/ here -/\n"
             "  have := sorry_free_lemma\n  simp [show \"sorry\" = \"sorry\" from rfl]")
    assert forbidden_constructs(proof) == []


def test_statement_axiom_is_refused_before_anything_runs():
    result = check_lean("theorem t : False", "by exact cheat\naxiom cheat : False", imports=[])
    assert result.status == "failed" and result.backend == "source-screen"
    assert "axiom" in result.reason
