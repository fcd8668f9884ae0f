"""Why a Lean check could not even be set up: bad input from the caller, in one actionable line."""

from __future__ import annotations


class LeanInputError(ValueError):
    """The theorem, proof, imports or options handed to the Lean backend are malformed."""


class LeanRenderError(ValueError):
    """A formal record cannot be stated in Lean (not polynomial over ℝ, missing answer, ...)."""
