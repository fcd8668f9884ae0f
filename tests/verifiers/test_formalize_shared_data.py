"""The formalizer on real IneqMath statements (skipped when ../shared/data is absent).

Only a spread-out tenth of the 200-problem sample, to keep the suite fast; the full figure is
printed by bench/formalize_rate.py. No statement may make formalize raise.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from qed.problems import load_problems
from qed.verifiers.formalize import formalize

INEQMATH = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ineqmath"


def sample(name: str, every: int) -> list:
    path = INEQMATH / name
    if not path.exists():
        pytest.skip(f"{path} is absent (shared data sets live in ../shared/data)")
    return load_problems(path)[::every]


def test_a_tenth_of_the_sample_is_read_with_finite_records():
    problems = sample("train_sample_200.json", 10)
    outcomes = [formalize(p) for p in problems]
    read = [o for o in outcomes if o.ok]
    assert len(read) >= 0.9 * len(problems), [o.reason for o in outcomes if not o.ok]
    for outcome in read:
        fp = outcome.formal
        assert fp.origin == "parser" and fp.variables
        if fp.kind == "bound":
            assert fp.target is not None and fp.sense in ("min", "max")
        else:
            assert fp.lhs is not None and fp.rhs is not None


def test_few_shot_examples_are_read():
    problems = sample("few_shot_examples.json", 1)
    assert all(formalize(p).ok for p in problems)
