"""Benchmark (issue 17): peak memory of the on-disk k-way merge (`wordvec merge`) against its --memory budget.

    python bench/merge_memory.py [--corpus PATH] [--mb 16] [--parts 8] [--budgets 1G,256M,64M,16M] [--fan-in 32]

The first ``--mb`` MB of zh_mixed are tokenized once (jieba), cut into ``--parts`` line ranges, and each part
is counted (window 10) twice: as a shard directory over the whole slice's vocabulary (min_count 5: what
``--dask`` partitions produce) and as a counts directory over its own vocabulary (min_count 1: independent
jobs, re-indexed to the union when merged). Then each budget merges both sets in a fresh child process:
after the imports and a warm-up merge (numba kernels loaded), VmHWM is reset (/proc/self/clear_refs), the
baseline is VmRSS, and the peak is VmHWM after the merge. Prints seconds, peak RSS above the baseline next
to the budget, and whether every budget produced the identical matrix (and the in-memory ``merge_counts``
result for the smallest case).
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

CHILD = r"""
import hashlib, json, sys, time
import numpy as np
from wordvec.corpora.kway import merge_to_directory
from wordvec.corpora.cooccur import Cooccurrence

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024

inputs, out, warm, memory, fan_in = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
merge_to_directory(inputs[:1], warm, memory=1 << 20)  # loads the kernels
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
base = status("VmRSS")
t = time.perf_counter()
meta = merge_to_directory(inputs, out, memory=memory, fan_in=fan_in)
seconds = time.perf_counter() - t
peak = status("VmHWM")
co = Cooccurrence.load(out)
digest = hashlib.sha256(co.matrix.indptr.tobytes() + co.matrix.indices.tobytes() + co.matrix.data.tobytes()
                        + "\n".join(co.vocab.words).encode()).hexdigest()[:16]
print(json.dumps({"seconds": seconds, "base": base, "peak": peak, "nnz": meta["nnz"], "V": meta["vocab_size"],
                  "digest": digest}))
"""


def size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def prepare(corpus: str, mb: float, parts: int, tmp: str) -> tuple[list[str], list[str]]:
    from types import SimpleNamespace

    import numpy as np

    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.counter import count_to_directory, count_to_shards
    from wordvec.io.vocab import Vocabulary

    text = os.path.join(tmp, "corpus.txt")
    limit, written = int(mb * (1 << 20)), 0
    with gzip.open(corpus, "rb") as src, open(text, "wb") as out:
        for line in src:
            if written + len(line) > limit:
                break
            out.write(line)
            written += len(line)
    cache = build_token_cache([text], cache_dir=os.path.join(tmp, "cache"), workers=2)
    offsets, ids = np.asarray(cache.line_offsets), np.asarray(cache.ids)
    edges = np.linspace(0, len(offsets) - 1, parts + 1).astype(int)
    shards, counts = [], []
    for k in range(parts):
        lo, hi = int(offsets[edges[k]]), int(offsets[edges[k + 1]])
        part_ids, part_offs = ids[lo:hi], offsets[edges[k]:edges[k + 1] + 1] - lo
        whole = SimpleNamespace(vocab=cache.vocab, ids=part_ids, line_offsets=part_offs)
        path = os.path.join(tmp, f"shard-{k}")
        count_to_shards(whole, path, {}, min_count=5, window=10, memory=64 << 20)
        shards.append(path)
        used = np.unique(part_ids)
        own = Vocabulary([cache.vocab.words[i] for i in used], np.bincount(part_ids, minlength=len(cache.vocab))[used])
        own = Vocabulary.from_counts(dict(zip(own.words, own.counts.tolist())))
        remap = np.full(len(cache.vocab), len(own), np.uint32)
        remap[[cache.vocab.index[w] for w in own.words]] = np.arange(len(own), dtype=np.uint32)
        local = SimpleNamespace(vocab=own, ids=remap[part_ids], line_offsets=part_offs)
        path = os.path.join(tmp, f"counts-{k}")
        count_to_directory(local, path, {}, min_count=1, window=10, memory=256 << 20)
        counts.append(path)
    return shards, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("--mb", type=float, default=16.0)
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--budgets", default="1G,256M,64M,16M")
    parser.add_argument("--fan-in", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wordvec-bench-merge-") as tmp:
        shards, counts = prepare(args.corpus, args.mb, args.parts, tmp)
        print(f"{args.mb:g} MB of {os.path.basename(args.corpus)} in {args.parts} parts, window 10, fan-in "
              f"{args.fan_in}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        for label, inputs in (("shards, one vocabulary (min_count 5)", shards),
                              ("counts, own vocabularies (min_count 1)", counts)):
            digests = set()
            for budget in args.budgets.split(","):
                out = os.path.join(tmp, "out")
                res = subprocess.run([sys.executable, "-c", CHILD, json.dumps(inputs), out, os.path.join(tmp, "warm"),
                                      str(size(budget)), str(args.fan_in)], capture_output=True, text=True)
                if res.returncode:
                    sys.exit(res.stderr[-3000:])
                r = json.loads(res.stdout.strip().splitlines()[-1])
                digests.add(r["digest"])
                print(f"{label}: V={r['V']} nnz={r['nnz']}  --memory {budget:>5}: {r['seconds']:6.1f} s, peak RSS "
                      f"{(r['peak'] - r['base']) / 2**20:7.1f} MB above the {r['base'] / 2**20:.0f} MB baseline")
            print(f"  identical matrix at every budget: {len(digests) == 1}")


if __name__ == "__main__":
    main()
