"""Cost of the content checksums on load (issue 19: at most 10% of load time on a 74k×128 model).

The checksum is XXH3-64 (xxhash); CRC32 (zlib) is timed beside it, as the alternative measured.

Builds a synthetic model (74,000 words × 128 float32 dims, Zipf counts; the vectors file is 37.9 MB) and
loads it as the commands do (``WordVectors.load(mmap=True)``) and fully (``mmap=False``), alternating between
two copies that differ only in meta.json: one with ``checksums`` (verified) and one without (an older
model directory: the check is skipped, everything else is the same). Warm page cache; the minimum (the
least disturbed by other processes) and the median of ``--repeats`` loads each. Also times zlib.crc32 alone over the vectors' bytes and the full-file CRC at save.

    python bench/integrity.py [--words 74000] [--dim 128] [--repeats 15]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import zlib

import numpy as np

from wordvec.io.vectors import WordVectors
from wordvec.io.vocab import Vocabulary


def build(folder: str, words: int, dim: int) -> tuple[str, str]:
    rng = np.random.default_rng(0)
    counts = np.sort((1e7 / np.arange(1, words + 1)).astype(np.int64) + 1)[::-1]
    vocab = Vocabulary([f"词{i}" for i in range(words)], counts)
    vectors = rng.standard_normal((words, dim)).astype(np.float32)
    checked = os.path.join(folder, "checked")
    t0 = time.perf_counter()
    WordVectors(vectors, vocab, {"kind": "pmi", "total_tokens": int(counts.sum())}).save(checked)
    print(f"save with checksums: {time.perf_counter() - t0:.3f} s")
    old = os.path.join(folder, "old")
    os.makedirs(old)
    for name in os.listdir(checked):
        with open(os.path.join(checked, name), "rb") as src, open(os.path.join(old, name), "wb") as dst:
            dst.write(src.read())
    meta_file = os.path.join(old, "meta.json")
    with open(meta_file, encoding="utf-8") as handle:
        meta = json.load(handle)
    del meta["checksums"]
    with open(meta_file, "w", encoding="utf-8") as handle:
        json.dump(meta, handle)
    return checked, old


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=74000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        checked, old = build(folder, args.words, args.dim)
        size = os.path.getsize(os.path.join(checked, "vectors.npy"))
        print(f"model: {args.words} words × {args.dim} dims, vectors.npy {size / 1e6:.1f} MB")
        for mmap in (True, False):
            times: dict[str, list[float]] = {"checked": [], "old": []}
            for _ in range(args.repeats):
                for name, path in (("checked", checked), ("old", old)):
                    t0 = time.perf_counter()
                    WordVectors.load(path, mmap=mmap)
                    times[name].append(time.perf_counter() - t0)
            for stat in (min, statistics.median):
                with_check, without = stat(times["checked"]), stat(times["old"])
                print(f"load mmap={mmap} ({stat.__name__} of {args.repeats}): with checksums {with_check * 1000:.1f} ms, "
                      f"without {without * 1000:.1f} ms, cost {100 * (with_check / without - 1):+.1f}% of load time")
        # the part that differs between the two loads, timed alone (robust on a busy machine): the old load
        # checks finiteness over the vectors, the new one takes the CRC32 instead (a matching CRC implies finite)
        from wordvec.io.integrity import hash_array, new_hasher

        mapped = np.load(os.path.join(checked, "vectors.npy"), mmap_mode="r", allow_pickle=False)
        parts: dict[str, list[float]] = {"xxh3-64": [], "crc32": [], "finite": []}
        for _ in range(args.repeats):
            for name in parts:
                t0 = time.perf_counter()
                if name == "finite":
                    hash_array(mapped, None, finite=True)
                else:
                    hash_array(mapped, new_hasher(name))
                parts[name].append(time.perf_counter() - t0)
        base = min(times["old"])
        fin_t = min(parts["finite"])
        for name in ("xxh3-64", "crc32"):
            t = min(parts[name])
            print(f"vectors check alone (min of {args.repeats}): {name} {t * 1000:.1f} ms vs the finite check "
                  f"{fin_t * 1000:.1f} ms: {1000 * (t - fin_t):+.1f} ms = {100 * (t - fin_t) / base:+.1f}% of the "
                  "full load without checksums")
        data = np.load(os.path.join(checked, "vectors.npy"), allow_pickle=False)
        t0 = time.perf_counter()
        for _ in range(args.repeats):
            zlib.crc32(memoryview(data).cast("B"))
        per = (time.perf_counter() - t0) / args.repeats
        print(f"zlib.crc32 alone: {per * 1000:.1f} ms for {data.nbytes / 1e6:.1f} MB ({data.nbytes / per / 1e9:.1f} GB/s)")


if __name__ == "__main__":
    main()
