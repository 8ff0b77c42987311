"""Benchmark and quality sweep of the PMI trainer on zh_mixed (issue 3).

    python bench/train.py                 # wordvec train (default + seed preset) vs gensim SGNS, same run
    python bench/train.py --sweep         # settings → wordsim-240/297 Spearman, CA_translated accuracy → time

Tokens come from the project's token cache ($WORDVEC_CACHE_DIR); the sweep counts them itself (numpy,
below) so that window shapes and subsampling can be tried before the counting stage offers them.
Scores: ``wordvec.query.evaluate`` when present, else the small evaluator below (cosine Spearman over covered
pairs; 3CosAdd over the whole vocabulary with the three inputs excluded).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from types import SimpleNamespace

import numpy as np

from wordvec.query.embedding import Embedding
import scipy.sparse as sp
from scipy.stats import spearmanr

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("WORDVEC_SHARED_DATA", os.path.join(HERE, "..", "..", "shared", "data"))
CORPUS = os.path.join(DATA, "corpora", "zh_mixed.txt.gz")
EVAL = {name: os.path.join(DATA, "eval", name + ".txt") for name in ("wordsim-240", "wordsim-297", "ca_translated")}


# --- tokens and counts -------------------------------------------------------------------------------------
def load_tokens(corpus: str = CORPUS, workers: int = 2):
    """The token cache of ``corpus`` (jieba, HMM off), built once and reused."""
    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.tokenize import TokenizerSettings

    return build_token_cache([corpus], TokenizerSettings(mode="jieba"), workers=workers)


def count(cache, min_count: int = 5, window: int = 10, shape: str = "flat", subsample: float = 0.0, seed: int = 0):
    """Symmetric co-occurrence counts (SPEC a.3) of a token cache, in numpy.

    ``shape``: "flat" (1.0 per pair, the seed), "harmonic" (1/distance) or "linear" (word2vec's dynamic
    window in expectation: (window − distance + 1)/window). ``subsample`` t > 0 drops each token with
    probability 1 − sqrt(t/f) (word2vec) before windowing; unigram counts stay those of the full corpus.
    """
    from wordvec.io.vocab import Vocabulary

    vocab = cache.vocab.prune(min_count)
    n = len(vocab)
    ids = np.asarray(cache.ids)
    line = np.repeat(np.arange(len(cache.line_offsets) - 1, dtype=np.int64), np.diff(cache.line_offsets))
    keep = ids < n  # a pruned vocabulary is a prefix: OOV tokens never occupy a position (SPEC a.3)
    if subsample > 0:
        freq = vocab.counts / vocab.total
        p_keep = np.minimum(1.0, np.sqrt(subsample / freq))
        rng = np.random.default_rng(seed)
        keep &= rng.random(len(ids)) < p_keep[np.minimum(ids, n - 1)]
    ids, line = ids[keep].astype(np.int64), line[keep]
    acc = sp.csr_matrix((n, n))
    for d in range(1, window + 1):
        same = line[:-d] == line[d:]
        a, b = ids[:-d][same], ids[d:][same]
        w = {"flat": 1.0, "harmonic": 1.0 / d, "linear": (window - d + 1) / window}[shape]
        acc = acc + sp.csr_matrix((np.full(len(a), w), (a, b)), shape=(n, n))
    matrix = (acc + acc.T).tocsr()
    return SimpleNamespace(matrix=matrix, vocab=Vocabulary(vocab.words, vocab.counts), total_tokens=vocab.total,
                           window=window, distance_weighting=shape, z=None,
                           meta=dict(min_count=min_count, window=window, shape=shape, subsample=subsample))


# --- evaluation --------------------------------------------------------------------------------------------
def _read_pairs(path):
    out = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            fields = [f.strip() for f in line.strip().split("\t")]
            if len(fields) >= 3 and fields[0] and fields[1]:
                out.append((fields[0], fields[1], float(fields[2])))
    return out


def _read_analogies(path):
    out = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) == 4 and not line.startswith(":"):
                out.append(parts)
    return out


def scores(emb, unit: np.ndarray | None = None) -> dict[str, float]:
    """wordsim-240/297 Spearman (cosine, covered pairs) and CA_translated 3CosAdd accuracy (covered)."""
    vecs = np.asarray(emb.vectors, dtype=np.float32) if unit is None else unit
    if unit is None:
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        vecs = vecs / np.maximum(norms, 1e-12)
    index = emb.vocab.index
    result = {}
    for name in ("wordsim-240", "wordsim-297"):
        pairs = [(index[a], index[b], s) for a, b, s in _read_pairs(EVAL[name]) if a in index and b in index]
        sims = [float(vecs[a] @ vecs[b]) for a, b, _ in pairs]
        result[name] = float(spearmanr(sims, [s for *_, s in pairs])[0])
        result[name + "/n"] = len(pairs)
    quads = [[index[w] for w in q] for q in _read_analogies(EVAL["ca_translated"]) if all(w in index for w in q)]
    correct = 0
    for start in range(0, len(quads), 256):
        batch = np.array(quads[start:start + 256])
        query = vecs[batch[:, 1]] - vecs[batch[:, 0]] + vecs[batch[:, 2]]
        sims = query @ vecs.T
        rows = np.arange(len(batch))
        for col in range(3):
            sims[rows, batch[:, col]] = -np.inf
        correct += int((sims.argmax(1) == batch[:, 3]).sum())
    result["ca_translated"] = correct / max(1, len(quads))
    result["ca_translated/n"] = len(quads)
    return result


# --- sweep --------------------------------------------------------------------------------------------------
SCREEN = [  # (label, count options, PMIEmbedding options); screened with few epochs, then confirmed
    ("seed (w10 flat, both, cds1)", {}, dict(both_orientations=True, cds=1.0)),
    ("once per pair", {}, dict(cds=1.0)),
    ("+cds 0.75", {}, dict(cds=0.75)),
    ("+cds 0.75 truncate", {}, dict(cds=0.75, truncate=True)),
    ("+cds 0.75 x_max 10", {}, dict(cds=0.75, x_max=10.0)),
    ("+cds 0.75 x_max 10 lr 0.2", {}, dict(cds=0.75, x_max=10.0, lr=0.2)),
    ("+cds 0.75 alpha 0.5", {}, dict(cds=0.75, alpha=0.5)),
    ("+cds 0.75 lr 0.05", {}, dict(cds=0.75, lr=0.05)),
    ("+cds 0.75 w5", dict(window=5), dict(cds=0.75)),
    ("+cds 0.75 w10 harmonic", dict(shape="harmonic"), dict(cds=0.75)),
    ("+cds 0.75 w10 linear", dict(shape="linear"), dict(cds=0.75)),
    ("+cds 0.75 subsample 1e-4", dict(subsample=1e-4), dict(cds=0.75)),
    ("+cds 0.75 lr 0.2", {}, dict(cds=0.75, lr=0.2)),
    ("+cds 0.75 both orientations", {}, dict(cds=0.75, both_orientations=True)),
    ("+cds 0.75 w5 subsample 1e-4", dict(window=5, subsample=1e-4), dict(cds=0.75)),
    ("PPMI-SVD (cds 0.75, eig 0.5)", {}, dict(method="svd")),
    ("+cds 0.75 neg 1 (Swivel-style)", {}, dict(cds=0.75, neg=1.0)),
    ("+cds 0.75 w15", dict(window=15), dict(cds=0.75)),
    ("+cds 0.75 lr 0.4", {}, dict(cds=0.75, lr=0.4)),
    ("+cds 0.75 lr 0.2 neg 1", {}, dict(cds=0.75, lr=0.2, neg=1.0)),
    ("+cds 0.75 lr 0.2 w15", dict(window=15), dict(cds=0.75, lr=0.2)),
    ("+cds 0.75 lr 0.8", {}, dict(cds=0.75, lr=0.8)),
    ("seed + lr 0.4 (both, cds 1)", {}, dict(both_orientations=True, cds=1.0, lr=0.4)),
    ("+cds 0.75 lr 0.4 neg 1", {}, dict(cds=0.75, lr=0.4, neg=1.0)),

]


def sweep(cache, configs, epochs: int, dim: int, threads: int, out, save_dir: str | None = None) -> None:
    from wordvec.train.pmi import PMIEmbedding

    counted = {}
    header = f"{'setting':34s} {'ep':>3s} {'ws240':>6s} {'ws297':>6s} {'CA':>6s} {'nnz':>10s} {'s/ep':>6s} {'total s':>8s}"
    print(header, flush=True)
    for label, copts, popts in configs:
        key = json.dumps(copts, sort_keys=True)
        t0 = time.perf_counter()
        if key not in counted:
            counted = {key: count(cache, **copts)}  # keep one matrix in memory at a time
        counts = counted[key]
        # the first sweep's baseline (λ exponent 0.75, no prior, no pseudo-count), whatever today's defaults are
        params = dict(dim=dim, epochs=epochs, seed=1, threads=threads, alpha=0.75, independence_weight=0.0,
                      prior_count=0.0)
        params.update(popts)
        if popts.get("method") == "svd":
            from wordvec.train.svd import PPMISVD

            model = PPMISVD(dim=dim, seed=1).fit(counts)
            per_epoch = 0.0
        else:
            model = PMIEmbedding(**params).fit(counts)
            per_epoch = float(np.mean(model.seconds_))
        elapsed = time.perf_counter() - t0  # includes counting when this setting needed new counts
        s = scores(Embedding(model.embedding_))
        if save_dir:
            model.embedding_.save(os.path.join(save_dir, "".join(ch if ch.isalnum() else "_" for ch in label)))
        row = dict(setting=label, count=copts, params=params, scores=s, nnz=int(counts.matrix.nnz),
                   seconds_per_epoch=per_epoch, seconds=elapsed)
        print(f"{label:34s} {epochs:3d} {s['wordsim-240']:6.3f} {s['wordsim-297']:6.3f} {s['ca_translated']:6.3f} "
              f"{counts.matrix.nnz:10d} {per_epoch:6.2f} {elapsed:8.1f}", flush=True)
        if out:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="run the quality sweep instead of the benchmark")
    parser.add_argument("--only", default=None, help="sweep: comma-separated row numbers to run")
    parser.add_argument("--epochs", type=int, default=10, help="sweep: epochs per setting [10]")
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--log", default=None, help="sweep: also append JSON lines here")
    parser.add_argument("--save-dir", default=None, help="sweep: save each model under this folder")
    parser.add_argument("--presets", default="default,seed", help="benchmark: wordvec presets to time [default,seed]")
    parser.add_argument("--keep", default=None, metavar="DIR",
                        help="benchmark: keep the trained models as DIR/model-PRESET (default: a temporary folder)")
    args = parser.parse_args(argv)
    cache = load_tokens()
    if args.sweep:
        configs = SCREEN if not args.only else [SCREEN[int(i)] for i in args.only.split(",")]
        with open(args.log, "a", encoding="utf-8") if args.log else open(os.devnull, "w") as out:
            sweep(cache, configs, args.epochs, args.dim, args.threads, out, args.save_dir)
        return
    compare(cache, args)


def _write_tokens(cache, path: str) -> None:
    """The token cache as a whitespace-joined text file (gensim ``corpus_file`` input), one line per line."""
    words = np.array(cache.vocab.words, dtype=object)
    offsets = np.asarray(cache.line_offsets)
    ids = np.asarray(cache.ids)
    with open(path, "w", encoding="utf-8") as handle:
        for k in range(len(offsets) - 1):
            line = ids[offsets[k]:offsets[k + 1]]
            if len(line):
                handle.write(" ".join(words[line]) + "\n")


def compare(cache, args) -> None:
    """`wordvec train` (default preset) from cached tokens vs gensim SGNS, timed and scored in the same run."""
    import subprocess
    import tempfile

    from gensim.models import Word2Vec

    from wordvec.query.embedding import Embedding

    rows = []
    with tempfile.TemporaryDirectory(prefix="wordvec-bench-train-") as tmp:
        for preset in args.presets.split(","):
            out = os.path.join(args.keep or tmp, "model-" + preset)
            cmd = [sys.executable, "-m", "wordvec", "train", CORPUS, "-o", out, "--threads", str(args.threads),
                   "--dim", str(args.dim), "--preset", preset, "--seed", "1", "-q"]
            t = time.perf_counter()
            subprocess.run(cmd, check=True)
            wall = time.perf_counter() - t
            emb = Embedding.load(out)
            per_epoch = float(np.median(emb.meta["seconds_per_epoch"]))
            rows.append((f"wordvec train --preset {preset}", wall, per_epoch, scores(emb)))
            print(f"[{rows[-1][0]}] {wall:.1f}s, {per_epoch:.2f}s/epoch (median)", flush=True)
        corpus_file = os.path.join(tmp, "tokens.txt")
        _write_tokens(cache, corpus_file)
        t = time.perf_counter()
        model = Word2Vec(corpus_file=corpus_file, sg=1, negative=5, hs=0, window=5, epochs=5, vector_size=args.dim,
                         workers=args.threads, min_count=5, seed=1)
        wall = time.perf_counter() - t
        from wordvec.io.vocab import Vocabulary

        kv = model.wv
        vocab = Vocabulary(list(kv.index_to_key), [kv.get_vecattr(w, "count") for w in kv.index_to_key])
        rows.append(("gensim SGNS (sg=1, neg 5, w5, 5 ep)", wall, wall / 5, scores(Embedding(kv.vectors, vocab))))
    sgns = rows[-1][1]
    print(f"\n{'model':38s} {'wall s':>8s} {'s/epoch':>8s} {'vs SGNS':>8s} {'ws240':>6s} {'ws297':>6s} {'CA':>6s}")
    for name, wall, per_epoch, s in rows:
        print(f"{name:38s} {wall:8.1f} {per_epoch:8.2f} {wall / sgns:8.2f} {s['wordsim-240']:6.3f} "
              f"{s['wordsim-297']:6.3f} {s['ca_translated']:6.3f}")
    print(f"(coverage: wordsim-240 {rows[0][3]['wordsim-240/n']}, wordsim-297 {rows[0][3]['wordsim-297/n']}, "
          f"CA {rows[0][3]['ca_translated/n']} questions; {args.threads} threads, {args.dim}-d)")


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
