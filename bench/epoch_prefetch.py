"""Seconds per AdaGrad pass over zh_mixed's records with the kernel's row prefetch on and off, alternating in
separate processes in the same run.

    python bench/epoch_prefetch.py [--reps 4] [--epochs 2] [--threads 2]

Times ``wordvec.train._kernels.adagrad_epoch`` alone (no independence prior), on the default records (α 0.5,
context smoothing 0.75) in a fixed shuffled order. The "off" arm sets ``PREFETCH_AHEAD`` beyond any slice
before the kernel compiles, with numba's cache in a temporary folder so no compiled copy is shared.
"""
from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

from _alternate import alternate, python_seconds

HERE = os.path.dirname(os.path.abspath(__file__))

_ARM = """
import sys, time, numpy as np, numba
sys.path.insert(0, {here!r})
import train as B
import wordvec.train._kernels as K
if {off}:
    K.PREFETCH_AHEAD = 1 << 62  # the prefetch branch is never taken
from wordvec.corpora.pipeline import count_cached
from wordvec.train.targets import build_records
counts = count_cached(B.load_tokens(), min_count=5, window=10)
rec = build_records(counts, cds=0.75, alpha=0.5)
rng = np.random.default_rng(1)
n, d = len(counts.vocab), 128
order = rng.permutation(len(rec))
rows, cols = rec.rows[order], rec.cols[order]
target, weight = rec.target[order].astype(np.float32), rec.weight[order].astype(np.float32)
numba.set_num_threads({threads})
vectors = rng.uniform(-0.5 / d, 0.5 / d, (n, d)).astype(np.float32)
accum = np.ones_like(vectors)
K.adagrad_epoch(vectors, accum, rows[:1000], cols[:1000], target[:1000], weight[:1000], 0.1, {threads})  # compile
out = []
for _ in range({epochs}):
    t = time.perf_counter()
    K.adagrad_epoch(vectors, accum, rows, cols, target, weight, 0.1, {threads})
    out.append(time.perf_counter() - t)
print(" ".join(f"{{s:.3f}}" for s in out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    def arm(off: bool):
        code = _ARM.format(here=HERE, off=off, epochs=args.epochs, threads=args.threads)

        def run() -> list[float]:
            with tempfile.TemporaryDirectory(prefix="wordvec-numba-cache-") as cache:
                return python_seconds(code, env={"NUMBA_CACHE_DIR": cache})
        return run

    runs = alternate({"prefetch on": arm(False), "prefetch off": arm(True)}, args.reps)
    on, off = (float(np.median(np.concatenate(arm_runs))) for arm_runs in runs.values())
    print(f"median s/pass: prefetch on {on:.2f}, off {off:.2f}, ratio {on / off:.2f}")


if __name__ == "__main__":
    main()
