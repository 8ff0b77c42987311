"""Sweep of spectral readouts (issue 12, step 2): the same trained vectors read with eigenvalue weight p,
centring, the top principal directions removed, the covariance estimated from the top-N rows.

    python bench/readouts.py MODEL [MODEL …] [--grid default|small]

No retraining: each row is a ``wordvec.query.readouts.SpectralReadout`` of the model's table. Columns: the
similarity sets, their mean, the relatedness sets, and POS agreement (top-10 of the 300 most frequent content
words, strict: untagged neighbours count as not sharing).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _simsets as S  # noqa: E402

GRIDS = {
    "small": [(0.5, 0, False, None), (0.5, 0, True, None), (0.5, 2, True, None), (0.25, 0, True, None),
              (0.0, 0, True, None), (0.25, 2, True, None), (0.0, 2, True, None)],
    "profile": [("profile", n) for n in (200, 500, 1000, 2000, 5000, 10000)] +
               [(p, 0, True, None) for p in (0.75, 1.0)] + [(p, 0, True, 2000) for p in (0.75, 1.0)],
    "default": [(p, r, True, rows) for p in (0.5, 0.375, 0.25, 0.125, 0.0) for r in (0, 1, 3)
                for rows in (None, 20000)] + [(0.5, 0, False, None)],
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--grid", default="default", choices=sorted(GRIDS))
    args = parser.parse_args(argv)
    from wordvec.query.embedding import Embedding
    from wordvec.query.readouts import ReadoutSettings, SpectralReadout

    names = S.SIMILARITY_SETS + S.RELATEDNESS_SETS
    short = {"ws353-sim-zh": "sim", "wordsim-297": "297", "wordsim-240": "240", "men3000-zh": "MEN",
             "ws353-rel-zh": "rel", "mturk287-zh": "mturk"}
    print(f"{'model':22s} {'p':>5s} {'rm':>2s} {'c':>1s} {'rows':>6s} " +
          " ".join(f"{short[n]:>6s}" for n in S.SIMILARITY_SETS) + f" {'simμ':>6s} " +
          " ".join(f"{short[n]:>6s}" for n in S.RELATEDNESS_SETS) + f" {'relμ':>6s} {'POS':>6s} {'POSt':>6s}", flush=True)
    for path in args.models:
        emb = Embedding.load(path)
        words, index = emb.words, emb.vocab.index
        vectors = np.asarray(emb.vectors)
        for setting in GRIDS[args.grid]:
            t = time.perf_counter()
            if setting[0] == "profile":
                from wordvec.query.profile import ProfileTransform

                pt = ProfileTransform(vectors, setting[1])
                ev, evec = np.linalg.eigh(pt.scatter)
                table = vectors @ (evec * np.sqrt(np.maximum(ev, 0)))
                unit = table / np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-30)
                power, remove, centre, rows = -1, 0, False, setting[1]
            else:
                power, remove, centre, rows = setting
                if rows is not None and rows >= len(emb):
                    continue
                unit = SpectralReadout(vectors, ReadoutSettings(power, remove, centre, rows)).unit
            s = S.score_sets(index, S.unit_pair(unit), names)
            pos = S.pos_score(words, index, S.neighbours_from_unit(words, index, unit))
            sim = [s[n]["rho"] for n in S.SIMILARITY_SETS]
            rel = [s[n]["rho"] for n in S.RELATEDNESS_SETS]
            print(f"{os.path.basename(path)[-22:]:22s} {power:5.3f} {remove:2d} {int(centre):1d} {rows or 0:6d} " +
                  " ".join(f"{x:6.3f}" for x in sim) + f" {np.mean(sim):6.3f} " +
                  " ".join(f"{x:6.3f}" for x in rel) + f" {np.mean(rel):6.3f} {pos['strict']:6.3f} "
                  f"{pos['tagged']:6.3f}  ({time.perf_counter() - t:.1f}s)", flush=True)


if __name__ == "__main__":
    main()
