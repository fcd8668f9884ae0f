"""Numeric search for inequality problems: extrema, sign behaviour, closed-form recognition.

`extremum` gives the min or max of an expression over a formal problem's feasible set, exact when
it can be; `analyse_sign` says how lhs compares with rhs there; `recognise` reads a closed form
from digits. The modules underneath: compile (vectorised numpy), domain (charts of the feasible
set), search (batch multi-start minimisation), exact (exact extremal points), closed_form.
"""

from qed.verifiers.numeric.closed_form import recognise
from qed.verifiers.numeric.extremum import Extremum, extremum
from qed.verifiers.numeric.sign import SignResult, analyse_sign

__all__ = ["Extremum", "SignResult", "analyse_sign", "extremum", "recognise"]
