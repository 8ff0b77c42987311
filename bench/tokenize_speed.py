"""Tokenization speed: one process against all cores, measured in the same run, plus an identity check.

    python bench/tokenize_speed.py [CORPUS] [--mb N] [--workers N]

CORPUS defaults to ../shared/data/corpora/zh_small.txt.xz; ``--mb N`` uses only the first N MB of text
(written to a temporary file). Prints MB/s (uncompressed text) for 1 process and for N workers (default all
cores), the speed-up, and whether ids, offsets and vocabulary are identical. Caches go to a temporary folder.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "..", "shared", "data", "corpora", "zh_small.txt.xz")


def _cpu() -> tuple[float, float]:
    """CPU seconds (user+system) of this process and of its finished children (the worker processes)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def main() -> None:
    from wordvec.corpora._parallel import default_workers
    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.reader import read_lines
    from wordvec.corpora.tokenize import TokenizerSettings, get_jieba

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", default=DEFAULT)
    parser.add_argument("--mb", type=float, default=0.0, help="use only the first N MB of text (0: all)")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--tokenizer", default="jieba")
    args = parser.parse_args()
    if not os.path.exists(args.corpus):
        sys.exit(f"corpus not found: {args.corpus}")
    load0 = f"{os.getloadavg()[0]:.2f}"
    settings = TokenizerSettings(mode=args.tokenizer)
    if settings.mode == "jieba":
        get_jieba(None)  # dictionary load (about 1 s) is not part of the measurement
    with tempfile.TemporaryDirectory(prefix="wordvec-bench-") as tmp:
        corpus = args.corpus
        if args.mb:
            corpus = os.path.join(tmp, "head.txt")
            limit, size = int(args.mb * 1e6), 0
            with open(corpus, "w", encoding="utf-8") as out:
                for line in read_lines([args.corpus]):
                    out.write(line + "\n")
                    size += len(line.encode("utf-8")) + 1
                    if size >= limit:
                        break
        rows, caches = [], {}
        for workers in (1, args.workers):
            cpu0 = _cpu()
            start = time.perf_counter()
            cache = build_token_cache([corpus], settings, output=os.path.join(tmp, f"w{workers}"), workers=workers)
            seconds = time.perf_counter() - start
            cpu = [b - a for a, b in zip(cpu0, _cpu())]
            mb = cache.report.bytes / 1e6
            rows.append((workers, mb, seconds, mb / seconds, cache.n_tokens / seconds, cpu))
            caches[workers] = cache
            print(f"  workers={workers}: {seconds:.1f} s", file=sys.stderr, flush=True)
        one, many = caches[1], caches[args.workers]
        same = (one.vocab == many.vocab and np.array_equal(one.ids, many.ids)
                and np.array_equal(one.line_offsets, many.line_offsets))
    print(f"corpus: {args.corpus}{f' (first {args.mb} MB)' if args.mb else ''}; tokenizer {settings.mode}; "
          f"{one.n_lines:,} lines, {one.n_tokens:,} tokens, {len(one.vocab):,} types; cpu_count={os.cpu_count()}")
    print(f"load average before/after: {load0} / {os.getloadavg()[0]:.2f} (a busy machine makes wall times noisy)")
    print(f"{'workers':>8} {'MB':>8} {'seconds':>8} {'MB/s':>7} {'tokens/s':>10} {'speed-up':>8} "
          f"{'cpu parent':>10} {'cpu workers':>11}")
    for workers, mb, seconds, rate, tps, cpu in rows:
        print(f"{workers:>8} {mb:>8.1f} {seconds:>8.1f} {rate:>7.2f} {tps:>10,.0f} {rows[0][2] / seconds:>7.2f}x "
              f"{cpu[0]:>9.1f}s {cpu[1]:>10.1f}s")
    print(f"identical ids, offsets and vocabulary: {same}")


if __name__ == "__main__":
    main()
