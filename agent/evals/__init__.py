"""QED inside other evaluation frameworks: its problem sets, its loop and its judges as their parts.

`inspect_tasks` exposes them to Inspect AI (`pip install 'qed-workbench[inspect]'`): a task per
problem set, QED's loop (or the engine alone) as the solver, the final-answer comparison and the
proof judges as scorers. Nothing here is imported unless Inspect asks for it.
"""
