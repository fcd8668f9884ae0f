"""Certificates: inequality proofs as JSON that anyone can re-check with sympy alone.

A certificate states a claim and the evidence for it; `check.py` in this package (standard library
and sympy only, no other QED module) verifies one from its JSON, and `qed check CERT.json` runs it.
The search that writes certificates (`search.py`) returns only certificates that re-verify.

The form, version "qed-certificate/1" (every expression is a string of the grammar in check.py:
integers, + - * / ^ with integer exponents, parentheses, declared names, sqrt/cbrt in the claim):

    {
      "format": "qed-certificate/1",
      "claim": {
        "variables": ["a", "b", "c"],
        "facts": [{"expr": "a", "op": ">"}, {"expr": "a - b", "op": ">="}, {"expr": "x - 1", "op": "!="}],
        "equalities": ["a*b*c - 1"],                  # each h = 0
        "lhs": "...", "rhs": "...",
        "relation": ">=" | ">" | "<=" | "<" | "=" | "none",
        "constant": {"name": "C", "value": "2", "extreme": "largest" | "smallest"}   # bound problems
      },
      "verdict": "holds" | "fails",
      "proof": STEP,                                  # holds, relation other than "none"
      "points": {"above": POINT, "below": POINT},     # holds, relation "none": lhs > rhs and lhs < rhs
      "counterexample": POINT,                        # fails: a point of the domain where the claim fails
      "domain_point": POINT,                          # optional: a point of the domain (not vacuous)
      "optimality": {"point": POINT}                  # with a constant: equality there, any C beyond fails
                  | {"family": {"parameter": "t", "point": {var: rational function of t},
                                "interval": [lo, hi], "limit": "lo" | "hi"}},
      "method": "...", "notes": "..."                 # for people; not checked
    }

The domain is the set of points where every fact and equality holds and every expression of the
claim is defined (no zero denominator, no negative radicand). The goal is lhs - rhs (rhs - lhs for
<= and <), with C replaced by its value; the proof shows goal >= 0, > 0 or = 0 on the domain.
A STEP proves "goal op 0 on the current domain" (op is >=, > or ==), where facts are referred to by
their index in the current domain's list:

    {"step": "sos", "multipliers": [λ_k], "terms": [{"c": "3/2", "m": [0, 2], "s": "a - b"}],
     "strict": {"term": i, "proof": STEP}}
        goal - Σ λ_k h_k = Σ c_i · m_i · s_i² exactly; c_i >= 0 rational, m_i a product of facts
        (indices, repeats allowed, [] is 1), s_i and λ_k polynomials. For > : term i has c > 0,
        only strict facts, and s a nonzero constant or a proof that s > 0.
    {"step": "ideal", "multipliers": [λ_k]}        goal = Σ λ_k h_k, so goal = 0 (for ==)
    {"step": "multiply", "factors": [{"factor": f, "power": k, "proof": STEP}], "goal": P, "then": STEP}
        each f > 0 (its proof), D = Π f^k, goal · D = P (a polynomial) exactly; then P op 0.
        Also a conjugate: (A + C·w)·(A - C·w) = A² - C²·w² removes a radical variable w.
    {"step": "substitute", "variables": [new names], "facts": [...], "equalities": [...],
     "forward": {old: expr(new)}, "inverse": {new: expr(old)}, "inverse_defined": [...],
     "composition": {old: STEP}, "facts_hold": [STEP per new fact], "equalities_hold": [STEP],
     "goal": expr(new), "goal_proof": STEP, "then": STEP}
        the inverse is defined on the domain, forward(inverse(x)) = x there, the inverse maps the
        domain into the new one (each new fact and equality holds at inverse(x)), and the new goal
        at inverse(x) is the goal (formally, or on the domain by goal_proof, a proof that their
        difference is 0): so every point has a preimage where the new goal is proved.
        Covers x = u², Ravi's a = y + z, c = 1/(ab) under abc = 1, a = x, b = x + p, c = x + p + q,
        x_i = y_i/y_{i+1} under x_1···x_n = k, and a variable eliminated by a linear equality.
    {"step": "cases", "order": [vars], "symmetries": [[images of order]], "cases": [{"ascending": [vars], "then": STEP}]}
        goal and domain are invariant under the symmetries; every ordering of the values is, up to
        a symmetry, one of the cases (x_1 <= x_2 <= ... added as facts).
    {"step": "sum", "multipliers": [λ_k], "parts": [{"expr": e, "op": ">=" | ">" | "==", "proof": STEP}]}
        goal = Σ parts + Σ λ_k h_k, each part proved on the same domain.
    {"step": "root"}   goal = k · Π w_i^(r_i), k > 0, r_i positive fractions: >= 0 (> 0 with
        "radicands": [STEP per w_i > 0]).
A sum step may carry "why": "tangent" | "root-tangent", which names the idea of the split for the
readable proof (not checked; the proof shows one fixed sentence per name).
Any step may carry "defined": [{"base": b, "op": ">" | ">=", "proof": STEP}] showing that a
denominator (or radicand) of its goal is nonzero (>= 0) where the claim's convention does not.
"""

FORMAT = "qed-certificate/1"

__all__ = ["FORMAT"]
