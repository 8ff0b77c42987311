"""Benchmark: tokenizing and counting ../shared/data/corpora/zh_mixed.txt.gz (window 10, min_count 5).

    python bench/count.py [--corpus PATH] [--tokenize-sample-mb 4] [--memory 64M] [--threads 2] [--no-peer]

Prints (1) tokenization MB/s with 1 process vs all cores on a sample of the corpus (the full corpus is
tokenized once with all cores and then read from the token cache), (2) counting the cached corpus with the
default budget and with ``--memory``: seconds, tokens/s, peak RSS above the child's baseline (each count
runs in a fresh child process after loading the cache and compiling the kernels, so tokenization memory does
not pollute it; VmHWM is reset through /proc/self/clear_refs, baseline = VmRSS just before counting, peak =
VmHWM after it; CPU seconds = user + system time of the count, a load-independent companion to wall time), (3) whether the bounded count gives
the identical matrix, and (4) a plain-numpy peer (per-distance pair keys + np.unique) measured in the same
run. GloVe's C ``cooccur`` (about 21 s, 2.1 GB on this corpus, issue 2) is quoted, not run.
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

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "data", "corpora", "zh_mixed.txt.gz")

CHILD = r"""
import json, sys, time
import numpy as np
from wordvec.corpora.cache import TokenCache
from wordvec.corpora.cooccur import counts_meta
from wordvec.corpora.counter import count_to_directory

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024

cache_dir, out, memory, threads, min_count, window = sys.argv[1:7]
memory = None if memory == "none" else int(memory)
cache = TokenCache.load(cache_dir, mmap=True)
ids = cache.ids
if hasattr(ids, "_mmap") and ids._mmap is not None:  # drop the pages the load validation touched
    import mmap
    ids._mmap.madvise(mmap.MADV_DONTNEED)
class Tiny: pass
tiny = Tiny(); tiny.vocab = cache.vocab; n = int(cache.line_offsets[min(200, len(cache.line_offsets) - 1)])
tiny.ids = np.asarray(cache.ids[:n]); tiny.line_offsets = np.asarray(cache.line_offsets[:201][cache.line_offsets[:201] <= n])
count_to_directory(tiny, out + ".warm", {}, min_count=int(min_count), window=int(window), memory=memory,
                   threads=int(threads))  # compile / load the kernels
import resource
with open("/proc/self/clear_refs", "w") as f:  # reset VmHWM: the cache validation above must not count
    f.write("5")
base = status("VmRSS")
cpu0 = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
meta = count_to_directory(cache, out, counts_meta(cache, int(min_count), 0), min_count=int(min_count),
                          window=int(window), memory=memory, threads=int(threads))
seconds = time.perf_counter() - start
cpu1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak": status("VmHWM"), "base": base, "nnz": meta["nnz"],
                  "vocab_size": meta["vocab_size"], "tokens": int(len(cache.ids)), "z": meta["z"]}))
"""

PEER = r"""
import json, sys, time
import numpy as np
from wordvec.corpora.cache import TokenCache
def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
import resource
cache = TokenCache.load(sys.argv[1], mmap=False)
min_count, window = int(sys.argv[2]), int(sys.argv[3])
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
base = status("VmRSS")
cpu0 = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
V = len(cache.vocab.prune(min_count))
ids = np.asarray(cache.ids)
line = np.repeat(np.arange(len(cache.line_offsets) - 1), np.diff(cache.line_offsets))
keep = ids < V
ids, line = ids[keep].astype(np.int64), line[keep]
keys, vals = [], []
for d in range(1, window + 1):
    same = line[d:] == line[:-d]
    a, b = ids[:-d][same], ids[d:][same]
    k, c = np.unique(np.minimum(a, b) * V + np.maximum(a, b), return_counts=True)
    keys.append(k); vals.append(c)
