"""The theorem library a fresh memory starts with, so recall is useful before any run has happened.

Two sources: QED's own starter library (theorems.json beside this file, written for the project)
and, when the IneqMath sample is on this machine, the named theorems its problems are annotated
with. Seeding happens once per memory file (recorded in the meta table) and is idempotent: ids are
fixed, and inserting an id that exists does nothing, so concurrent first opens are harmless.
"""

from __future__ import annotations

import json
import re
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Any

from qed.memory.paths import shared_data_dir
from qed.memory.records import Edge, Node, Provenance, now_iso
from qed.memory.store import Store

IneqMathTheorems = dict[str, dict[str, Any]]
INEQMATH_FILE = "ineqmath/train_sample_200.json"


def _library() -> dict[str, Any]:
    return json.loads(resources.files("qed.memory").joinpath("theorems.json").read_text(encoding="utf-8"))


def normalise_name(text: str) -> str:
    """'Hölder's inequality' -> 'holder inequality': accents, possessives and punctuation dropped."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"'s\b|’s\b", "", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def library_nodes() -> list[Node]:
    lib = _library()
    when = now_iso()
    out = []
    for t in lib["theorems"]:
        text = f"{t['name']}: {t['statement']} When it helps: {t['use_when']}"
        out.append(Node(
            id=t["id"], kind="theorem", title=t["name"], text=text,
            data={"aliases": t["aliases"], "category": t["category"], "library_version": lib["version"]},
            provenance=Provenance(when=when, source="library:qed"),
        ))
    return out


def ineqmath_path() -> Path | None:
    root = shared_data_dir()
    path = root / INEQMATH_FILE if root else None
    return path if path and path.is_file() else None


def ineqmath_theorem_id(key: str) -> str:
    return "thm-ineqmath-" + re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-").removeprefix("theorem-")


def read_ineqmath_theorems(path: Path) -> IneqMathTheorems:
    """Every named theorem the sample's problems are annotated with, keyed 'Theorem 35'."""
    try:
        problems = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"cannot read {path}: {e}") from None
    out: IneqMathTheorems = {}
    for p in problems if isinstance(problems, list) else []:
        for key, t in (p.get("theorems") or {}).items():
            if not isinstance(t, dict) or not t.get("Theorem"):
                continue
            entry = out.setdefault(key, {"statement": t["Theorem"], "nicknames": [], "category": t.get("Theorem_Category") or ""})
            for nick in t.get("Nickname") or []:
                if nick not in entry["nicknames"]:
                    entry["nicknames"].append(nick)
    return out


def ineqmath_nodes(theorems: IneqMathTheorems, source_name: str) -> list[Node]:
    when = now_iso()
    out = []
    for key, t in sorted(theorems.items()):
        label = t["nicknames"][0] if t["nicknames"] else t["category"] or key
        title = f"{label} (IneqMath {key})"
        names = "; ".join(t["nicknames"])
        text = f"{title}. {t['statement']} Category: {t['category']}." + (f" Also known as: {names}." if names else "")
        out.append(Node(
            id=ineqmath_theorem_id(key), kind="theorem", title=title, text=text,
            data={"aliases": t["nicknames"], "category": t["category"], "ineqmath_key": key},
            provenance=Provenance(when=when, source=f"ineqmath:{source_name}#{key}"),
        ))
    return out


def _links(ineq: list[Node], lib: list[Node]) -> list[Edge]:
    """'similar' edges from IneqMath's theorems to the library's: by shared name (1.0) or category (0.5)."""
    edges = []
    for a in ineq:
        names = [normalise_name(n) for n in a.data["aliases"]]
        for b in lib:
            aliases = [normalise_name(x) for x in [b.title, *b.data["aliases"]]]
            if any(al and (al in n or n in al) for n in names for al in aliases if n):
                weight = 1.0
            elif a.data["category"] and normalise_name(a.data["category"]) == normalise_name(b.data["category"]):
                weight = 0.5
            else:
                continue
            edges.append(Edge(a.id, b.id, "similar", weight, provenance=Provenance(when=now_iso(), source="library:link")))
    return edges


def seed(store: Store, *, ineqmath: Path | None = None) -> list[str]:
    """Write whatever library this memory lacks; return the sources seeded now."""
    lib = _library()
    seeded: list[str] = []
    lib_key = f"library:qed:v{lib['version']}"
    lib_nodes = library_nodes()
    if store.meta("seed:library") != lib_key:
        with store.write() as conn:
            store.insert_nodes(conn, lib_nodes)
            store.set_meta(conn, "seed:library", lib_key)
        seeded.append(lib_key)
    path = ineqmath if ineqmath is not None else ineqmath_path()
    if path is not None and store.meta("seed:ineqmath") is None:
        nodes = ineqmath_nodes(read_ineqmath_theorems(path), path.name)
        with store.write() as conn:
            store.insert_nodes(conn, nodes)
            store.insert_edges(conn, _links(nodes, lib_nodes))
            store.set_meta(conn, "seed:ineqmath", f"{path.name}: {len(nodes)} theorems")
        seeded.append(f"ineqmath:{path.name}")
    return seeded
