"""Variants of the narrow table behind `similar` (issue 12): which neighbours, which window, which share.

    python bench/narrow_variants.py --corpus pd1998 --variants sym:2:0.5,sym:2:0,dsym:2:0,dir:2:0 --shares 0.35,0.5,0.65

Needs the corpus's default model from bench/similarity.py (``sim-<corpus>-pmi`` under ``--models``). Each
variant is ``KIND:WINDOW:EIG``: ``sym`` the PPMI-SVD of the usual symmetric counts (``wordvec.train.svd``),
``dsym`` the same with 1/d distance weights, ``dir`` the directional counts of ``wordvec.train.narrow`` (left
and right neighbours apart, 1/d). EIG is the singular-value weight. For each variant the table alone and its
blend with the PMI model's centred cosine at each share are scored: mean Spearman on the similarity sets (each
set in brackets), mean on the relatedness sets, and POS agreement (top-10 neighbours of the 300 most frequent
content words sharing the query's majority tag in gold-tagged pd1998). One SVD seed (1) per variant.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _simsets as S  # noqa: E402
import similarity as B  # noqa: E402


def unit(a: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(a, axis=1, keepdims=True)
    return np.divide(a, n, out=np.zeros_like(a), where=n > 0)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="pd1998", choices=sorted(S.CORPORA))
    parser.add_argument("--models", default="/work/models")
    parser.add_argument("--variants", default="sym:2:0.5,dsym:2:0,dir:2:0")
    parser.add_argument("--shares", default="0.35,0.5,0.65")
    args = parser.parse_args(argv)
    from wordvec.corpora.pipeline import count_cached
    from wordvec.query.embedding import Embedding
    from wordvec.query.methods import unit_table
    from wordvec.train.narrow import narrow_table
    from wordvec.train.svd import ppmi_factors

    pmi = Embedding.load(B.model_path(args.models, args.corpus, "pmi"))
    words, index = pmi.words, pmi.vocab.index
    cache = B.token_cache(args.corpus)
    u_pmi = unit_table(pmi, "centred").astype(np.float64)
    names = S.SIMILARITY_SETS + S.RELATEDNESS_SETS

    def row(label: str, u: np.ndarray) -> None:
        s = S.score_sets(index, S.unit_pair(u), names)
        pos = S.pos_score(words, index, S.neighbours_from_unit(words, index, u))
        sim = [s[n]["rho"] for n in S.SIMILARITY_SETS]
        rel = [s[n]["rho"] for n in S.RELATEDNESS_SETS]
        print(f"| {args.corpus} | {label} | {np.mean(sim):.3f} ({' / '.join(f'{x:.3f}' for x in sim)}) | "
              f"{np.mean(rel):.3f} | {pos['strict']:.3f} |", flush=True)

    print("| corpus | table | similarity mean (ws353-sim / ws297) | relatedness mean | POS |\n|---|---|---|---|---|")
    row("PMI centred cosine", u_pmi)
    for spec in [v for v in args.variants.split(",") if v.strip()]:
        kind, window, eig = spec.split(":")
        if kind == "dir":
            table, _ = narrow_table(cache, pmi.vocab, int(window), pmi.shape[1], eig=float(eig), seed=1)
        else:
            counts = count_cached(cache, window=int(window), min_count=int(pmi.meta.get("min_count") or 5),
                                  distance_weighting=kind == "dsym")
            if list(counts.vocab.words) != list(words):
                sys.exit("the counts' vocabulary differs from the model's")
            table = ppmi_factors(counts, pmi.shape[1], 0.75, float(eig), 1, solver="randomized")[0]
        u = unit(np.asarray(table, dtype=np.float64))
        row(f"{spec} alone", u)
        for share in [float(x) for x in args.shares.split(",") if x.strip()]:
            row(f"{spec} share {share:g}", unit(np.hstack([np.sqrt(1 - share) * u_pmi, np.sqrt(share) * u])))


if __name__ == "__main__":
    main()
