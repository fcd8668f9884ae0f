"""Problems: one record for every source, and loaders that turn files into records."""

from qed.problems.errors import ProblemLoadError
from qed.problems.load import load_problems
from qed.problems.record import Problem, ProblemKind, ProofToGrade

__all__ = ["Problem", "ProblemKind", "ProblemLoadError", "ProofToGrade", "load_problems"]
