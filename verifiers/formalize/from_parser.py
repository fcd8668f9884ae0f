"""The deterministic path: statement -> reading -> FormalProblem, checked before it is returned."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from qed.verifiers.formal import FormalProblem
from qed.verifiers.formalize.bound import isolate
from qed.verifiers.formalize.build import build, check_values, default_values
from qed.verifiers.formalize.errors import FormalizeError
from qed.verifiers.formalize.reading import Reading, read_statement
from qed.verifiers.formalize.sanity import check, sample_feasible
from qed.verifiers.input_limits import MAX_STATEMENT_CHARS, too_long


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
        # a partial of module functions, not a lambda: the record travels back from a bounded child
        fp.instantiate = partial(_rebuild, reading)
        fp.extra["count_parameters"] = reading.count_parameters()
    return fp


def _rebuild(reading: Reading, given: dict) -> FormalProblem:
    return instantiate(reading, {str(k): int(v) for k, v in given.items()})


def parse_statement(statement: str, kind: str) -> FormalProblem:
    """The parser's record for a bound or relation statement; FormalizeError says why not."""
    refusal = too_long("the statement", len(statement), MAX_STATEMENT_CHARS)
    if refusal:
        raise FormalizeError(refusal)
    reading = read_statement(statement, kind)
    return instantiate(reading, default_values(reading))
