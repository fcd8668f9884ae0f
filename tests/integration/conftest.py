"""A real llama.cpp server with the small test model, started once for the integration tests."""

from __future__ import annotations

import pytest
from qed.models.catalog import TEST_MODEL
from qed.models.local_backend import LocalServer
from qed.models.store import ModelStore


@pytest.fixture(scope="session")
def test_model_path():
    path = ModelStore().path(TEST_MODEL)
    if path is None:
        pytest.skip(f"{TEST_MODEL} is not in the model cache; run: qed models pull {TEST_MODEL}")
    return path


@pytest.fixture()
def llama_server(test_model_path, tmp_path):
    """A private worker (not the shared one), so a test may kill it."""
    server = LocalServer(test_model_path, 2048, tmp_path / "server.log")
    server.ensure_running()
    yield server
    server.stop()
