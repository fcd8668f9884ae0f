"""Open judges for proofs: what computation can decide is decided by computation, the rest by models.

A judge is a module of this package exporting `JUDGE = Judge(name, role, summary, check, stepwise=...)`
(judge.py); the registry (registry.py) finds every such module, so adding a judge is adding its file
(and, for a model judge, its prompt in prompts/). Every judge is called the same way:

    from qed.verifiers.judges.registry import run_judge, get, parse_judges
    run_judge(name, problem_or_None, proof, models={"judge": m, "verifier": m}, settings=None) -> JudgeVerdict
    get(name).run(problem, proof, JudgeContext(models, settings))        # the same, by the Judge

and returns a `JudgeVerdict` (verdict.py): `verdict` is "pass", "fail", "not_checked" or
"no_verdict" (only "pass" is a pass), with `reason`, the offending `step` (0-based index into
`extract.split_steps(proof)`) and its `quote`, `coverage` (what it checked, of what it read, of what
it looks for), `findings` (one per place looked at: how it was checked, or why not), `applicable`,
`stats`, `score` (DSM verifier) and `raw` model replies. A judge that does not apply decides
nothing; a pass needs at least one place checked (judge.settle).

The judges: numeric_computation (it also evaluates at the points a proof states: stated_points.py),
numeric_approximation, toy_case (special cases and no general step) and theorem_use (AM-GM,
Cauchy-Schwarz and Schur steps are instances: theorem_forms.py), all with no model, in a bounded
child; final_answer (no model; applies to bound and relation problems); toy_case_model and
logical_gap (model, window by window), dsm_verifier (DeepSeekMath-V2 protocol: issues, score in
{0, 0.5, 1}, meta-check).
`qed judges list` prints them with their groups.

grading.grade(GradeItem(id, label, proof, problem), names, models) -> GradeResult combines judges into
per-step verdicts (which judge checked each step, how, and what was not checked) and an overall
verdict; report.py renders it. The loop calls the same registry: self_verify runs the step-wise judges
that need no model, review runs dsm_verifier with the reviewer's model.

Calibration (calibration/): planted-flaw corpora from reference solutions and the detection /
false-rejection measurement behind `qed judges calibrate`.
"""

from qed.verifiers.judges.verdict import Coverage, Finding, JudgeVerdict

__all__ = ["Coverage", "Finding", "JudgeVerdict"]
