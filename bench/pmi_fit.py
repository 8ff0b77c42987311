"""How well a trained PMI model's inner products reproduce the empirical PMI of zh_mixed (issue 3).

    python bench/pmi_fit.py MODEL [MODEL …]

For each model trained on zh_mixed (window 10, min_count 5, the counts of ``bench/train.py``'s token cache),
prints Pearson r and the mean error of ⟨v_i, v_j⟩ against the empirical PMI target of SPEC a.4,
log x − log Z − log P(i) − log P(j), with P smoothed by the model's own ``cds`` (what the inner product fits):
over the 10,000 heaviest pairs (the SPEC d.3-6 check) and over 200,000 observed pairs drawn at random, split
into pairs seen once and pairs seen at least 10 times. Shrinkage (the independence prior, the pseudo-count)
shows as a negative mean error on the pairs seen once.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train as bench_train  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--sample", type=int, default=200_000)
    args = parser.parse_args(argv)

    from wordvec.train._kernels import pair_dots
    from wordvec.corpora.pipeline import count_cached
    from wordvec.query.embedding import Embedding
    from wordvec.train.targets import build_records

    counts = count_cached(bench_train.load_tokens(), min_count=5, window=10)
    print(f"{'model':32s} {'heaviest 10k r':>15s} {'err':>6s} {'random r':>9s} {'err':>6s} "
          f"{'x=1 r':>6s} {'err':>6s} {'x>=10 r':>8s} {'err':>6s}")
    for path in args.models:
        emb = Embedding.load(path)
        if emb.vocab.checksum() != counts.vocab.checksum():
            sys.exit(f"error: {path} was not trained on zh_mixed with window 10 and min_count 5")
        rec = build_records(counts, cds=float(emb.meta.get("cds", 1.0)))  # the plain estimate, no pseudo-count
        rng = np.random.default_rng(0)
        heavy = np.argsort(-rec.x, kind="stable")[:10_000]
        sample = rng.choice(len(rec), min(args.sample, len(rec)), replace=False)
        vectors = np.asarray(emb.vectors, dtype=np.float64)
        cells = []
        for subset in (heavy, sample, sample[rec.x[sample] == 1], sample[rec.x[sample] >= 10]):
            dots = pair_dots(vectors, rec.rows[subset], rec.cols[subset])
            cells += [np.corrcoef(dots, rec.target[subset])[0, 1], float(np.mean(dots - rec.target[subset]))]
        print(f"{path[-32:]:32s} {cells[0]:15.3f} {cells[1]:+6.2f} {cells[2]:9.3f} {cells[3]:+6.2f} "
              f"{cells[4]:6.3f} {cells[5]:+6.2f} {cells[6]:8.3f} {cells[7]:+6.2f}", flush=True)


if __name__ == "__main__":
    main()
