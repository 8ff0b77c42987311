"""Which ANN library for `wordvec index` (issue 16): build time, query time, recall@10, size, same run.

    python bench/ann_choice.py [--rows 200000] [--dim 128] [--queries 200]

Clustered synthetic unit vectors (as bench/big_vectors.py). Candidates, each where installed:
faiss IVF-SQ8 (what wordvec uses, with its exact rescoring of 50 candidates), faiss HNSW32 (flat),
usearch HNSW (f32 and i8), voyager HNSW. Exact search is one BLAS mat-vec per query. Not committed data.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


def clustered(rows: int, dim: int, clusters: int = 2000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    x = centres[rng.integers(0, clusters, rows)] + 0.6 * rng.standard_normal((rows, dim)).astype(np.float32)
    return np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)


def recall(found: list[np.ndarray], truth: list[np.ndarray]) -> float:
    return float(np.mean([len(set(f[:10].tolist()) & set(t[:10].tolist())) / 10 for f, t in zip(found, truth)]))


def run_faiss_ivf(x, queries, tmp):
    import faiss

    from wordvec.query.ann import default_nlist

    t = time.perf_counter()
    nlist = default_nlist(len(x))
    index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(x.shape[1]), x.shape[1], nlist,
                                          faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    index.train(x[rng.choice(len(x), min(len(x), max(40 * nlist, 20000)), replace=False)])
    index.add(x)
    build = time.perf_counter() - t
    index.nprobe = -(-nlist // 24)  # fixed here (1/24 of the cells); `wordvec index` tunes it per model
    path = os.path.join(tmp, "ivf.faiss")
    faiss.write_index(index, path)

    def query(q):
        _, rows = index.search(q[None, :], 50)
        rows = rows[0][rows[0] >= 0]
        scores = x[rows] @ q  # the exact rescoring wordvec does
        return rows[np.argsort(-scores)]

    return build, os.path.getsize(path), query


def run_faiss_hnsw(x, queries, tmp):
    import faiss

    t = time.perf_counter()
    index = faiss.IndexHNSWFlat(x.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 64
    index.add(x)
    build = time.perf_counter() - t
    index.hnsw.efSearch = 64
    path = os.path.join(tmp, "hnsw.faiss")
    faiss.write_index(index, path)
    return build, os.path.getsize(path), lambda q: index.search(q[None, :], 10)[1][0]


def run_usearch(x, queries, tmp, dtype="f32"):
    from usearch.index import Index

    t = time.perf_counter()
    index = Index(ndim=x.shape[1], metric="cos", dtype=dtype, connectivity=16, expansion_add=64, expansion_search=64)
    index.add(np.arange(len(x)), x, threads=2)
    build = time.perf_counter() - t
    path = os.path.join(tmp, f"u{dtype}.usearch")
    index.save(path)
    return build, os.path.getsize(path), lambda q: np.asarray(index.search(q, 10).keys)


def run_voyager(x, queries, tmp):
    import voyager

    t = time.perf_counter()
    index = voyager.Index(voyager.Space.Cosine, num_dimensions=x.shape[1], M=16, ef_construction=64)
    index.add_items(x, num_threads=2)
    build = time.perf_counter() - t
    path = os.path.join(tmp, "v.voy")
    index.save(path)
    return build, os.path.getsize(path), lambda q: np.asarray(index.query(q, k=10, query_ef=64)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    x = clustered(args.rows, args.dim)
    rng = np.random.default_rng(1)
    queries = x[rng.choice(len(x), args.queries, replace=False)]
    t = time.perf_counter()
    truth = [np.argsort(-(x @ q))[:10] for q in queries]
    exact_ms = (time.perf_counter() - t) / len(queries) * 1e3
    print(f"# bench/ann_choice.py {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} rows={args.rows} "
          f"dim={args.dim} load={os.getloadavg()[0]:.1f}; exact {exact_ms:.1f} ms/query, table "
          f"{x.nbytes / 1e6:.0f} MB")
    print(f"{'library':<22}{'build s':>9}{'size MB':>9}{'query ms':>10}{'recall@10':>11}")
    runs = [("faiss IVF-SQ8+rescore", run_faiss_ivf), ("faiss HNSW32", run_faiss_hnsw),
            ("usearch HNSW f32", lambda *a: run_usearch(*a, dtype="f32")),
            ("usearch HNSW i8", lambda *a: run_usearch(*a, dtype="i8")), ("voyager HNSW", run_voyager)]
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in runs:
            try:
                build, size, query = run(x, queries, tmp)
            except ImportError as err:
                print(f"{name:<22} not installed ({err.name})")
                continue
            query(queries[0])
            t = time.perf_counter()
            found = [query(q) for q in queries]
            ms = (time.perf_counter() - t) / len(queries) * 1e3
            print(f"{name:<22}{build:>9.1f}{size / 1e6:>9.1f}{ms:>10.2f}{recall(found, truth):>11.3f}")


if __name__ == "__main__":
    main()
