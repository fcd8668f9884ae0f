"""The sample bench's reference errata: an entry counts only when its evidence holds up now."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("ineqmath_answers", ROOT / "bench" / "ineqmath_answers.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

OPTIONS = "\n\nOptions:\n\n(A) $\\leq$ \n\n(B) $\\geq$\n\n(C) $=$ \n\n(D) $<$\n\n(E) $>$\n\n(F) None of the above"
RELATION = ("Let $x, y$ be real numbers. Consider the following expressions:\n$$\nx y \\quad () \\quad 0\n$$\n"
            "Determine the correct inequality relation to fill in the blank." + OPTIONS)
BOUND = ("Let $x, y > 0$. Find the largest constant $C$ such that the following inequality holds for all $x, y$:\n"
         "$$\n(x + y)\\left(\\frac{1}{x} + \\frac{1}{y}\\right) \\geq C\n$$")
STATEMENTS = {"r": {"data_id": "r", "problem": RELATION, "answer": "(B) $\\geq$"},
              "b": {"data_id": "b", "problem": BOUND, "answer": "$$C = 3$$"}}


def errata(tmp_path: Path, text: str) -> dict:
    path = tmp_path / "errata.toml"
    path.write_text(text)
    return bench.load_errata(path, STATEMENTS)


def test_a_counterexample_with_both_signs_is_accepted(tmp_path):
    e = errata(tmp_path, '[[erratum]]\nid = "r"\nkind = "counterexample"\nreference = "(B) $\\\\geq$"\n'
               'answer = "(F) None of the above"\npoint = { x = "1", y = "-1" }\nother_point = { x = "1", y = "1" }\n')
    assert e["r"]["verified"]


def test_a_point_that_does_not_break_the_reference_is_ignored(tmp_path):
    e = errata(tmp_path, '[[erratum]]\nid = "r"\nkind = "counterexample"\nreference = "(B) $\\\\geq$"\n'
               'answer = "(F) None of the above"\npoint = { x = "1", y = "1" }\nother_point = { x = "1", y = "-1" }\n')
    assert not e["r"]["verified"]


def test_a_better_constant_must_be_proved_and_better(tmp_path):
    text = ('[[erratum]]\nid = "b"\nkind = "better_constant"\nreference = "$$C = 3$$"\nreference_value = "3"\n'
            'answer = "$$C = 4$$"\nconstant = "{c}"\n')
    assert errata(tmp_path, text.format(c="4"))["b"]["verified"]  # (x + y)(1/x + 1/y) >= 4: proved, and 4 > 3
    assert not errata(tmp_path, text.format(c="5"))["b"]["verified"]  # false at x = y
    assert not errata(tmp_path, text.format(c="2"))["b"]["verified"]  # true, but not better than 3
