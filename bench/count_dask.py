"""Benchmark (issue 17): counting on a Dask LocalCluster of 2 workers vs one process, same corpus, same result.

    python bench/count_dask.py [--corpus PATH] [--mb 16] [--workers 2] [--partition 8M] [--memory 256M]

The first ``--mb`` MB (whole lines) of zh_mixed are written as plain text to a temporary folder (0 = the
whole corpus). Each side runs in a fresh child process, tokenizing and counting from scratch (window 10,
min_count 5, no token cache reuse):

* one process: ``count_corpus(workers=1, threads=1)`` then ``Cooccurrence.save``;
* Dask: ``count_on_dask`` on a ``LocalCluster`` of ``--workers`` processes with one thread each.

Prints wall seconds, CPU seconds, and the peak RSS of every process (the driver's and each worker's VmHWM,
read at the end of the run), and whether the two counts directories are identical (vocabulary and CSR).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "data", "corpora", "zh_mixed.txt.gz")

SINGLE = r"""
import json, resource, sys, time
from wordvec.corpora.pipeline import count_corpus
text, out, cache, memory = sys.argv[1:5]
t = time.perf_counter()
co = count_corpus([text], min_count=5, window=10, workers=1, threads=1, cache_dir=cache, cache_counts=False,
                  memory=int(memory))
co.save(out)
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "cpu": ru.ru_utime + ru.ru_stime,
                  "peak_mb": {"process": ru.ru_maxrss / 1024}}))
"""

DASK = r"""
import json, logging, resource, sys, time
import distributed
from wordvec.corpora.dask_count import count_on_dask

def usage():
    import resource
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime

if __name__ == "__main__":
    text, out, workers, partition, memory = sys.argv[1:6]
    t = time.perf_counter()
    with distributed.LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=logging.CRITICAL) as cluster:
        meta = count_on_dask([text], out, cluster.scheduler_address, min_count=5, window=10,
                             partition_bytes=int(partition), memory=int(memory))
        seconds = time.perf_counter() - t
        with distributed.Client(cluster) as client:
            per_worker = client.run(usage)
    peak, cpu = usage()
    print(json.dumps({"seconds": seconds, "cpu": cpu + sum(c for _, c in per_worker.values()),
                      "partitions": meta["dask"]["partitions"], "merge_levels": meta["dask"].get("merge_levels"),
                      "peak_mb": {"driver": peak, **{f"worker{k}": v[0] for k, v in enumerate(per_worker.values())}}}))
"""


def size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def slice_corpus(path: str, mb: float, target: str) -> int:
    limit = int(mb * (1 << 20)) if mb > 0 else None
    written = 0
    with gzip.open(path, "rb") as src, open(target, "wb") as out:
        for line in src:
            if limit is not None and written + len(line) > limit:
                break
            out.write(line)
            written += len(line)
    return written


def run(code: str, *args: str) -> dict:
    res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"child failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def identical(a: str, b: str) -> bool:
    import numpy as np

    from wordvec.corpora.cooccur import Cooccurrence

    x, y = Cooccurrence.load(a), Cooccurrence.load(b)
    return (x.vocab.words == y.vocab.words and np.array_equal(x.vocab.counts, y.vocab.counts)
            and all(np.array_equal(getattr(x.matrix, n), getattr(y.matrix, n)) for n in ("indptr", "indices", "data")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("--mb", type=float, default=16.0, help="MB of text to use (0: all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partition", default="8M")
    parser.add_argument("--memory", default="256M")
    args = parser.parse_args()
    if not os.path.exists(args.corpus):
        sys.exit(f"corpus not found: {args.corpus}")
    with tempfile.TemporaryDirectory(prefix="wordvec-bench-dask-") as tmp:
        text = os.path.join(tmp, "corpus.txt")
        nbytes = slice_corpus(args.corpus, args.mb, text)
        memory = str(size(args.memory))
        print(f"corpus: {nbytes / 1e6:.1f} MB of {os.path.basename(args.corpus)}; window 10, min_count 5; "
              f"memory {args.memory}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        one = run(SINGLE, text, os.path.join(tmp, "one"), os.path.join(tmp, "cache"), memory)
        many = run(DASK, text, os.path.join(tmp, "many"), str(args.workers), str(size(args.partition)), memory)
        for name, res in (("one process", one), (f"LocalCluster {args.workers} workers", many)):
            peaks = ", ".join(f"{k} {v:.0f} MB" for k, v in res["peak_mb"].items())
            extra = (f", {res['partitions']} partitions, {res['merge_levels']} tree merge levels"
                     if "partitions" in res else "")
            print(f"{name:24s} {res['seconds']:7.1f} s wall, {res['cpu']:7.1f} s CPU{extra}; peak RSS: {peaks}")
        print(f"speed-up {one['seconds'] / many['seconds']:.2f}x; identical result: "
              f"{identical(os.path.join(tmp, 'one'), os.path.join(tmp, 'many'))}")


if __name__ == "__main__":
    main()
