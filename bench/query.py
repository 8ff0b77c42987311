"""Query latency benchmark: wordvec's Embedding against gensim KeyedVectors on the same random table.

    python bench/query.py [--rows 100000] [--dim 128] [--queries 200] [--no-w2v]

Random vectors are fine for latency (issue 4, acceptance 3). Prints one table: median milliseconds per
query for ours and for a peer measured in the same run, the ratio, the target and PASS/FAIL. Peers:
gensim ``KeyedVectors.most_similar`` (cosine), and plain numpy (``V @ v`` + ``argsort``; for keywords the
O(k²) pairwise sum) where gensim has no such query. The word2vec section builds a Huffman tree with gensim
(``build_vocab_from_freq``, random ``syn1``) to time the exact HS queries (issue 5, acceptance 3).
The machine may be shared: medians over many queries, but expect noise; compare ratios, not absolutes.
On a busy 2-core machine multi-threaded BLAS (numpy, gensim) slows down a lot; run once more with
``OPENBLAS_NUM_THREADS=1`` for the single-thread peer numbers. Our kernel path is serial either way.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wordvec import Embedding  # noqa: E402
from wordvec.corpora import Vocabulary  # noqa: E402


def median_ms(func, items, repeat: int = 1) -> float:
    times = []
    for item in items:
        for _ in range(repeat):
            start = time.perf_counter()
            func(item)
            times.append(time.perf_counter() - start)
    return float(np.median(times) * 1e3)


def build(rows: int, dim: int, seed: int = 0) -> Embedding:
    rng = np.random.default_rng(seed)
    words = [f"词{i}" for i in range(rows)]
    counts = np.maximum(5, (1e7 / np.arange(1, rows + 1) ** 1.05).astype(np.int64))  # Zipf-like
    vectors = rng.standard_normal((rows, dim)).astype(np.float32)
    vectors *= np.sqrt(np.log(counts.sum() / counts))[:, None].astype(np.float32) / np.sqrt(dim)  # ‖v‖² ~ −log P
    return Embedding(vectors, Vocabulary(words, counts), {"kind": "pmi", "total_tokens": int(counts.sum())})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--no-w2v", action="store_true", help="skip the word2vec (HS) section")
    args = parser.parse_args()

    from gensim.models import KeyedVectors

    import wordvec.query.similarity as sim

    emb = build(args.rows, args.dim)
    rng = np.random.default_rng(1)
    queries = [emb.words[i] for i in rng.integers(0, args.rows, size=args.queries)]
    kv = KeyedVectors(args.dim)
    kv.add_vectors(emb.words, np.asarray(emb.vectors))
    kv.fill_norms()
    emb.unit_vectors  # noqa: B018  (cached once, as gensim's norms)
    vectors = emb.vectors

    rows = []  # (query, ours_ms, peer_name, peer_ms, target_ms)

    # cosine neighbours: same results as gensim?
    for word in queries[:3]:
        emb.most_similar(word)
        kv.most_similar(word)
    agree = sum([w for w, _ in emb.most_similar(q)] == [w for w, _ in kv.most_similar(q)] for q in queries)
    ours = median_ms(lambda q: emb.most_similar(q, topn=10), queries)
    sim.ACCELERATE = "never"
    ours_np = median_ms(lambda q: emb.most_similar(q, topn=10), queries)
    sim.ACCELERATE = "auto"
    peer = median_ms(lambda q: kv.most_similar(q, topn=10), queries)
    rows.append(("most_similar (cosine, kernel)", ours, "gensim most_similar", peer, 2.0))
    rows.append(("most_similar (cosine, numpy path)", ours_np, "gensim most_similar", peer, None))

    def numpy_related(q, alpha=None):
        v = vectors[emb.vocab.index[q]]
        s = vectors @ v
        if alpha is not None:
            s = s + (1 - alpha) * np.log(emb.counts / emb.total_tokens)
        return np.argsort(-s)[:11]

    emb.most_related(queries[0], alpha=0.9)
    ours = median_ms(lambda q: emb.most_related(q, topn=10, alpha=0.9), queries)
    peer = median_ms(lambda q: numpy_related(q, 0.9), queries[:50])
    rows.append(("most_related alpha=0.9", ours, "numpy dot+argsort", peer, 2.0))
    ours = median_ms(lambda q: emb.most_related(q, topn=10), queries)
    peer = median_ms(lambda q: numpy_related(q), queries[:50])
    rows.append(("most_related raw PMI", ours, "numpy dot+argsort", peer, 2.0))

    start = time.perf_counter()
    emb.most_similar(queries[0], method="profile", context_words=10_000)
    build_ms = (time.perf_counter() - start) * 1e3
    ours = median_ms(lambda q: emb.most_similar(q, topn=10, method="profile"), queries)
    rows.append((f"most_similar profile N=10k (build {build_ms:.0f} ms once)", ours, "gensim most_similar",
                 median_ms(lambda q: kv.most_similar(q, topn=10), queries[:50]), None))

    texts = [[emb.words[i] for i in rng.zipf(1.3, size=100) % args.rows] for _ in range(args.queries)]

    def naive_keywords(tokens):
        ids = [emb.vocab.index[t] for t in tokens]
        cands = sorted(set(ids))
        scores = (vectors[cands] @ vectors[ids].T).sum(axis=1)  # Σ_k ⟨v_k, v_w⟩, O(k²)
        return sorted(zip(scores, cands), reverse=True)[:10]

    for t in texts[:3]:
        emb.keywords(t)
    ours = median_ms(lambda t: emb.keywords(t, topn=10), texts)
    peer = median_ms(naive_keywords, texts)
    rows.append(("keywords (psw default), 100 tokens (no tokenizing)", ours, "numpy pairwise O(k^2)", peer, 1.0))
    ours = median_ms(lambda t: emb.keywords(t, topn=10, method="pmi-sum"), texts)
    rows.append(("keywords --method pmi-sum, 100 tokens", ours, "numpy pairwise O(k^2)", peer, 1.0))

    pairs = list(zip(texts[::2], texts[1::2]))
    ours = median_ms(lambda p: emb.sentence_similarity(p[0], p[1]), pairs)
    rows.append(("sentence_similarity, 2x100 tokens", ours, "-", float("nan"), None))

    if not args.no_w2v:
        rows.extend(w2v_rows(args, rng))

    print(f"# wordvec query latency: {args.rows} x {args.dim} float32, {args.queries} queries, "
          f"median ms per query; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"cosine top-10 equal to gensim for {agree}/{len(queries)}")
    header = ("query", "ours ms", "peer", "peer ms", "peer/ours", "target", "")
    table = [header]
    for name, ours_ms, peer_name, peer_ms, target in rows:
        ratio = peer_ms / ours_ms if ours_ms > 0 and peer_ms == peer_ms else float("nan")
        verdict = "" if target is None else ("PASS" if ours_ms <= target else "FAIL")
        table.append((name, f"{ours_ms:.3f}", peer_name, "-" if peer_ms != peer_ms else f"{peer_ms:.3f}",
                      "-" if ratio != ratio else f"{ratio:.2f}x", "-" if target is None else f"<= {target:g}", verdict))
    widths = [max(len(str(r[c])) for r in table) for c in range(len(header))]
    for i, r in enumerate(table):
        print("  ".join(str(cell).ljust(widths[c]) for c, cell in enumerate(r)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def w2v_rows(args, rng) -> list:
    """Exact HS relatedness and keywords on a 74k-word random model with a real Huffman tree."""
    try:
        from gensim.models import Word2Vec

        from wordvec.word2vec.bridge import from_gensim_model
    except ImportError as err:  # pragma: no cover
        print(f"# word2vec section skipped: {err}")
        return []
    n = 74_000
    freqs = {f"w{i}": int(max(5, 1e7 / (i + 1) ** 1.05)) for i in range(n)}
    model = Word2Vec(vector_size=args.dim, sg=1, hs=1, negative=0, min_count=1, workers=1, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.build_vocab_from_freq(freqs)
    gen = np.random.default_rng(2)
    model.wv.vectors[:] = gen.standard_normal(model.wv.vectors.shape).astype(np.float32) * 0.3
    model.syn1[:] = gen.standard_normal(model.syn1.shape).astype(np.float32) * 0.3
    w2v = Embedding(from_gensim_model(model))
    queries = [w2v.words[i] for i in rng.integers(0, n, size=min(args.queries, 50))]
    w2v.most_related(queries[0])
    rel = median_ms(lambda q: w2v.most_related(q, topn=10), queries)
    texts = [[w2v.words[i] for i in rng.zipf(1.3, size=100) % n] for _ in range(min(args.queries, 50))]
    w2v.keywords(texts[0])
    kw = median_ms(lambda t: w2v.keywords(t, topn=10), texts)
    return [("w2v HS most_related alpha=0.9 (74k words)", rel, "-", float("nan"), 20.0),
            ("w2v HS keywords, 100 tokens (74k words)", kw, "-", float("nan"), 20.0)]


if __name__ == "__main__":
    main()
