"""The shared reading of relations: what the judges and the calibration's mutations both rely on."""

from __future__ import annotations

from qed.verifiers.judges.extract import find_math, relations_in
from qed.verifiers.judges.reading import INEQUALITIES, blank_relation, parse_all, readable


def test_unreadable_relations_keep_their_place_and_other_operators_can_be_left_out() -> None:
    rels = relations_in(r"We have $x^2 \geq 0$, then $\foo{x} = 1$ and $a = b$.")
    parsed = parse_all(rels)
    assert len(parsed) == len(rels) == 3
    assert parsed[0] is not None and parsed[1] is None and parsed[2] is not None
    only = parse_all(rels, INEQUALITIES)
    assert only[0] is not None and only[2] is None  # `a = b` left out, in its place
    assert [p.op for _r, p in readable(rels)] == [">=", "="]


def test_a_blank_relation_is_read_or_said_unreadable() -> None:
    blank = blank_relation(find_math(r"Compare $$a + b \quad () \quad 2\sqrt{ab}$$ for $a, b > 0$."))
    assert blank is not None and (str(blank.lhs), str(blank.rhs)) == ("a + b", "2*sqrt(a*b)")
    assert blank.content.startswith("a + b")
    unreadable = blank_relation(find_math(r"$$\foo{a} \quad () \quad b$$"))
    assert unreadable is not None and unreadable.lhs is None and unreadable.rhs is None
    assert blank_relation(find_math(r"Prove $a + b \geq 2$.")) is None
