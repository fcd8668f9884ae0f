"""A job process uses the parent's llama.cpp worker: it finds it where LocalModel looks, never starts
or stops one of its own."""

from __future__ import annotations

from qed.agent.parallel_local import AttachedServer, attach
from qed.models.local_backend import LocalServer


def test_a_job_finds_the_parents_server_where_local_models_look_and_never_stops_it(tmp_path):
    weights = tmp_path / "m.gguf"
    attach({f"{weights}\n4096": "http://127.0.0.1:9"})
    try:
        server = LocalServer.shared(weights, 4096)  # what LocalModel does for `local:` specs
        assert isinstance(server, AttachedServer)
        assert server.ensure_running() == "http://127.0.0.1:9" and server.alive
        other = LocalServer.shared(weights, 2048)  # another context size is another server
        assert not isinstance(other, AttachedServer)
        other.release()
        server.release()  # the job's last model closes: nothing was started, nothing is stopped
        assert server.proc is None and server.base_url == "http://127.0.0.1:9"
    finally:
        LocalServer._servers.pop((str(weights), 4096), None)
