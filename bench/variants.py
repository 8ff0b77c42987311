"""Quality variants of the PMI trainer on zh_mixed, several seeds each (issue 3, second and third round).

    python bench/variants.py                       # every variant, seeds 1 and 2, 10 epochs
    python bench/variants.py --only base,trunc10 --seeds 1,2,3 --epochs 30 --log out.jsonl
    python bench/variants.py --split MODEL [MODEL …]   # wordsim Spearman on the rarer / more frequent half

Each row trains ``PMIEmbedding`` on the cached zh_mixed counts (window 10, min_count 5) with the second
round's default preset (``prior_count=0``, ``independence_weight=0``) and one change; the rows ``beta…`` try the
pseudo-count that ``--prior-count`` offers, the rows ``ind…`` (third round) the independence prior that
``--independence-weight`` offers (its w0 = 1e-4 is today's default). Each model is scored on wordsim-240/297 Spearman and CA_translated
3CosAdd with ``bench/train.py``'s evaluator. Two threads train Hogwild, so one seed is not enough to rank settings whose scores differ by less
than the spread across seeds; the table prints the mean and the range.

Variants that the estimator does not offer as options are built from its public parts: the starting state
(``fit(state=…)``: SVD initialisation, AdaGrad's starting accumulator), the end-of-epoch hook (weight decay), a
count matrix without its single co-occurrences (Z of the full matrix kept, so targets do not move), and, for
clipped targets only, a wrapper around ``wordvec.train.targets.build_records``. The last rows change only how the
similarity is read from the baseline vectors (mean / top principal component removed, profile similarity).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from types import SimpleNamespace

import numpy as np

from wordvec.query.embedding import Embedding
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train as bench_train  # noqa: E402  (the evaluator and the token cache of bench/train.py)

# (key, label, counting options, PMIEmbedding overrides, special handling)
VARIANTS = [
    ("base", "default preset (η 0.4, cds 0.75, x_max 100)", {}, {}, None),
    ("seedpreset", "--preset seed", {}, dict(lr=0.1, both_orientations=True, cds=1.0), None),
    ("g0", "AdaGrad G0 0.01 (not 1), η 0.1", {}, dict(lr=0.1), "g0"),
    ("svdinit", "start from PPMI-SVD vectors, η 0.1", {}, dict(lr=0.1), "svdinit"),
    ("clip0", "targets clipped at 0 (PPMI-like)", {}, {}, "clip"),
    ("minx2", "drop pairs seen once", {}, {}, "minx2"),
    ("beta0.2", "smoothed targets log((x+0.2)/(E+0.2))", {}, dict(prior_count=0.2), None),
    ("beta1", "smoothed targets log((x+1)/(E+1))", {}, dict(prior_count=1.0), None),
    ("beta3", "smoothed targets log((x+3)/(E+3))", {}, dict(prior_count=3.0), None),
    ("beta10", "smoothed targets log((x+10)/(E+10))", {}, dict(prior_count=10.0), None),
    ("trunc10", "weights min(1, (x/10)^0.75)", {}, dict(truncate=True, x_max=10.0), None),
    ("trunc10neg", "trunc10 + penalty for unobserved pairs", {}, dict(truncate=True, x_max=10.0, neg=1.0), None),
    ("alpha05", "weights (x/100)^0.5", {}, dict(alpha=0.5), None),
    ("w15", "window 15", dict(window=15), {}, None),
    ("harmonic", "window 10, 1/d weighting", dict(distance_weighting=True), {}, None),
    ("decay", "weight decay 10% per epoch", {}, {}, "decay"),
    ("neg", "penalty for unobserved pairs (--neg 1)", {}, dict(neg=1.0), None),
    # third round: the independence prior (every pair pulled towards PMI 0 with weight w0)
    ("ind3e-5", "independence prior w0 3e-5", {}, dict(independence_weight=3e-5), None),
    ("ind1e-4", "independence prior w0 1e-4", {}, dict(independence_weight=1e-4), None),
    ("ind3e-4", "independence prior w0 3e-4", {}, dict(independence_weight=3e-4), None),
    ("ind1e-3", "independence prior w0 1e-3", {}, dict(independence_weight=1e-3), None),
    ("ind1e-4w15", "independence prior w0 1e-4, window 15", dict(window=15), dict(independence_weight=1e-4), None),
    ("ind1e-4a05", "independence prior w0 1e-4, weights (x/100)^0.5", {}, dict(independence_weight=1e-4, alpha=0.5),
     None),
    ("ind1e-4beta1", "independence prior w0 1e-4, pseudo-count 1", {}, dict(independence_weight=1e-4, prior_count=1.0),
     None),
]
READOUTS = ["mean removed", "mean + top PC removed", "profile similarity (N = 10,000)"]


def counts_for(cache, options: dict):
    from wordvec.corpora.pipeline import count_cached

    return count_cached(cache, min_count=5, window=options.get("window", 10),
                        distance_weighting=options.get("distance_weighting", False))


def without_singletons(counts):
    """The counts with every pair seen once removed; Z (``z``) stays that of the full matrix."""
    matrix = sp.csr_matrix(counts.matrix, copy=True)
    matrix.data[matrix.data < 2] = 0
    matrix.eliminate_zeros()
    return SimpleNamespace(matrix=matrix, vocab=counts.vocab, total_tokens=counts.total_tokens, z=counts.z,
                           window=counts.window, distance_weighting=counts.distance_weighting, meta=counts.meta)


def clip_at_zero(records) -> None:
    """PPMI-like targets: max(target, 0)."""
    np.maximum(records.target, 0.0, out=records.target)


@contextlib.contextmanager
def transformed_targets(transform):
    """Train on ``transform(records)`` (in place) by wrapping the record builder the estimator uses."""
    import wordvec.train.pmi as pmi_module

    original = pmi_module.build_records

    def build(*args, **kwargs):
        records = original(*args, **kwargs)
        transform(records)
        return records

    pmi_module.build_records = build
    try:
        yield
    finally:
        pmi_module.build_records = original


def train(counts, key: str, overrides: dict, special: str | None, seed: int, epochs: int, threads: int):
    from wordvec.train.pmi import PMIEmbedding

    params = dict(epochs=epochs, seed=seed, threads=threads, alpha=0.75, prior_count=0.0,
                  independence_weight=0.0)  # the round-2 default, whatever today's defaults are
    params.update(overrides)
    model = PMIEmbedding(**params)
    n, dim = len(counts.vocab), int(model.dim)
    state, hook = None, None
    if special == "g0":
        rng = np.random.default_rng(seed)
        vectors = rng.uniform(-0.5 / dim, 0.5 / dim, (n, dim)).astype(np.float32)
        state = dict(vectors=vectors, accum=np.full_like(vectors, 0.01), epoch=0, loss=[], seconds=[])
    elif special == "svdinit":
        from wordvec.train.svd import PPMISVD

        vectors = np.asarray(PPMISVD(dim=dim, seed=seed).fit(counts).embedding_.vectors, dtype=np.float32)
        state = dict(vectors=vectors, accum=np.ones_like(vectors), epoch=0, loss=[], seconds=[])
    elif special == "decay":
        def hook(current):
            current["vectors"] *= 0.9
    elif special == "minx2":
        counts = without_singletons(counts)
    with transformed_targets(clip_at_zero) if special == "clip" else contextlib.nullcontext():
        model.fit(counts, state=state, on_epoch_end=hook)
    return Embedding(model.embedding_)


def readouts(emb) -> dict[str, np.ndarray]:
    """Unit vectors of three other ways to read similarity from the same vectors."""
    v = np.asarray(emb.vectors, dtype=np.float64)
    centred = v - v.mean(0)
    top = np.linalg.svd(centred[:20000], full_matrices=False)[2][:1]
    ctx = v[:10000] - v[:10000].mean(0)
    eigval, eigvec = np.linalg.eigh(ctx.T @ ctx)
    profile = v @ (eigvec * np.sqrt(np.maximum(eigval, 0))) @ eigvec.T  # cosine of C^½ v = profile similarity
    out = {}
    for name, table in zip(READOUTS, (centred, centred - (centred @ top.T) @ top, profile)):
        out[name] = (table / np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-12)).astype(np.float32)
    return out


def split_by_frequency(paths: list[str]) -> None:
    """wordsim-240/297 Spearman of saved models on the pairs whose rarer word is below / above the median count."""
    from scipy.stats import spearmanr

    from wordvec.query.embedding import Embedding

    print(f"{'model':40s} {'set':12s} {'all':>6s} {'rarer half':>11s} {'frequent half':>14s} {'median count':>13s}")
    for path in paths:
        emb = Embedding.load(path)
        index, counts, unit = emb.vocab.index, np.asarray(emb.counts), emb.unit_vectors
        for name in ("wordsim-240", "wordsim-297"):
            pairs = [(index[a], index[b], g) for a, b, g in bench_train._read_pairs(bench_train.EVAL[name])
                     if a in index and b in index]
            rarer = np.array([min(counts[a], counts[b]) for a, b, _ in pairs])
            gold = np.array([g for *_, g in pairs])
            sims = np.array([float(unit[a] @ unit[b]) for a, b, _ in pairs])
            median = np.median(rarer)
            low, high = rarer <= median, rarer > median
            cells = [spearmanr(sims[m], gold[m])[0] for m in (np.ones(len(pairs), bool), low, high)]
            print(f"{path[-40:]:40s} {name:12s} {cells[0]:6.3f} {cells[1]:11.3f} {cells[2]:14.3f} {median:13.0f}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None, help="comma-separated variant keys (default: all)")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--log", default=None, help="append one JSON line per trained model")
    parser.add_argument("--split", nargs="+", metavar="MODEL", help="only score saved models by frequency halves")
    args = parser.parse_args(argv)
    if args.split:
        split_by_frequency(args.split)
        return
    keys = args.only.split(",") if args.only else [v[0] for v in VARIANTS]
    unknown = set(keys) - {v[0] for v in VARIANTS}
    if unknown:
        parser.error(f"unknown variants {sorted(unknown)}: use {', '.join(v[0] for v in VARIANTS)}")
    seeds = [int(s) for s in args.seeds.split(",")]
    cache = bench_train.load_tokens()
    names = ("wordsim-240", "wordsim-297", "ca_translated")
    table = []
    log = open(args.log, "a", encoding="utf-8") if args.log else None
    print(f"{'variant':48s} {'seed':>4s} {'ws240':>6s} {'ws297':>6s} {'CA':>6s} {'s':>6s}", flush=True)
    for key, label, copts, overrides, special in VARIANTS:
        if key not in keys:
            continue
        counts = counts_for(cache, copts)
        runs = []
        for seed in seeds:
            t = time.perf_counter()
            emb = train(counts, key, overrides, special, seed, args.epochs, args.threads)
            seconds = time.perf_counter() - t
            s = bench_train.scores(emb)
            runs.append([s[n] for n in names])
            print(f"{label:48s} {seed:4d} {runs[-1][0]:6.3f} {runs[-1][1]:6.3f} {runs[-1][2]:6.3f} {seconds:6.0f}",
                  flush=True)
            if log:
                log.write(json.dumps(dict(variant=key, label=label, seed=seed, epochs=args.epochs, scores=s,
                                          seconds=seconds)) + "\n")
                log.flush()
            if key == "base" and seed == seeds[0]:
                for name, unit in readouts(emb).items():
                    r = bench_train.scores(emb, unit)
                    table.append((f"  read as: {name}", [[r[n] for n in names]]))
        table.insert(len(table) - (3 if key == "base" else 0), (label, runs))
    print(f"\n{args.epochs} epochs, seeds {args.seeds}, {args.threads} threads; mean [min–max] over seeds")
    print(f"{'variant':48s} {'ws240':>17s} {'ws297':>17s} {'CA':>17s}")
    for label, runs in table:
        arr = np.array(runs)
        cells = [f"{arr[:, k].mean():.3f} [{arr[:, k].min():.2f}–{arr[:, k].max():.2f}]" for k in range(3)]
        print(f"{label:48s} " + " ".join(f"{c:>17s}" for c in cells))
    if log:
        log.close()


if __name__ == "__main__":
    main()
