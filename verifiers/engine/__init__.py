"""The inequality engine: formal record -> numeric search -> exact value -> certificate, or abstention.

`solve_problem(problem, model=None)` formalizes a statement and answers it without a model;
`solve_formal(fp)` answers a FormalProblem. Both return an EngineAnswer that carries its evidence.
"""

from qed.verifiers.engine.answer import EngineAnswer
from qed.verifiers.engine.solve import solve_formal, solve_formal_isolated, solve_problem

__all__ = ["EngineAnswer", "solve_formal", "solve_formal_isolated", "solve_problem"]
