"""Calibration of the judges: a planted-flaw corpus built from reference solutions, and the run
that measures each judge's detection rate per flaw type and false-rejection rate."""
