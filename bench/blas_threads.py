"""Epoch time of the PMI trainer with BLAS limited to one thread during training (what ``fit`` does) against
BLAS left at its default thread count, alternating in separate processes in the same run.

    python bench/blas_threads.py [--reps 3] [--epochs 6] [--threads 2]

Trains the default model on zh_mixed's cached counts (tokenized and counted first when absent). Prints each
run's per-epoch seconds and median, then the ratio of the medians. Why it matters: after the independence
prior's matrix products, OpenBLAS's worker threads spin for a while and take the cores the numba kernel runs on.
"""
from __future__ import annotations

import argparse
import os

import numpy as np

from _alternate import alternate, python_seconds

HERE = os.path.dirname(os.path.abspath(__file__))

_ARM = """
import sys, numpy as np
sys.path.insert(0, {here!r})
import train as B
from wordvec.corpora.pipeline import count_cached
from wordvec.train.pmi import PMIEmbedding
if {unlimited}:
    import threadpoolctl

    class _NoLimit:
        def __init__(self, *args, **kwargs):
            pass

        def restore_original_limits(self):
            pass

    threadpoolctl.threadpool_limits = _NoLimit
counts = count_cached(B.load_tokens(), min_count=5, window=10)
est = PMIEmbedding(dim=128, epochs={epochs}, seed=1, threads={threads}).fit(counts)
print(" ".join(f"{{s:.2f}}" for s in est.seconds_))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    def arm(unlimited: bool):
        code = _ARM.format(here=HERE, unlimited=unlimited, epochs=args.epochs, threads=args.threads)
        return lambda: python_seconds(code)

    runs = alternate({"BLAS 1 thread (fit's limit)": arm(False), "BLAS default threads": arm(True)}, args.reps)
    limited, default = (float(np.median([np.median(run) for run in arm_runs])) for arm_runs in runs.values())
    print(f"median of medians: limited {limited:.2f} s/epoch, default {default:.2f} s/epoch, "
          f"ratio {limited / default:.2f}")


if __name__ == "__main__":
    main()
