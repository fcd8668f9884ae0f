"""Problems: one record for every source, and loaders that turn files into records."""

from problems.errors import ProblemLoadError
from problems.load import load_problems
from problems.record import Problem, ProblemKind, ProofToGrade

__all__ = ["Problem", "ProblemKind", "ProblemLoadError", "ProofToGrade", "load_problems"]
