"""Certificates for polynomial inequalities: z3 and cvc5 in killable child processes.

`certify_nonnegative` (in verifiers.smt.certify) is the entry point; this package's __init__
stays free of heavy imports because the solver worker process imports it too.
"""
