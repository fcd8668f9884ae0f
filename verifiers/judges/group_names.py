"""The names of the judge groups, in a module that imports nothing.

`qed grade --help`, `qed eval --help` and `qed judges calibrate --help` show them; importing the
registry for that would load sympy and every judge before the help can print.
"""

GROUP_NAMES: tuple[str, ...] = ("all", "numeric", "model", "stepwise")
