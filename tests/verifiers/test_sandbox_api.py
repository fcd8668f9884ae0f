"""What a caller of the sandbox sees: results, scratch directory, inputs, limits, errors."""

from __future__ import annotations

import ast
import os
import shutil
import sys
from pathlib import Path

import pytest
from qed.verifiers.sandbox import Limits, SandboxError, SandboxResult, run_checks, run_python

QUICK = Limits(cpu_seconds=3, wall_seconds=8)


def test_output_and_exit_status_come_back() -> None:
    result = run_python("import sys\nprint('out')\nprint('err', file=sys.stderr)\n", limits=QUICK)
    assert (result.stdout, result.stderr, result.exit_code, result.signal) == (
        "out\n",
        "err\n",
        0,
        None,
    )
    assert result.ok and result.limit_hit is None
    assert result.reason == "exited normally"
    assert result.duration > 0


def test_exit_code_of_sys_exit_is_kept() -> None:
    result = run_python("raise SystemExit(3)\n", limits=QUICK)
    assert result.exit_code == 3
    assert not result.ok
    assert result.reason == "exited with status 3"


def test_an_exception_is_named_in_the_reason_with_a_clean_traceback() -> None:
    result = run_python("def f():\n    return 1 / 0\n\nf()\n", limits=QUICK)
    assert result.exit_code == 1
    assert result.reason == "exited with status 1 (ZeroDivisionError: division by zero)"
    assert 'main.py", line 4, in <module>' in result.stderr
    assert 'main.py", line 2, in f' in result.stderr
    assert "runpy" not in result.stderr and "<string>" not in result.stderr


def test_a_syntax_error_is_reported_not_raised() -> None:
    result = run_python("print('unclosed'\n", limits=QUICK)
    assert result.exit_code == 1
    assert "SyntaxError" in result.reason


def test_undecodable_output_is_replaced_not_fatal() -> None:
    result = run_python("import sys\nsys.stdout.buffer.write(b'ok \\xff\\n')\n", limits=QUICK)
    assert result.stdout == "ok \ufffd\n"


def test_the_child_is_isolated_with_a_minimal_environment(monkeypatch) -> None:
    monkeypatch.setenv("QED_SANDBOX_SECRET", "do-not-leak")
    code = (
        "import os, sys, tempfile\n"
        "print(sys.flags.isolated, 'QED_SANDBOX_SECRET' in os.environ)\n"
        "print(os.environ['HOME'] == os.getcwd() == tempfile.gettempdir())\n"
    )
    result = run_python(code, limits=QUICK)
    assert result.stdout.split() == ["1", "False", "True"]


def test_scratch_directory_is_fresh_private_and_removed() -> None:
    code = "import os\nprint(os.getcwd())\nprint(sorted(os.listdir('.')))\nopen('made.txt', 'w').write('x')\n"
    first = run_python(code, limits=QUICK)
    second = run_python(code, limits=QUICK)
    cwd_first, listing, *_ = first.stdout.splitlines()
    assert listing == "['main.py']"
    assert cwd_first != second.stdout.splitlines()[0]
    assert not Path(cwd_first).exists()
    assert first.scratch_dir is None


def test_keep_scratch_leaves_what_the_code_wrote() -> None:
    result = run_python("open('answer.txt', 'w').write('42')\n", limits=QUICK, keep_scratch=True)
    try:
        assert result.scratch_dir is not None
        assert (result.scratch_dir / "answer.txt").read_text() == "42"
    finally:
        shutil.rmtree(result.scratch_dir, ignore_errors=True)


def test_inputs_are_readable_and_importable() -> None:
    inputs = {"data/values.txt": "3 4 5\n", "helper.py": "def double(x):\n    return 2 * x\n"}
    code = "from helper import double\nnums = open('data/values.txt').read().split()\nprint(double(sum(map(int, nums))))\n"
    result = run_python(code, limits=QUICK, inputs=inputs)
    assert result.ok, result.stderr
    assert result.stdout == "24\n"