k, inv = np.unique(np.concatenate(keys), return_inverse=True)
c = np.bincount(inv, weights=np.concatenate(vals))
nnz = int(2 * len(k) - np.count_nonzero(k // V == k % V))
seconds = time.perf_counter() - start
cpu1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak": status("VmHWM"), "base": base, "nnz": nnz}))
"""


def child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def tokenize_speed(corpus: str, sample_mb: float, workers: int) -> list[tuple[str, float]]:
    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.tokenize import TokenizerSettings

    with tempfile.TemporaryDirectory(prefix="wordvec-bench-") as tmp:
        sample = os.path.join(tmp, "sample.txt")
        want = int(sample_mb * 1e6)
        with gzip.open(corpus, "rb") as src, open(sample, "wb") as dst:
            data = src.read(want)
            data = data[: data.rfind(b"\n") + 1]
            dst.write(data)
        size = os.path.getsize(sample)
        rows = []
        for n in (1, workers):
            start = time.perf_counter()
            build_token_cache([sample], TokenizerSettings(), cache_dir=os.path.join(tmp, f"c{n}"), workers=n)
            rows.append((f"{n} process{'es' if n > 1 else ''}", size / 1e6 / (time.perf_counter() - start)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("--tokenize-sample-mb", type=float, default=4.0)
    parser.add_argument("--memory", default="64M")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--cache-dir", default=None)
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()

    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.cooccur import Cooccurrence, parse_memory
    from wordvec.corpora.tokenize import TokenizerSettings

    corpus = os.path.abspath(args.corpus)
    workers = os.cpu_count() or 1
    print(f"# wordvec count benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {workers} cores")
    if args.tokenize_sample_mb > 0:
        rows = tokenize_speed(corpus, args.tokenize_sample_mb, workers)
        print(f"\ntokenization (jieba, HMM off) on a {args.tokenize_sample_mb:g} MB sample")
        for name, rate in rows:
            print(f"  {name:<12} {rate:8.2f} MB/s")
        print(f"  speed-up     {rows[1][1] / rows[0][1]:8.2f}x")
    start = time.perf_counter()
    cache = build_token_cache([corpus], TokenizerSettings(), cache_dir=args.cache_dir, workers=workers)
    print(f"\ntoken cache: {cache.path} ({len(cache.ids):,} tokens, ready in {time.perf_counter() - start:.1f} s)")
    budget = parse_memory(args.memory)
    results = {}
    with tempfile.TemporaryDirectory(prefix="wordvec-bench-count-") as tmp:
        for label, memory in (("default (2G)", "none"), (f"--memory {args.memory}", str(budget))):
            out = os.path.join(tmp, label.split()[0].strip("-"))
            results[label] = (out, child(CHILD, cache.path, out, memory, str(args.threads), str(args.min_count),
                                         str(args.window)))
        if not args.no_peer:
            results["numpy peer"] = (None, child(PEER, cache.path, str(args.min_count), str(args.window)))
        print(f"\ncounting (window {args.window}, min_count {args.min_count}, {args.threads} threads)")
        print(f"  {'run':<16} {'seconds':>8} {'cpu s':>7} {'Mtok/s':>8} {'peak-base MB':>13} {'peak MB':>8} "
              f"{'nnz':>12}")
        tokens = len(cache.ids)
        for label, (_, r) in results.items():
            print(f"  {label:<16} {r['seconds']:8.2f} {r['cpu']:7.1f} {tokens / r['seconds'] / 1e6:8.2f} "
                  f"{(r['peak'] - r['base']) / 2**20:13.0f} {r['peak'] / 2**20:8.0f} {r['nnz']:12,}")
        print("  GloVe cooccur    ~21 s, ~2.1 GB (issue 2, not run here)")
        (a, ra), (b, rb) = list(results.values())[:2]
        x, y = Cooccurrence.load(a), Cooccurrence.load(b)
        same = x.vocab == y.vocab and (x.matrix != y.matrix).nnz == 0
        ratio = (rb["peak"] - rb["base"]) / budget
        print(f"\n--memory {args.memory}: identical matrix: {same}; peak above baseline = {ratio:.2f}x the budget")
        print(f"stats: T={x.total_tokens:,} V={len(x.vocab):,} nnz={x.matrix.nnz:,} Z={x.z:.6g} "
              f"MI={x.mutual_information():.4f} nats")


if __name__ == "__main__":
    main()
