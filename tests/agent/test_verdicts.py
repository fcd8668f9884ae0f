from qed.agent.verdicts import read_verdict, reason_of


def test_the_last_verdict_line_decides():
    assert read_verdict("Step 2 is wrong.\nVERDICT: FAIL") == "fail"
    assert read_verdict("VERDICT: REJECT\n...on reflection...\nVERDICT: ACCEPT") == "pass"
    assert read_verdict("**Verdict:** pass") == "pass"


def test_a_reply_that_is_only_the_word_counts():
    assert read_verdict("PASS") == "pass"
    assert read_verdict("Looks right.\n\nFAIL.") == "fail"


def test_junk_is_no_verdict():
    assert read_verdict("") == "unknown"
    assert read_verdict("This solution would pass most graders.") == "unknown"
    assert read_verdict("VERDICT: maybe") == "unknown"


def test_reason_drops_the_verdict_line():
    assert reason_of("Step 3 divides by zero.\nVERDICT: FAIL") == "Step 3 divides by zero."
