"""The research loop: recall, generate, self-verify, execute, review, then accept, refine or abstain."""
