"""Approximate nearest neighbours for ``most_similar`` on big vocabularies (issue 16), with faiss-cpu.

``build_index(MODEL)`` writes ``ann.faiss`` (faiss's own binary format, no pickle) and ``ann.json`` into a
model directory. The index is an inverted file over the unit vectors (``IndexIVFScalarQuantizer``: k-means
cells, rows stored as 8-bit codes, inner product = cosine); a query visits the ``nprobe`` nearest cells,
takes the best ``max(50, 4·k)`` candidates and scores them again exactly with the model's own vectors, so
every returned score is the exact cosine of that word. Chosen after measuring (see docs/big-vectors.md):
an HNSW graph answers a little faster but took minutes to build on 2 cores; the IVF index builds in
seconds to a minute for 1M rows and is a quarter of the table's size.

``AnnIndex`` has gensim's indexer shape (``most_similar(vector, num_neighbors)`` → ``[(word, cosine)]``),
so it can be passed as ``indexer=`` and gensim's own indexers work the same way. The index is refused
with a one-line error when its file is damaged or when the model's vectors changed since it was built.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Any, Callable

import numpy as np

from wordvec.errors import CorruptFileError, InputError, WordvecError
from wordvec.io.atomic import atomic_output, save_json
from wordvec.io.vectors import WordVectors

INDEX_FILE = "ann.faiss"
INDEX_META = "ann.json"
INDEX_FORMAT = "wordvec-ann"
INDEX_VERSION = 1
QUALITIES = {"fast": 0.90, "balanced": 0.97, "high": 0.99}  # recall@10 the build tunes nprobe for
TUNE_QUERIES = 200
BLOCK = 65536
INSTALL_HINT = "approximate search needs faiss-cpu: pip install 'wordvec[ann]' (or pip install faiss-cpu)"


def _faiss():
    try:
        import faiss  # noqa: F401
    except ImportError:
        raise WordvecError(INSTALL_HINT) from None
    return faiss


def _unit_block(vectors: np.ndarray, start: int, stop: int) -> np.ndarray:
    block = np.asarray(vectors[start:stop], dtype=np.float32)
    norms = np.linalg.norm(block, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return np.ascontiguousarray(block / norms, dtype=np.float32)


def fingerprint(emb: WordVectors, rows: int = 4096) -> str:
    """A quick fingerprint of the vectors: shape, vocabulary checksum and the bytes of ``rows`` rows spread
    evenly over the table (all rows for small tables). Reads only those rows."""
    vectors = emb.vectors
    n = vectors.shape[0]
    picks = np.unique(np.linspace(0, n - 1, num=min(n, rows)).astype(np.int64)) if n else np.zeros(0, np.int64)
    digest = hashlib.sha256(f"{vectors.shape} {vectors.dtype} {emb.vocab.checksum()}".encode())
    digest.update(np.ascontiguousarray(np.asarray(vectors[picks])).tobytes())
    return digest.hexdigest()[:32]


def _file_sha(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_nlist(n: int) -> int:
    """Number of k-means cells for ``n`` rows: about √n, at least 1 and at most n / 39 (faiss wants ≥ 39
    training points per cell)."""
    return int(max(1, min(round(np.sqrt(n)), n // 39 if n >= 39 else 1)))


def build_index(
    model: str | os.PathLike,
    emb: WordVectors | None = None,
    quality: str = "balanced",
    metric: str = "cosine",
    nlist: int | None = None,
    seed: int = 0,
    progress: Callable[[float, float | None], None] | None = None,
) -> dict[str, Any]:
    """Build the approximate index of the model directory ``model`` and store it there (atomic files).

    Parameters: ``emb`` the loaded model (default: opened memory-mapped from ``model``); ``quality``
    ``"fast"``, ``"balanced"`` (default) or ``"high"``: the build picks the fewest cells a query visits
    (``nprobe``) that reach recall@10 0.90, 0.97 or 0.99 against exact search on 200 sample rows; ``metric`` only
    ``"cosine"``; ``nlist`` cells (default ``default_nlist``); ``seed`` for the training sample;
    ``progress(rows_added, rows)``. Returns the index metadata (also written to ``ann.json``) with the build
    time and file size.
    """
    faiss = _faiss()
    if metric != "cosine":
        raise InputError(f"unknown metric {metric!r}: only 'cosine' is supported")
    if quality not in QUALITIES:
        raise InputError(f"unknown quality {quality!r}: use one of {', '.join(QUALITIES)}")
    model = os.fspath(model)
    if not os.path.isdir(model):
        raise InputError(f"{model} is not a model directory; import a vector file first (wordvec import FILE -o MODEL)")
    if emb is None:
        emb = WordVectors.load(model, mmap=True)
    vectors = emb.vectors
    n, dim = vectors.shape
    if n < 2:
        raise InputError("the model has fewer than 2 words; nothing to index")
    nlist = int(nlist or default_nlist(n))
    if not 1 <= nlist <= n:
        raise InputError(f"nlist must be between 1 and the number of words ({n}), not {nlist}")
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    sample_size = min(n, max(nlist * 40, 20_000))
    sample = np.sort(rng.choice(n, size=sample_size, replace=False))
    train = _unit_block(np.asarray(vectors[sample]), 0, sample_size)
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                          faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = seed
    index.train(train)
    del train
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        index.add(_unit_block(vectors, start, stop))
        if progress is not None:
            progress(stop, n)
    nprobe, tuned = tune_nprobe(emb, index, QUALITIES[quality], rng)
    seconds = time.perf_counter() - started
    index_path = os.path.join(model, INDEX_FILE)
    with atomic_output(index_path, "wb") as out:
        out.write(faiss.serialize_index(index).tobytes())
    meta = {
        "format": INDEX_FORMAT,
        "format_version": INDEX_VERSION,
        "library": "faiss-cpu",
        "library_version": getattr(faiss, "__version__", "?"),
        "type": "IVF-SQ8",
        "metric": metric,
        "quality": quality,
        "nlist": nlist,
        "nprobe": nprobe,
        "tuned_recall_at_10": round(tuned, 4),
        "tune_queries": TUNE_QUERIES,
        "rows": int(n),
        "dim": int(dim),
        "vectors_fingerprint": fingerprint(emb),
        "index_sha256": _file_sha(index_path),
        "index_bytes": os.path.getsize(index_path),
        "build_seconds": round(seconds, 3),
    }
    save_json(os.path.join(model, INDEX_META), meta)
    return meta


def tune_nprobe(emb: WordVectors, index: Any, target: float, rng: np.random.Generator) -> tuple[int, float]:
    """The smallest ``nprobe`` (cells a query visits) whose recall@10 against exact search reaches ``target``
    on ``TUNE_QUERIES`` rows of the table used as queries (each row's own word left out), and that recall.
    Exact neighbours come from one blocked pass (``wordvec.query.bigsearch.exact_top``)."""
    from wordvec.query.bigsearch import exact_top

    n = emb.shape[0]
    rows = np.sort(rng.choice(n, size=min(n, TUNE_QUERIES), replace=False))
    queries = _unit_block(np.asarray(emb.vectors[rows]), 0, len(rows))
    truth = [set(r[r != own][:10].tolist()) for (r, _), own in zip(exact_top(emb, queries, 11), rows)]
    probe = AnnIndex(emb, index, {"nprobe": 1})

    def recall(nprobe: int) -> float:
        probe.nprobe = nprobe
        hits = []
        for q, own, want in zip(queries, rows, truth):
            found, _ = probe.rescore(q, probe.candidates(q, 50))
            got = set(found[found != own][:10].tolist())
            hits.append(len(got & want) / max(1, len(want)))
        return float(np.mean(hits))

    nlist = int(index.nlist)
    lo, hi = 0, 1  # doubling, then bisection: recall grows with nprobe
    while hi < nlist and recall(hi) < target:
        lo, hi = hi, min(nlist, hi * 2)
    while hi - lo > 1 and hi > 1:
        mid = (lo + hi) // 2
        if recall(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi, recall(hi)


class AnnIndex:
    """A loaded approximate index of one model (gensim's indexer shape).

    Parameters: ``emb`` the model, ``index`` the faiss index, ``meta`` its ``ann.json``; use
    ``AnnIndex.load``. ``nprobe`` (default: the built quality's) is how many cells a query visits.
    """

    def __init__(self, emb: WordVectors, index: Any, meta: dict[str, Any], nprobe: int | None = None):
        self.emb, self.index, self.meta = emb, index, meta
        self.nprobe = int(nprobe or meta["nprobe"])

    @classmethod
    def load(cls, model: str | os.PathLike, emb: WordVectors) -> "AnnIndex":
        """Load and validate the index of model directory ``model`` for ``emb``; one-line errors when it
        is missing, damaged, or built for other vectors."""
        faiss = _faiss()
        model = os.fspath(model)
        meta_path, index_path = os.path.join(model, INDEX_META), os.path.join(model, INDEX_FILE)
        if not os.path.exists(meta_path) or not os.path.exists(index_path):
            raise InputError(f"{model} has no approximate index: build it with `wordvec index {model}`")
        try:
            with open(meta_path, encoding="utf-8") as handle:
                meta = json.load(handle)
            if not isinstance(meta, dict) or meta.get("format") != INDEX_FORMAT:
                raise ValueError("not a wordvec index")
        except (ValueError, UnicodeDecodeError):
            raise CorruptFileError(f"{meta_path} is damaged; rebuild it with `wordvec index {model}`") from None
        if int(meta.get("format_version", 0)) > INDEX_VERSION:
            raise CorruptFileError(f"{meta_path} was written by a newer wordvec; upgrade or rebuild the index")
        if (meta.get("rows"), meta.get("dim")) != tuple(emb.shape) or meta.get("vectors_fingerprint") != fingerprint(emb):
            raise CorruptFileError(f"{index_path} was built for other vectors (the model changed); rebuild it "
                                   f"with `wordvec index {model}`")
        if _file_sha(index_path) != meta.get("index_sha256"):
            raise CorruptFileError(f"{index_path} is damaged (checksum differs); rebuild it with `wordvec index {model}`")
        try:
            with open(index_path, "rb") as handle:
                index = faiss.deserialize_index(np.frombuffer(handle.read(), dtype=np.uint8))
        except RuntimeError as err:
            raise CorruptFileError(f"{index_path} cannot be read ({str(err).splitlines()[0][:80]}); rebuild it") from None
        if index.ntotal != emb.shape[0] or index.d != emb.shape[1]:
            raise CorruptFileError(f"{index_path} holds {index.ntotal}×{index.d} vectors, the model {emb.shape}; rebuild it")
        return cls(emb, index, meta)

    def candidates(self, vector: np.ndarray, count: int) -> np.ndarray:
        """Rows of up to ``count`` approximate neighbours of ``vector`` (best first)."""
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        norm = np.linalg.norm(query)
        if norm > 0:
            query = query / norm
        self.index.nprobe = self.nprobe
        _, rows = self.index.search(np.ascontiguousarray(query, dtype=np.float32), int(min(count, self.index.ntotal)))
        rows = rows[0]
        return rows[rows >= 0]

    def rescore(self, vector: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact cosines of ``vector`` with the given rows, sorted best first: ``(rows, scores)``."""
        vector = np.asarray(vector, dtype=np.float64)
        norm = np.linalg.norm(vector)
        order = np.sort(rows)
        block = np.asarray(self.emb.vectors[order], dtype=np.float64)
        lengths = np.linalg.norm(block, axis=1)
        lengths[lengths == 0] = 1
        scores = (block @ (vector / (norm if norm > 0 else 1))) / lengths
        best = np.lexsort((order, -scores))
        return order[best], scores[best]

    def most_similar(self, vector: np.ndarray, num_neighbors: int) -> list[tuple[str, float]]:
        """The ``num_neighbors`` approximate nearest words of ``vector`` as ``(word, exact cosine)``."""
        rows, scores = self.rescore(vector, self.candidates(vector, max(50, 4 * num_neighbors)))
        word = _word_of(self.emb)
        return [(word(int(r)), float(s)) for r, s in zip(rows[:num_neighbors], scores[:num_neighbors])]


def _word_of(emb: WordVectors) -> Callable[[int], str]:
    word_at = getattr(emb.vocab, "word_at", None)
    return word_at if word_at is not None else emb.vocab.words.__getitem__


def index_for(emb: WordVectors) -> AnnIndex:
    """The ``AnnIndex`` of a model loaded from a directory, loaded once and kept on the model."""
    index = getattr(emb, "_ann_index", None)
    if index is None:
        model = getattr(emb, "model_path", None)
        if model is None:
            raise InputError("approximate search needs a model loaded from a model directory with an index "
                             "(wordvec index MODEL), or pass indexer=")
        index = AnnIndex.load(model, emb)
        emb._ann_index = index  # type: ignore[attr-defined]
    return index


__all__ = ["build_index", "AnnIndex", "index_for", "fingerprint", "default_nlist", "QUALITIES", "INSTALL_HINT"]
