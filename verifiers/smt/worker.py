"""Child process that runs one SMT-LIB2 query with z3 or cvc5 and prints the verdict as JSON.

It is started by `verifiers.smt.run` and killed from outside at a hard deadline (cvc5 does not
honour its own time limit), so it needs no timeout logic of its own.
Usage: python -m qed.verifiers.smt.worker z3|cvc5 < query.smt2
"""

from __future__ import annotations

import json
import sys
from fractions import Fraction


def _z3(script: str) -> dict:
    import z3

    solver = z3.SolverFor("QF_NRA")
    solver.from_string(script)
    verdict = str(solver.check())
    model: dict[str, str] = {}
    if verdict == "sat":
        m = solver.model()
        for decl in m.decls():
            val = m[decl]
            if z3.is_rational_value(val):
                model[decl.name()] = str(Fraction(val.numerator_as_long(), val.denominator_as_long()))
            elif z3.is_algebraic_value(val):
                model[decl.name()] = val.approx(40).as_decimal(40).rstrip("?")
            else:
                model[decl.name()] = str(val)
    return {"status": verdict, "model": model}


def _cvc5(script: str) -> dict:
    import cvc5

    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("produce-models", "true")
    parser = cvc5.InputParser(solver)
    parser.setIncrementalStringInput(cvc5.InputLanguage.SMT_LIB_2_6, "query")
    parser.appendIncrementalStringInput(script)
    sm = parser.getSymbolManager()
    verdict = "unknown"
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        out = cmd.invoke(solver, sm).strip()
        if out in ("sat", "unsat", "unknown"):
            verdict = out
    model: dict[str, str] = {}
    if verdict == "sat":
        for term in sm.getDeclaredTerms():
            val = solver.getValue(term)
            if val.isRealValue():
                model[str(term)] = str(val.getRealValue())
            else:
                model[str(term)] = str(val)
    return {"status": verdict, "model": model}


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "z3"
    script = sys.stdin.read()
    try:
        result = _z3(script) if which == "z3" else _cvc5(script)
    except Exception as exc:  # the parent reports any solver failure as "error" with this text
        result = {"status": "error", "detail": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
