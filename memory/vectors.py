"""Vector search over node embeddings: unit vectors in SQLite blobs, a float32 matrix in memory.

The matrix is loaded once per process and extended with rows written since (embedding rows only
ever get appended). Up to EXACT_LIMIT rows the search is one matrix-vector product; above it a
sign-bit code of each (centred) vector picks candidates by Hamming distance and the exact cosine
ranks them, which keeps a 100,000-node memory well under the cost of a full float scan.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from qed.memory import plaintext
from qed.memory.blas_threads import single_thread
from qed.memory.store import Store

EXACT_LIMIT = 20_000
EMBED_BATCH = 64
QUERY_CACHE = 256  # query vectors kept per index: the loop recalls the same statement round after round


def embedding_text(title: str, text: str) -> str:
    """A node as the encoder reads it: title and text in plain math (memory.plaintext)."""
    body = text if not title or title.lower() in text.lower() else f"{title}. {text}"
    return plaintext.embedding_form(body[:4000])[:2000]


def query_text(query: str) -> str:
    """A query as the encoder reads it: the same rewriting as the nodes get."""
    return plaintext.embedding_form(query[:4000])[:2000] or query[:2000]


class VectorIndex:
    """The embedded nodes of one store, searchable by cosine similarity."""

    def __init__(self, store: Store, embedder: object):
        self.store = store
        self.embedder = embedder
        self.model_name = f"{getattr(embedder, 'name', 'embedder')}+{plaintext.VERSION}"  # vectors of this text form
        self.dim = int(getattr(embedder, "dim", 384))
        self._lock = threading.Lock()
        self._matrix = np.zeros((0, self.dim), dtype=np.float32)
        self._seqs = np.zeros(0, dtype=np.int64)
        self._loaded_upto = 0  # embeddings.seq of the last row loaded
        self._embedded_upto = 0  # every node with nodes.seq <= this has an embedding
        self._codes: np.ndarray | None = None
        self._centre: np.ndarray | None = None
        self._coded_rows = 0
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()

    # --- writing ---------------------------------------------------------------------------------

    def embed_pending(self, limit: int | None = None) -> int:
        """Embed nodes that have no vector yet (written by any process); return how many."""
        done = 0
        while limit is None or done < limit:
            take = EMBED_BATCH if limit is None else min(EMBED_BATCH, limit - done)
            rows = self.store.query(
                "SELECT n.seq, n.title, n.text FROM nodes n WHERE n.seq > ? AND NOT EXISTS "
                "(SELECT 1 FROM embeddings e WHERE e.node_seq = n.seq) ORDER BY n.seq LIMIT ?",
                (self._embedded_upto, take),
            )
            if not rows:
                top = self.store.query("SELECT COALESCE(MAX(seq), 0) FROM nodes")[0][0]
                self._embedded_upto = max(self._embedded_upto, top)
                break
            vectors = self.embedder.encode([embedding_text(r[1], r[2]) for r in rows])  # type: ignore[attr-defined]
            with self.store.write() as conn:
                conn.executemany(
                    "INSERT INTO embeddings(node_seq, model, vector) VALUES (?, ?, ?) ON CONFLICT(node_seq) DO NOTHING",
                    [(r[0], self.model_name, v.astype(np.float32).tobytes()) for r, v in zip(rows, vectors, strict=True)],
                )
            done += len(rows)
        return done

    def pending_count(self) -> int:
        return self.store.query("SELECT COUNT(*) FROM nodes n WHERE n.seq > ? AND NOT EXISTS "
                                "(SELECT 1 FROM embeddings e WHERE e.node_seq = n.seq)", (self._embedded_upto,))[0][0]

    # --- reading ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Append embedding rows written since the last load (by this or another process)."""
        with self._lock:
            rows = self.store.query("SELECT seq, node_seq, vector FROM embeddings WHERE seq > ? ORDER BY seq",
                                    (self._loaded_upto,))
            if not rows:
                return
            block = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32).reshape(len(rows), self.dim)
            self._matrix = np.concatenate([self._matrix, block]) if len(self._matrix) else block.copy()
            self._seqs = np.concatenate([self._seqs, np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))])
            self._loaded_upto = rows[-1][0]
            if len(self._matrix) > EXACT_LIMIT:
                self._update_codes()

    def _update_codes(self) -> None:
        if self._centre is None or len(self._matrix) > 2 * self._coded_rows:
            self._centre = self._matrix.mean(axis=0)
            self._codes = np.asfortranarray(self._encode_bits(self._matrix))
        else:
            assert self._codes is not None
            fresh = self._encode_bits(self._matrix[len(self._codes):])
            self._codes = np.asfortranarray(np.concatenate([self._codes, fresh]))
        self._coded_rows = len(self._codes)

    def _encode_bits(self, vectors: np.ndarray) -> np.ndarray:
        assert self._centre is not None
        bits = np.packbits(vectors > self._centre, axis=1)
        pad = (-bits.shape[1]) % 8
        if pad:
            bits = np.pad(bits, ((0, 0), (0, pad)))
        return np.ascontiguousarray(bits).view(np.uint64)

    def __len__(self) -> int:
        return len(self._matrix)

    def encode_query(self, text: str) -> np.ndarray:
        """The query's unit vector; the last QUERY_CACHE distinct queries are not encoded again."""
        with self._queries_lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
        vector = np.asarray(self.embedder.encode([query_text(text)])[0], dtype=np.float32)  # type: ignore[attr-defined]
        vector.setflags(write=False)  # shared by every later recall of the same text
        with self._queries_lock:
            self._queries[text] = vector
            while len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return vector

    def search(self, query: np.ndarray, top: int) -> list[tuple[int, float]]:
        """(node seq, cosine) of the `top` nearest vectors, best first."""
        with self._lock:
            matrix, seqs, codes = self._matrix, self._seqs, self._codes
        n = len(matrix)
        if n == 0:
            return []
        with single_thread():
            return self._search(matrix, seqs, codes, query, top)

    def _search(self, matrix: np.ndarray, seqs: np.ndarray, codes: np.ndarray | None, query: np.ndarray,
                top: int) -> list[tuple[int, float]]:
        n = len(matrix)
        if n <= EXACT_LIMIT or codes is None or len(codes) != n:
            rows = np.arange(n)
            sims = matrix @ query
        else:
            qbits = self._encode_bits(query[None, :])[0]
            distance = np.bitwise_count(codes[:, 0] ^ qbits[0]).astype(np.int16)
            for word in range(1, codes.shape[1]):  # column by column: a short-axis sum is slow in numpy
                distance += np.bitwise_count(codes[:, word] ^ qbits[word])
            # Every row as near as the pool-th nearest: a superset of any argpartition choice among
            # ties at the boundary (so nothing it would have found is lost), found by counting in
            # a tenth of the time argpartition takes on 100,000 int16 distances.
            pool = min(n, max(8 * top, 1000))
            cutoff = int(np.searchsorted(np.cumsum(np.bincount(distance)), pool))
            rows = np.flatnonzero(distance <= cutoff)
            sims = matrix[rows] @ query
        take = min(top, len(rows))
        best = np.argpartition(-sims, take - 1)[:take]
        best = best[np.argsort(-sims[best])]
        return [(int(seqs[rows[i]]), float(sims[i])) for i in best]

    def search_exact(self, query: np.ndarray, top: int) -> list[tuple[int, float]]:
        """The full float scan, for measuring what the Hamming pre-selection loses."""
        sims = self._matrix @ query
        take = min(top, len(sims))
        best = np.argpartition(-sims, take - 1)[:take]
        best = best[np.argsort(-sims[best])]
        return [(int(self._seqs[i]), float(sims[i])) for i in best]
