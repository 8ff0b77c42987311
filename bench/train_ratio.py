"""Training time of the default `wordvec train` against gensim SGNS in the same run (issue 12, item 3).

    python bench/train_ratio.py --corpus zh_mixed [--repeats 1]

Both from the same cached tokens, 2 threads: ``wordvec train CORPUS`` (default settings: the PMI model and its
narrow table) and gensim Word2Vec sg=1, negative 5, window 5, 5 epochs, min_count 5, workers 2. The models go
to a temporary folder under ``--models`` and are removed afterwards. Prints each wall time and the ratio;
with ``--repeats N`` the runs alternate N times.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _simsets as S  # noqa: E402
import similarity as B  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="zh_mixed", choices=sorted(S.CORPORA))
    parser.add_argument("--models", default="/work/models")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    print(f"train ratio — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average "
          f"{os.getloadavg()[0]:.1f}; command: python bench/train_ratio.py {' '.join(sys.argv[1:])}", flush=True)
    B.token_cache(args.corpus)
    ours, theirs = [], []
    for _ in range(args.repeats):
        tmp = tempfile.mkdtemp(prefix="train-ratio-", dir=args.models)
        try:
            path = B.train_wordvec(tmp, args.corpus, "pmi")
            ours.append(B.train_seconds(path))
            with open(os.path.join(path, "meta.json"), encoding="utf-8") as handle:
                narrow = json.load(handle).get("narrow", {}).get("seconds")
            path = B.train_sgns(tmp, args.corpus, 128)
            theirs.append(B.train_seconds(path))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"wordvec train {ours[-1]:.1f} s (narrow table {narrow}), gensim SGNS {theirs[-1]:.1f} s: "
              f"{ours[-1] / theirs[-1]:.2f}x; load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"mean: {sum(ours) / len(ours):.1f} s vs {sum(theirs) / len(theirs):.1f} s = "
          f"{sum(ours) / sum(theirs):.2f}x")


if __name__ == "__main__":
    main()
