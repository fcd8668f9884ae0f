"""No package source can turn text into running code: the hole of issue 9 item 1 cannot reopen.

Text from a file, a model or a user is read into sympy only by qed.verifiers.safe_expr, which
parses with `ast` and builds sympy itself. This test parses every package module with `ast` and
fails on any call that could evaluate text: eval/exec/compile/__import__, sympy's sympify (unless
strict=True, which refuses strings) and sp.S(...), parse_expr and sympy's text parsers,
nsimplify/lambdify of a string, pickle/marshal/dill/shelve loads, yaml.load, np.load with
allow_pickle. The few justified exceptions are listed below by file, function and call, each
with its reason; an entry that no longer matches fails too, so the list stays honest.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("agent", "verifiers", "memory", "models", "problems", "cli")

# (file, enclosing function, call) -> why it cannot evaluate data
ALLOWED: dict[tuple[str, str, str], str] = {
    ("verifiers/engine/parametric.py", "solve_parametric", "sympify"):
        "reads back str() of an exact value this process just computed (Extremum.describe) in "
        "solve_bound, whose functions (CRootOf, ...) the data reader does not list; never file, "
        "model or user text",
    ("verifiers/bounded.py", "_picklable", "pickle.loads"):
        "round-trips an exception object this process holds, to learn whether it can cross the pipe; "
        "the bytes are its own pickle.dumps of a moment before",
    ("verifiers/bounded.py", "_outcome", "pickle.loads"):
        "reads the result pipe of a child this process forked from itself; only that child's own "
        "code writes it (never a file, a model or a user), and the bytes never outlive the call",
}

_BUILTINS = {"eval", "exec", "compile", "__import__"}
_SYMPY_TEXT = {"sympify", "parse_expr", "parse_mathematica", "parse_maxima", "evaluateFalse"}
_PICKLES = {"pickle", "cPickle", "_pickle", "dill", "marshal", "shelve", "joblib", "cloudpickle"}


def _is_text(node: ast.AST) -> bool:
    """An argument that is visibly text: a string literal, an f-string, str(...), '...'.format(...)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Call):
        f = node.func
        return (isinstance(f, ast.Name) and f.id in ("str", "repr")) or (
            isinstance(f, ast.Attribute) and f.attr in ("format", "join", "strip", "replace"))
    return False


def _keyword(call: ast.Call, name: str) -> object:
    for k in call.keywords:
        if k.arg == name and isinstance(k.value, ast.Constant):
            return k.value.value
    return None


class _Scanner(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[str, str, int]] = []  # (function, call, line)
        self.aliases: dict[str, str] = {}  # local name -> the banned original it stands for
        self.stack: list[str] = []

    def flag(self, what: str, node: ast.AST) -> None:
        self.found.append((".".join(self.stack) or "<module>", what, node.lineno))

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            root = a.name.split(".")[0]
            if root in _PICKLES:
                self.aliases[a.asname or root] = root
            if a.name.startswith("sympy.parsing"):
                self.flag(f"import {a.name}", node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for a in node.names:
            if module.startswith("sympy") and a.name in _SYMPY_TEXT | {"S"}:
                self.aliases[a.asname or a.name] = a.name
            if module.split(".")[0] in _PICKLES and a.name in ("load", "loads", "open", "Unpickler"):
                self.aliases[a.asname or a.name] = f"{module}.{a.name}"
            if module.startswith("sympy.parsing") and a.name not in ("LaTeXParsingError",):
                self.flag(f"from {module} import {a.name}", node)

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
        owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else None
        original = self.aliases.get(name, name) if isinstance(f, ast.Name) else name
        if name in _BUILTINS and (isinstance(f, ast.Name) or owner == "builtins"):
            self.flag(name, node)
        elif original == "sympify" and _keyword(node, "strict") is not True:
            self.flag("sympify", node)
        elif original == "S" and (isinstance(f, ast.Name) or owner in ("sp", "sympy")):
            self.flag("S", node)
        elif original in _SYMPY_TEXT - {"sympify"}:
            self.flag(original, node)
        elif name in ("nsimplify", "lambdify", "N", "simplify") and any(_is_text(a) for a in node.args[:2]):
            self.flag(f"{name} of text", node)
        elif isinstance(f, ast.Name) and "." in str(original) and original.split(".")[0] in _PICKLES:
            self.flag(original, node)
        elif owner in self.aliases and self.aliases[owner] in _PICKLES and name in ("load", "loads", "open", "Unpickler"):
            self.flag(f"{self.aliases[owner]}.{name}", node)
        elif owner == "yaml" and name in ("load", "unsafe_load", "full_load", "load_all"):
            self.flag(f"yaml.{name}", node)
        elif name == "read_pickle" or (name == "load" and owner in ("np", "numpy", "torch")
                                       and (owner == "torch" or _keyword(node, "allow_pickle") is True)):
            self.flag(f"{owner}.{name}", node)
        self.generic_visit(node)


def scan(source: str) -> list[tuple[str, str, int]]:
    scanner = _Scanner()
    scanner.visit(ast.parse(source))
    return scanner.found


def _package_files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if "__pycache__" not in p.parts)


def test_no_package_source_evaluates_text():
    found: Counter[tuple[str, str, str]] = Counter()
    lines: dict[tuple[str, str, str], list[int]] = {}
    for path in _package_files():
        rel = path.relative_to(ROOT).as_posix()
        for function, what, line in scan(path.read_text(encoding="utf-8")):
            key = (rel, function, what)
            found[key] += 1
            lines.setdefault(key, []).append(line)
    unexpected = [f"{k[0]}:{lines[k][0]} in {k[1]}: {k[2]}" for k in found if k not in ALLOWED]
    assert not unexpected, ("text could reach an evaluator; read it with qed.verifiers.safe_expr instead:\n"
                            + "\n".join(unexpected))
    stale = [k for k in ALLOWED if found.get(k) != 1]
    assert not stale, f"allow-list entries that no longer match exactly one call: {stale}"


def test_the_reader_itself_uses_no_evaluator():
    assert scan((ROOT / "verifiers" / "safe_expr.py").read_text(encoding="utf-8")) == []


def test_the_scanner_finds_each_way_text_becomes_code():
    bad = {
        "eval(text)": "eval",
        "exec(code)": "exec",
        "import builtins\nbuiltins.eval(t)": "eval",
        "import sympy as sp\nsp.sympify(text)": "sympify",
        "from sympy import sympify as read\nread(text)": "sympify",
        "import sympy\nsympy.S(text)": "S",
        "from sympy.parsing.sympy_parser import parse_expr": "from sympy.parsing.sympy_parser import parse_expr",
        "import sympy as sp\nsp.nsimplify(str(v))": "nsimplify of text",
        "import sympy as sp\nsp.nsimplify(f'{v}')": "nsimplify of text",
        "import pickle\npickle.loads(blob)": "pickle.loads",
        "import pickle as p\np.load(f)": "pickle.load",
        "from pickle import loads\nloads(b)": "pickle.loads",
        "import numpy as np\nnp.load(f, allow_pickle=True)": "np.load",
        "import yaml\nyaml.load(s)": "yaml.load",
        "__import__('os')": "__import__",
    }
    for source, what in bad.items():
        assert [w for _, w, _ in scan(source)] == [what], source
    fine = ["import sympy as sp\nsp.sympify(x, strict=True)", "import ast\nast.literal_eval(s)",
            "import re\nre.compile('x')", "import sympy as sp\nsp.nsimplify(value, rational=True)",
            "import sympy as sp\nsp.S.Reals", "import numpy as np\nnp.load(f)"]
    for source in fine:
        assert scan(source) == [], source
