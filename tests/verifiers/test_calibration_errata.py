"""Errata: a flag on a reference counts as a catch only for relations confirmed false, re-checked here."""

from __future__ import annotations

from pathlib import Path

import pytest
from qed.problems.record import Problem
from qed.verifiers.judges.calibration.errata import Claim, Errata, Erratum, confirm, load_errata
from qed.verifiers.judges.calibration.run import CorpusItem, calibrate, markdown

STATEMENT = "Let $a, b, c$ be positive real numbers with $a+b+c=3$. Prove that $ab+bc+ca \\leq 3$."
WRONG = "a+b+c \\geq 4"


def problem() -> Problem:
    return Problem(id="p", kind="proof", statement=STATEMENT)


def erratum(at: dict[str, str], latex: str = WRONG) -> Erratum:
    return Erratum(["test:p"], "a slip", [Claim(latex, at)])


def test_an_erratum_is_confirmed_only_where_the_claim_is_false_on_the_problems_setting() -> None:
    ok, holds, off_surface, negative = confirm([
        erratum({"a": "1", "b": "1", "c": "1"}),
        erratum({"a": "2", "b": "2", "c": "2"}, "a+b+c \\geq 3"),  # true there: not an error
        erratum({"a": "1", "b": "1", "c": "1/2"}),  # a + b + c = 3 does not hold
        erratum({"a": "-1", "b": "2", "c": "2"}),  # outside the positive domain
    ], {"test:p": problem()})
    assert ok.confirmed
    assert not holds.confirmed and "holds" in holds.problems[0]
    assert not off_surface.confirmed and "condition" in off_surface.problems[0]
    assert not negative.confirmed and "domain" in negative.problems[0]


def test_closed_claims_need_no_point() -> None:
    [e] = confirm([erratum({}, "\\sqrt{\\frac{32}{3}}>4")], {})
    assert e.confirmed


def test_a_flag_is_explained_only_when_every_wrong_relation_is_listed() -> None:
    known = Errata(confirm([erratum({"a": "1", "b": "1", "c": "1"})], {"test:p": problem()}))
    assert known.explains("test:p", ["a+b+c  \\geq 4"])  # spacing does not matter
    assert not known.explains("test:p", ["a+b+c \\geq 4", "ab \\geq 9"])
    assert not known.explains("test:other", ["a+b+c \\geq 4"])
    assert not known.explains("test:p", [])


def test_calibration_counts_known_errors_apart_from_false_rejections() -> None:
    p = problem()
    items = [CorpusItem("test:p/none", "test:p", "test", "none", p, f"Adding, we get ${WRONG}$."),
             CorpusItem("test:q/none", "test:q", "test", "none", p, "Adding, we get $a+b+c \\geq 5$.")]
    known = Errata(confirm([erratum({"a": "1", "b": "1", "c": "1"})], {"test:p": p}))
    cal = calibrate(items, ["numeric_computation"], {}, errata=known)
    cell = cal.judges[0].cells["none"]
    assert (cell.n, cell.fail, cell.known_error) == (2, 2, 1)
    assert cell.rate == 1.0  # the one reference without a known error was rejected
    md = markdown(cal, {})
    assert "Flags on confirmed errors" in md and "test:q/none" in md.split("## Flags")[0]


def test_the_shipped_errata_read_and_name_their_claims() -> None:
    errata = load_errata()
    assert errata and all(e.refs and e.claims and e.why for e in errata)
    # closed claims and claims whose problems are not at hand are re-checked on their own
    checked = confirm(errata, {})
    assert all(e.confirmed for e in checked), [e.problems for e in checked if not e.confirmed]


def test_a_malformed_errata_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "errata.toml"
    bad.write_text("[[erratum]]\nwhy = 'no refs'\n")
    with pytest.raises(ValueError, match="needs refs"):
        load_errata(bad)
    bad.write_text("not = [toml")
    with pytest.raises(ValueError, match="not TOML"):
        load_errata(bad)


INEQMATH = Path("../shared/data/ineqmath/train_sample_200.json")


@pytest.mark.skipif(not INEQMATH.exists(), reason=f"IneqMath sample not found at {INEQMATH}")
def test_the_shipped_errata_hold_on_their_problems_and_quote_their_references() -> None:
    from qed.verifiers.judges.calibration.errata import normalize
    from qed.verifiers.judges.calibration.references import load_references

    refs = {r.id: r for r in load_references([INEQMATH])}
    errata = confirm(load_errata(), {k: r.problem for k, r in refs.items()})
    assert all(e.confirmed for e in errata), [e.problems for e in errata if not e.confirmed]
    for e in errata:
        for ref in e.refs:
            text = normalize(refs[ref].text)
            for c in e.claims:
                assert normalize(c.latex) in text, (ref, c.latex[:60])


def test_a_planted_flaw_is_not_detected_by_a_flag_on_the_references_own_known_error() -> None:
    p = problem()
    only_old = CorpusItem("test:p/wrong_number", "test:p", "test", "wrong_number", p,
                          f"Adding, we get ${WRONG}$, and $ab+bc+ca \\leq 3$.")  # the planted change went unseen
    caught = CorpusItem("test:p/flipped_sign", "test:p", "test", "flipped_sign", p,
                        f"Adding, we get ${WRONG}$, and $2 + 2 = 5$.")
    known = Errata(confirm([erratum({"a": "1", "b": "1", "c": "1"})], {"test:p": p}))
    cal = calibrate([only_old, caught], ["numeric_computation"], {}, errata=known)
    cells = cal.judges[0].cells
    assert (cells["wrong_number"].fail, cells["wrong_number"].known_error, cells["wrong_number"].rate) == (1, 1, None)
    assert (cells["flipped_sign"].fail, cells["flipped_sign"].known_error, cells["flipped_sign"].rate) == (1, 0, 1.0)
