"""Calibration's default inputs and the flaw types it plants, in a module that imports only pathlib.

`qed judges calibrate --help` shows these defaults; mutations.py, references.py and errata.py
(which load sympy and numpy) use the same names from here.
"""

from pathlib import Path

DEFAULT_DATA = Path("../shared/data")
INEQMATH = Path("ineqmath/train_sample_200.json")
PROOFBENCH = Path("imobench/proofbench_v2.csv")
ERRATA = Path(__file__).with_name("errata.toml")
FLAW_TYPES: tuple[str, ...] = ("wrong_number", "decimal", "toy_case", "missing_justification", "flipped_sign",
                               "equality_value", "non_instance")
