"""Problems: one record for every source, and loaders that turn files into records."""

from qed.problems.errors import ProblemLoadError
from qed.problems.load import count_selected, iter_problems, load_problems, select
from qed.problems.record import Problem, ProblemKind, ProofToGrade

__all__ = [
    "Problem",
    "ProblemKind",
    "ProblemLoadError",
    "ProofToGrade",
    "count_selected",
    "iter_problems",
    "load_problems",
    "select",
]
