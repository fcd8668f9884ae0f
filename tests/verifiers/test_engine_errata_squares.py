"""The sample bench's sum-of-squares erratum: a better constant counts only when the identity expands to 0."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("ineqmath_answers", ROOT / "bench" / "ineqmath_answers.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

BOUND = ("Let $x, y$ be real numbers. Find the largest constant $C$ such that the following inequality holds for "
         "all $x, y$:\n$$\nx^{2} + y^{2} \\geq C x y\n$$")
STRICT = BOUND.replace("\\geq", ">")
STATEMENTS = {"b": {"data_id": "b", "problem": BOUND, "answer": "$$C = 1$$"},
              "s": {"data_id": "s", "problem": STRICT, "answer": "$$C = 1$$"},
              "t": {"data_id": "t", "problem": BOUND, "answer": "$$C = 3$$"}}
ENTRY = ('[[erratum]]\nid = "{id}"\nkind = "sum_of_squares"\nreference = "$$C = {r}$$"\nreference_value = "{r}"\n'
         'answer = "$$C = 2$$"\nconstant = "{c}"\nweights = [{w}]\nsquares = [{q}]\n')


def verified(tmp_path: Path, id: str = "b", c: str = "2", w: str = '"1"', q: str = '"x - y"', r: str = "1") -> bool:
    path = tmp_path / "errata.toml"
    path.write_text(ENTRY.format(id=id, c=c, w=w, q=q, r=r))
    return bench.load_errata(path, STATEMENTS)[id]["verified"]


def test_an_exact_square_identity_proves_the_better_constant(tmp_path):
    assert verified(tmp_path)  # x^2 + y^2 - 2xy = (x - y)^2, and 2 > 1


def test_a_square_that_does_not_expand_to_the_difference_is_ignored(tmp_path):
    assert not verified(tmp_path, q='"x + y"')
    assert not verified(tmp_path, c="3", q='"x - y"')  # x^2 + y^2 - 3xy is not (x - y)^2 (and is false)


def test_weights_must_be_positive_and_the_constant_better(tmp_path):
    assert not verified(tmp_path, w='"-1"')
    assert not verified(tmp_path, c="1/2", w='"1", "3/2"', q='"x - y", "sqrt(x*y)"')  # not a polynomial, not better
    assert not verified(tmp_path, id="t", r="3")  # the identity holds, but 2 is not larger than the reference's 3


def test_a_square_cannot_show_a_strict_inequality(tmp_path):
    assert not verified(tmp_path, id="s")  # (x - y)^2 >= 0 but it is 0 at x = y
