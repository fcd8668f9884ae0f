"""Reading fenced code blocks out of a model reply."""

from __future__ import annotations

import pytest
from qed.verifiers.sandbox import extract_code_blocks


def test_python_blocks_come_back_in_order() -> None:
    text = "Intro\n```python\na = 1\n```\nmiddle\n```Python3\nprint(a)\n```\n"
    assert extract_code_blocks(text) == ["a = 1\n", "print(a)\n"]


def test_other_languages_and_untagged_blocks_are_skipped_unless_asked() -> None:
    text = "```bash\nls\n```\n```\nx = 2\n```\n```py\ny = 3\n```\n"
    assert extract_code_blocks(text) == ["y = 3\n"]
    assert extract_code_blocks(text, include_untagged=True) == ["x = 2\n", "y = 3\n"]
    assert extract_code_blocks(text, languages=("bash",)) == ["ls\n"]


def test_tilde_fences_and_longer_fences_holding_backticks() -> None:
    text = "~~~python\nprint('~')\n~~~\n````python\ns = '```'\nprint(s)\n````\n"
    assert extract_code_blocks(text) == ["print('~')\n", "s = '```'\nprint(s)\n"]


def test_info_string_attributes_after_the_language_are_ignored() -> None:
    assert extract_code_blocks("```python title=check.py\nprint(1)\n```") == ["print(1)\n"]
    assert extract_code_blocks("```python{.numberLines}\nprint(2)\n```") == ["print(2)\n"]


def test_indented_fence_in_a_list_item_is_dedented() -> None:
    text = "1. Compute:\n   ```python\n   for i in range(2):\n       print(i)\n   ```\n"
    assert extract_code_blocks(text) == ["for i in range(2):\n    print(i)\n"]


def test_a_block_cut_off_by_the_token_limit_is_dropped() -> None:
    text = "```python\nprint('complete')\n```\nAnd now:\n```python\nfor x in range(10):\n"
    assert extract_code_blocks(text) == ["print('complete')\n"]


def test_empty_block_and_no_block() -> None:
    assert extract_code_blocks("```python\n```") == [""]
    assert extract_code_blocks("no code here, just `inline` code") == []


def test_non_text_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="needs a str"):
        extract_code_blocks(None)  # type: ignore[arg-type]
