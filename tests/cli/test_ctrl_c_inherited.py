"""A SIGINT that QED's launcher ignored is QED's again at a terminal, and stays ignored elsewhere."""

from __future__ import annotations

import signal
import sys

from qed.cli.app import _listen_to_ctrl_c


def _after(isatty: bool, monkeypatch) -> object:  # noqa: ANN001
    monkeypatch.setattr(sys.stdin, "isatty", lambda: isatty, raising=False)
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _listen_to_ctrl_c()
        return signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, before)


def test_at_a_terminal_ctrl_c_works_even_if_the_launcher_ignored_it(monkeypatch):
    assert _after(True, monkeypatch) is signal.default_int_handler


def test_without_a_terminal_the_launchers_choice_stands(monkeypatch):
    assert _after(False, monkeypatch) is signal.SIG_IGN
