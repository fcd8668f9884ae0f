"""One backend contract: a backend is a file models/<name>_backend.py exporting BACKEND, nothing else to edit."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import qed.models as models_package
from qed.agent.config import QedConfig
from qed.agent.doctor import diagnose
from qed.models.base import ModelSpecError
from qed.models.registry import ModelSpec, backends, parse_spec, resolve
from qed.models.roles import RoleSpecs

from tests.added_module import added_module, qed_with
from tests.cli.cli_helpers import run_dirs

PACKAGE = Path(models_package.__file__).parent

ECHO = textwrap.dedent('''
    """A backend that always gives one reply (for the registry's tests)."""

    from qed.models.base import Completion, Usage
    from qed.models.registry import Backend, Finding


    class EchoModel:
        def __init__(self, reply):
            self.spec = f"echo:{reply}"
            self.reply = reply

        def chat(self, messages, options=None, on_token=None):
            text = "VERDICT: NO FLAW\\nSTEP: none\\nQUOTE: none\\nREASON: " + self.reply
            if on_token:
                on_token(text)
            return Completion(text, "echo", Usage(3, 5), 0.0, "stop")

        def close(self):
            pass


    BACKEND = Backend("echo", "echo:<reply>", "always the same reply (a throwaway backend)",
                      lambda spec, options: EchoModel(spec.name),
                      check_role=lambda spec: (True, "answers at once"),
                      doctor=lambda: [Finding("runtime", "echo", True, "nothing to install")])
''')


def test_every_backend_file_registers_its_prefix():
    files = sorted(p.stem for p in PACKAGE.glob("*_backend.py"))
    for name in files:
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        assert any(isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "BACKEND" for t in n.targets)
                   for n in tree.body), f"{name} exports no BACKEND"
    assert sorted(backends()) == ["anthropic", "local", "openai", "scripted"]
    assert len(files) == len(backends())


def test_specs_are_read_by_the_backend_that_claims_the_prefix():
    assert parse_spec("openai:qwen@http://h:8000/v1") == ModelSpec("openai", "qwen", "http://h:8000/v1")
    kind, name, base = parse_spec("anthropic:claude-x")
    assert (kind, name, base) == ("anthropic", "claude-x", None)
    assert parse_spec("scripted:rules@2.json").name == "rules@2.json"  # no base URL for a file
    with pytest.raises(ModelSpecError, match=r"unknown model spec 'gpt4'; expected .*openai:<model>\[@<base_url>\]"):
        parse_spec("gpt4")
    with pytest.raises(ModelSpecError, match="bad model spec"):
        parse_spec("openai:@http://h")


def test_reading_a_spec_loads_no_provider_sdk():
    code = ("import sys; from qed.models.registry import parse_spec; "
            "[parse_spec(s) for s in ('openai:x@http://h/v1', 'anthropic:y', 'local:z')]; "
            "print(sorted(m for m in ('openai', 'anthropic', 'xllamacpp') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
def echo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    with added_module("qed.models", "echo_backend.py", ECHO, tmp_path / "more_backends", monkeypatch) as folder:
        yield folder


def test_a_backend_added_as_one_file_builds_roles_and_reports_to_doctor(echo):
    assert "echo" in backends()
    assert resolve("echo:hello").chat([]).text.endswith("REASON: hello")
    roles = RoleSpecs.from_sources(env={}, model="echo:fine")
    built = roles.build()
    assert built["judge"].chat([]).usage.completion_tokens == 5
    rows = diagnose(QedConfig(roles=roles))
    assert any(r.area == "runtime" and r.name == "echo" and r.ok for r in rows)
    assert [r.detail for r in rows if r.area == "roles"] == ["echo:fine — answers at once"] * len(roles.specs)


def test_qed_grade_uses_a_backend_added_as_one_file(echo, tmp_path):
    (tmp_path / "p.md").write_text("Let $a > 0$. Prove that $a + 1 > a$.\n\n**Proof.** We have $a + 1 - a = 1 > 0$.\n")
    r = qed_with("qed.models", echo, tmp_path, "grade", "p.md", "--judges", "toy_case_model", "--model", "echo:sound")
    assert r.returncode == 0, r.stderr
    [run] = run_dirs(tmp_path)
    data = json.loads((run / "grade.json").read_text())
    assert data["models"] == {"judge": "echo:sound"}
    assert data["results"][0]["judges"]["toy_case_model"]["verdict"] == "pass"
