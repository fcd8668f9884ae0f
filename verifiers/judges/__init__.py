"""Open judges for proofs: what computation can decide is decided by computation, the rest by models.

Every judge returns a `JudgeVerdict` (verdict.py): `verdict` is "pass", "fail" or "no_verdict"
(never counted as a pass), with `reason`, the offending `step` (0-based index into
`extract.split_steps(proof)`) and its `quote`, `findings` (one per place looked at), `stats`,
`score` (DSM verifier) and `raw` model replies.

API for the loop (self_verify, review) and for `qed grade`:

    from qed.verifiers.judges import numeric_computation, numeric_approximation, final_answer_judge
    from qed.verifiers.judges import toy_case, logical_gap, dsm_verifier

    numeric_computation.check(text, problem=None) -> JudgeVerdict
        No model. Recomputes the equalities, inequalities and evaluations written in the LaTeX
        (chains, aligned displays); fails only on what is demonstrably wrong. `problem` (a Problem
        or its statement) supplies the domain and side conditions.
    numeric_approximation.check(text, problem=None) -> JudgeVerdict
        No model. Decimals used where exact values are needed.
    final_answer_judge.check(problem, proof) -> JudgeVerdict
        No model. The bound / relation answer read from the proof, compared exactly
        (verifiers.final_answer) with problem.answer.
    toy_case.judge(problem, proof, model, options=None) -> JudgeVerdict
    logical_gap.judge(problem, proof, model, options=None) -> JudgeVerdict
        Model judges (prompts in prompts/*.txt); long proofs are judged window by window.
        `options` is model_judge.ModelJudgeOptions (max_tokens, window_chars, temperature).
    dsm_verifier.verify(problem, proof, model, k=1, *, meta=True, meta_model=None, options=None)
        DeepSeekMath-V2 protocol: issues and a score in {0, 0.5, 1} per sample, a meta-verifier
        checks the claimed issues, samples aggregated by mean (`score`) and majority
        (`stats["majority"]`); no readable score is no_verdict.

    registry.run_judge(name, problem, proof, models, settings) runs any judge by name
    (models: {"judge": ChatModel, "verifier": ChatModel}); registry.parse_judges("numeric") and
    registry.roles_needed(names) say which judges and model roles a selection means.
    grading.grade(GradeItem(id, label, proof, problem), names, models) -> GradeResult combines
    judges into per-step verdicts and an overall verdict.

Calibration (calibration/): planted-flaw corpora from reference solutions and the detection /
false-rejection measurement behind `qed judges calibrate`.
"""

from qed.verifiers.judges.verdict import Finding, JudgeVerdict

__all__ = ["Finding", "JudgeVerdict"]