@pytest.mark.parametrize("name", ["../escape.txt", "/etc/passwd", "", "main.py", "a/../../b"])
def test_bad_input_names_are_refused(name: str) -> None:
    with pytest.raises(SandboxError, match="input name"):
        run_python("pass", inputs={name: "x"})


def test_bad_arguments_are_refused_with_a_clear_error() -> None:
    with pytest.raises(SandboxError, match="code must be a str"):
        run_python(b"print(1)")  # type: ignore[arg-type]
    with pytest.raises(SandboxError, match="must be text"):
        run_python("pass", inputs={"x.txt": b"bytes"})  # type: ignore[dict-item]


def test_limits_validate_and_only_tighten() -> None:
    with pytest.raises(SandboxError, match="cpu_seconds must be a positive number"):
        Limits(cpu_seconds=0)
    with pytest.raises(SandboxError, match="processes must be at least 2"):
        Limits(processes=1)
    with pytest.raises(SandboxError, match="unknown limit"):
        Limits().tightened(gpu_seconds=1)
    base = Limits()
    tighter = base.tightened(cpu_seconds=2, wall_seconds=1000)
    assert tighter.cpu_seconds == 2
    assert tighter.wall_seconds == base.wall_seconds


def test_threads_and_a_process_pool_work_within_the_limits() -> None:
    code = (
        "import multiprocessing, threading\n"
        "def square(x):\n"
        "    return x * x\n"
        "if __name__ == '__main__':\n"
        "    threads = [threading.Thread(target=square, args=(i,)) for i in range(4)]\n"
        "    for t in threads: t.start()\n"
        "    for t in threads: t.join()\n"
        "    with multiprocessing.Pool(2) as pool:\n"
        "        print(pool.map(square, range(5)))\n"
    )
    result = run_python(code, limits=QUICK)
    assert result.ok, result.reason + result.stderr
    assert result.stdout == "[0, 1, 4, 9, 16]\n"


@pytest.mark.skipif(
    os.geteuid() != 0, reason="the home directory is covered only when running as root"
)
def test_the_users_home_is_hidden_apart_from_the_interpreter() -> None:
    home = Path.home()
    if os.stat(home).st_mode & 0o001:
        pytest.skip("this home directory is world-enterable: nothing to cover")
    interpreter = Path(os.path.realpath(sys.base_prefix))
    allowed = (
        {interpreter.relative_to(home).parts[0]} if interpreter.is_relative_to(home) else set()
    )
    result = run_python(f"import os\nprint(sorted(os.listdir({str(home)!r})))\n", limits=QUICK)
    assert result.ok, result.stderr
    assert set(ast.literal_eval(result.stdout)) <= allowed


def test_for_model_gives_reason_and_clipped_output() -> None:
    result = SandboxResult(
        stdout="x" * 10_000,
        stderr="Traceback ...\nValueError: boom\n",
        exit_code=1,
        signal=None,
        limit_hit=None,
        duration=0.1,
        reason="exited with status 1 (ValueError: boom)",
    )
    text = result.for_model(max_chars=1000)
    assert text.startswith("[sandbox] exited with status 1 (ValueError: boom)")
    assert "more characters]" in text
    assert text.rstrip().endswith("ValueError: boom")
    assert len(text) < 1300


def test_run_checks_runs_all_python_blocks_of_a_reply_as_one_program() -> None:
    reply = (
        "First define the function:\n\n"
        "```python\ndef f(a, b):\n    return a / b + b / a\n```\n\n"
        "A shell aside that must not run:\n\n```bash\nrm -rf /\n```\n\n"
        "Then check it:\n\n```py\nprint(min(f(a, b) for a in range(1, 9) for b in range(1, 9)))\n```\n"
    )
    result = run_checks(reply, limits=QUICK)
    assert result is not None and result.ok, result and result.stderr
    assert result.stdout == "2.0\n"


def test_run_checks_without_code_returns_none() -> None:
    assert run_checks("The answer is $C = 3/2$.") is None
