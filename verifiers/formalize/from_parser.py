"""The deterministic path: statement -> reading -> FormalProblem, checked before it is returned."""

from __future__ import annotations

from dataclasses import replace

from qed.verifiers.formal import FormalProblem
from qed.verifiers.formalize.bound import isolate
from qed.verifiers.formalize.build import build, check_values, default_values
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.reading import Reading, read_statement
from qed.verifiers.formalize.sanity import check, sample_feasible


def complete(fp: FormalProblem) -> FormalProblem:
    """Isolate the constant of a bound record and check the record at feasible points.

    Real parameters (the answer is a function of them) are sampled like variables here, so the
    constant is isolated the same way for every value they take."""
    params = dict(fp.extra.get("real_parameters") or {})
    probe = replace(fp, variables=list(fp.variables) + list(params), domains={**fp.domains, **params}) if params else fp
    points = sample_feasible(probe)
    if not points:
        raise FormalizeError("no feasible point found (the conditions may be misread)")
    if fp.kind == "bound":
        isolate(probe, points)
    check(probe, points)
    if params:
        fp.target, fp.sense, fp.notes = probe.target, probe.sense, probe.notes
        fp.constraints, fp.extra = probe.constraints, probe.extra
    return fp


def instantiate(reading: Reading, values: dict[str, int]) -> FormalProblem:
    check_values(reading, values)
    fp = complete(build(reading, values))
    if reading.parameters:
        fp.instantiate = lambda given: instantiate(
            reading, {str(k): int(v) for k, v in given.items()}
        )
        fp.extra["count_parameters"] = reading.count_parameters()
    return fp


def parse_statement(statement: str, kind: str) -> FormalProblem:
    """The parser's record for a bound or relation statement; FormalizeError says why not."""
    reading = read_statement(statement, kind)
    return instantiate(reading, default_values(reading))
