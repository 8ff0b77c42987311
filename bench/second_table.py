"""A second table for `similar` (issue 12, candidate): the default PMI model's centred cosine combined with a
narrow-window PPMI-SVD of the same tokens.

    wordvec train CORPUS [--tokenizer tagged] --method svd --window 2 -o /work/models/sim-C-svd-w2
    python bench/second_table.py --corpora pd1998,zh_small [--weights 0.5,0.35,0.25]

The combined similarity is the cosine of ``[√w · u_pmi, √(1−w) · u_svd]``, i.e. ``w · cos_pmi(centred) +
(1 − w) · cos_svd``, with u the unit rows of the two tables (same vocabulary: same tokens, same min_count).
Columns as bench/similarity.py: the similarity sets, their mean, the relatedness sets, their mean, and POS
agreement (strict, then over tagged neighbours only), plus the SGNS row when its model is cached.
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


def row(label: str, words, index, unit: np.ndarray) -> str:
    names = S.SIMILARITY_SETS + S.RELATEDNESS_SETS
    s = S.score_sets(index, S.unit_pair(unit), names)
    pos = S.pos_score(words, index, S.neighbours_from_unit(words, index, unit))
    sim = [s[n]["rho"] for n in S.SIMILARITY_SETS]
    rel = [s[n]["rho"] for n in S.RELATEDNESS_SETS]
    return (f"| {label} | " + " | ".join(f"{x:.3f}" for x in sim) + f" | {np.mean(sim):.3f} | " +
            " | ".join(f"{x:.3f}" for x in rel) + f" | {np.mean(rel):.3f} | {pos['strict']:.3f} ({pos['tagged']:.3f}) |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default="pd1998,zh_small")
    parser.add_argument("--models", default="/work/models")
    parser.add_argument("--window", type=int, default=2)
    parser.add_argument("--weights", default="0.5,0.35,0.25", help="weights w of the PMI cosine")
    args = parser.parse_args(argv)
    from wordvec.query.embedding import Embedding
    from wordvec.query.methods import unit_table

    for corpus in [c.strip() for c in args.corpora.split(",") if c.strip()]:
        svd_path = B.model_path(args.models, corpus, "svd") + f"-w{args.window}"
        if not B._done(svd_path):
            print(f"\n{corpus}: {svd_path} missing; train it first (see the module docstring)")
            continue
        pmi = Embedding.load(B.model_path(args.models, corpus, "pmi"))
        svd = Embedding.load(svd_path)
        if pmi.words != svd.words:
            sys.exit(f"{corpus}: the PMI and SVD models have different vocabularies")
        words, index = pmi.words, pmi.vocab.index
        u_pmi = unit_table(pmi, "centred").astype(np.float64)
        u_svd = unit_table(svd, "cosine").astype(np.float64)
        print(f"\n## {corpus}\n| row | " + " | ".join(S.SIMILARITY_SETS) + " | sim mean | " +
              " | ".join(S.RELATEDNESS_SETS) + " | rel mean | POS strict (tagged) |")
        print("|---" * (len(S.SIMILARITY_SETS) + len(S.RELATEDNESS_SETS) + 4) + "|")
        print(row("PMI centred (default similar)", words, index, u_pmi), flush=True)
        print(row(f"PPMI-SVD window {args.window}", words, index, u_svd), flush=True)
        for w in [float(x) for x in args.weights.split(",") if x.strip()]:
            print(row(f"combined, w = {w:g}", words, index, np.hstack([np.sqrt(w) * u_pmi, np.sqrt(1 - w) * u_svd])),
                  flush=True)
        sgns_path = B.model_path(args.models, corpus, "sgns")
        if B._done(sgns_path):
            sgns = Embedding.load(sgns_path)
            print(row("SGNS seed 1 (cosine)", sgns.words, sgns.vocab.index, unit_table(sgns, "cosine")), flush=True)


if __name__ == "__main__":
    main()
