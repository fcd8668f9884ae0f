"""Contradictions are decided by computation, and the loser is superseded or refuted, never deleted."""

from __future__ import annotations

from qed.memory.formal_facts import contradiction, parse_fact, point_refutes

from .conftest import nesbitt


def test_planted_counterexample_refutes_false_fact_and_true_fact_survives(mem):
    false_id = mem.add("fact", "for positive a, b, c the Nesbitt sum is at least 2", formal=nesbitt("2"))
    true_id = mem.add("fact", "for positive a, b, c the Nesbitt sum is at least 3/2", formal=nesbitt("3/2"))
    cex = mem.add("counterexample", "a = b = c = 1 gives 3/2", data={"point": {"a": 1, "b": 1, "c": 1}})
    assert mem.get(false_id).status == "refuted"
    assert mem.get(true_id).status == "active"
    refutes = [e for e in mem.store.edges_of(cex) if e.kind == "refutes"]
    assert [e.dst for e in refutes] == [false_id]
    assert "fails" in refutes[0].data["reason"]


def test_point_outside_the_hypotheses_refutes_nothing(mem):
    fact = mem.add("fact", "Nesbitt at least 3/2", formal=nesbitt("3/2"))
    mem.add("counterexample", "a negative a breaks it", data={"point": {"a": -1, "b": 2, "c": 3}})
    assert mem.get(fact).status == "active"


def test_fact_arriving_after_its_counterexample_is_written_as_refuted(mem):
    mem.add("counterexample", "the equal point", data={"point": {"a": 2, "b": 2, "c": 2}})
    late = mem.add("fact", "Nesbitt at least 7/4", formal=nesbitt("7/4"))
    node = mem.get(late)
    assert node.status == "refuted"  # kept, visibly refuted, not dropped


def test_contradicting_facts_are_settled_by_a_found_counterexample(mem):
    tight = mem.add("fact", "Nesbitt's bound 3/2 is tight", formal=nesbitt("3/2", extremum={"sense": "min"}))
    wrong = mem.add("fact", "the Nesbitt sum is below 3/2", formal=nesbitt("3/2", rel="<"))
    assert mem.get(wrong).status == "refuted"
    assert mem.get(tight).status == "active"
    cex = [e for e in mem.store.edges_of(wrong) if e.kind == "refutes"]
    assert cex and mem.get(cex[0].src).kind == "counterexample"
    assert any(e.kind == "contradicts" for e in mem.store.edges_of(wrong))


def test_sympy_sees_a_contradiction_through_rewriting():
    a = parse_fact(nesbitt("3/2", extremum={"sense": "min"}))
    # same expression written differently, over a common denominator shift: lhs - 2 >= 0
    b = parse_fact({**nesbitt("0"), "lhs": "a/(b+c) + b/(c+a) + c/(a+b) - 2"})
    assert contradiction(a, b) is not None
    same = parse_fact({**nesbitt("0"), "lhs": "a/(b+c) + b/(c+a) + c/(a+b) - 3/2"})
    assert contradiction(a, same) is None


def test_point_refutes_is_exact_about_the_boundary():
    fact = parse_fact(nesbitt("3/2"))
    assert point_refutes({"a": "1/3", "b": "1/3", "c": "1/3"}, fact) is None  # equality, not a violation
    assert point_refutes({"a": 1, "b": 1, "c": 1}, parse_fact(nesbitt("3/2", rel=">"))) is not None


def test_certified_lemma_supersedes_the_same_uncertified_fact(mem):
    fact = mem.add("fact", "Nesbitt >= 3/2 (numerical)", formal=nesbitt("3/2"))
    lemma = mem.add("lemma", "Nesbitt >= 3/2 (certified)", formal=nesbitt("3/2"))
    assert lemma != fact
    assert mem.get(fact).status == "superseded"
    assert any(e.kind == "supersedes" and e.src == lemma for e in mem.store.edges_of(fact))


def test_same_formal_statement_merges_instead_of_duplicating(mem):
    first = mem.add("fact", "Nesbitt >= 3/2", formal=nesbitt("3/2"))
    again = mem.add("fact", "the cyclic sum a/(b+c) is at least three halves",
                    formal={**nesbitt("3/2"), "lhs": "c/(a+b) + b/(a+c) + a/(b+c)"})
    assert again == first
    assert mem.get(first).support == 2


def test_a_fact_with_extra_conditions_is_linked_as_a_special_case(mem):
    general = mem.add("fact", "Nesbitt >= 3/2", formal=nesbitt("3/2"))
    special = mem.add("fact", "Nesbitt >= 3/2 when a + b + c = 3", formal=nesbitt("3/2", constraints=["Eq(a + b + c, 3)"]))
    assert special != general and mem.get(special).status == "active"
    edges = [(e.src, e.dst) for e in mem.store.edges_of(special) if e.kind == "specializes"]
    assert edges == [(special, general)]
