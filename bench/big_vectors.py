"""Big external vectors (issue 16): import, open, exact vs approximate search, recall, batch queries.

    python bench/big_vectors.py [--rows 1000000] [--dim 128] [--dir /tmp/wordvec-bench] [--skip-gensim]
                                [--open-rows 2000000 --open-dim 300] [--real /work/models/zh_mixed]

Generates (once, reused from --dir) a clustered word2vec text file of ROWS×DIM (1M×128 ≈ 1.1 GB); never
commit it. Each measurement runs in its own subprocess under /usr/bin/time -v (peak RSS):

1. `wordvec import` against gensim's `KeyedVectors.load_word2vec_format` on the same file, same run.
2. `Embedding.load(MODEL, mmap=True)` open time and RSS, then the first exact `most_similar`.
3. `wordvec index` build time and size; single-query latency exact (blocked, memory-mapped) vs approximate;
   recall@10 of approximate against exact over 200 query words.
4. batch `most_similar_batch` against one query at a time.
5. with --open-rows: a ROWS×DIM word2vec binary file (2M×300 = 2.4 GB) imported, then opened.
6. with --real: recall and latency on a real model directory (copied to --dir, index built there).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def generate_text(path: str, rows: int, dim: int, clusters: int = 2000, seed: int = 0) -> None:
    """Clustered vectors (centres N(0,1), points centre + 0.6·N(0,1)), word2vec text, 5 decimals."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim)).astype(np.float32)
    fmt = " ".join(["%.5f"] * dim)
    tmp = path + ".part"
    with open(tmp, "w", encoding="utf-8") as out:
        out.write(f"{rows} {dim}\n")
        for start in range(0, rows, 20000):
            n = min(20000, rows - start)
            block = centres[rng.integers(0, clusters, n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
            out.write("".join(f"{'词' if (start + i) % 3 == 0 else 'w'}{start + i} " + (fmt % tuple(row)) + "\n"
                              for i, row in enumerate(block.tolist())))
    os.replace(tmp, path)


def generate_binary(path: str, rows: int, dim: int, seed: int = 1) -> None:
    """Random vectors as word2vec binary (word, space, float32 values, newline)."""
    rng = np.random.default_rng(seed)
    tmp = path + ".part"
    with open(tmp, "wb") as out:
        out.write(f"{rows} {dim}\n".encode())
        for start in range(0, rows, 50000):
            n = min(50000, rows - start)
            block = rng.standard_normal((n, dim)).astype("<f4")
            out.write(b"".join(f"w{start + i} ".encode() + row.tobytes() + b"\n" for i, row in enumerate(block)))
    os.replace(tmp, path)


def timed(code: str, *args: str) -> tuple[dict, float, float]:
    """Run python ``code`` under /usr/bin/time -v; returns (its JSON on stdout's last line, wall s, peak RSS MB)."""
    cmd = ["/usr/bin/time", "-v", sys.executable, "-c", code, *args]
    env = dict(os.environ, PYTHONPATH=ROOT)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {code[:80]}\n{proc.stderr[-2000:]}")
    rss = float(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) / 1024
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    return (json.loads(lines[-1]) if lines else {}), wall, rss


IMPORT = """
import json, sys, time
from wordvec.io.importer import import_vectors
t = time.perf_counter(); r = import_vectors(sys.argv[1], sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - t, "words": r.words}))
"""

GENSIM = """
import json, sys, time
from gensim.models import KeyedVectors
t = time.perf_counter(); kv = KeyedVectors.load_word2vec_format(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - t, "words": len(kv)}))
"""

OPEN = """
import json, sys, time
def rss(key):
    for line in open('/proc/self/status'):
        if line.startswith(key): return int(line.split()[1]) / 1024
t = time.perf_counter()
from wordvec.query.embedding import Embedding
imported = time.perf_counter() - t
t = time.perf_counter()
emb = Embedding.load(sys.argv[1], mmap=True)
opened = time.perf_counter() - t
rss_open = rss('VmRSS')
word_at = getattr(emb.vocab, "word_at", None) or emb.words.__getitem__
word = word_at(len(emb) // 2)
t = time.perf_counter(); res = emb.most_similar(word, topn=10); first = time.perf_counter() - t
t = time.perf_counter(); res = emb.most_similar(word_at(7), topn=10); second = time.perf_counter() - t
print(json.dumps({"open_s": opened, "import_s": imported, "rss_after_open_mb": rss_open, "first_query_s": first, "second_query_s": second,
                  "rss_anon_mb": rss('RssAnon'), "rss_file_mb": rss('RssFile')}))
"""

QUERY = """
import json, sys, time
import numpy as np
from wordvec.query.embedding import Embedding
from wordvec.query import bigsearch
bigsearch.BLOCKED_MIN_BYTES = 0
emb = Embedding.load(sys.argv[1], mmap=True)
rng = np.random.default_rng(5)
word_at = getattr(emb.vocab, "word_at", None) or emb.words.__getitem__
words = [word_at(int(i)) for i in rng.choice(len(emb), 200, replace=False)]
emb.most_similar(words[0], approximate=True)  # loads the index
emb.most_similar(words[0])  # row norms
t = time.perf_counter(); exact = [emb.most_similar(w, topn=10) for w in words[:40]]; exact_s = (time.perf_counter() - t) / 40
exact += [emb.most_similar(w, topn=10) for w in words[40:]]
ram = Embedding.load(sys.argv[1])  # the whole table in RAM: the usual exact path (unit copy, numba kernel)
ram.most_similar(words[0]); ram.most_similar(words[1])
t = time.perf_counter(); [ram.most_similar(w, topn=10) for w in words[:40]]; ram_s = (time.perf_counter() - t) / 40
del ram
t = time.perf_counter(); approx = [emb.most_similar(w, topn=10, approximate=True) for w in words]
approx_s = (time.perf_counter() - t) / len(words)
recall = np.mean([len({a for a, _ in x} & {a for a, _ in y}) / 10 for x, y in zip(exact, approx)])
same = all(abs(s - float(np.dot(emb[w], emb[q]) / np.linalg.norm(emb[w]) / np.linalg.norm(emb[q]))) < 1e-5
           for q, res in zip(words[:20], approx[:20]) for w, s in res)
t = time.perf_counter(); batch = emb.most_similar_batch(words, topn=10); batch_s = (time.perf_counter() - t) / len(words)
batch_same = [[a for a, _ in x] for x in batch] == [[a for a, _ in x] for x in exact]
print(json.dumps({"exact_ms": exact_s * 1e3, "ram_exact_ms": ram_s * 1e3, "approx_ms": approx_s * 1e3, "recall_at_10": recall,
                  "approx_scores_exact": same, "batch_ms_per_query": batch_s * 1e3, "batch_same": batch_same}))
"""


def bench_import(path: str, model: str, skip_gensim: bool, array_mb: float) -> None:
    res, wall, rss = timed(IMPORT, path, model)
    print(f"import (wordvec)  : {res['seconds']:.1f} s, peak RSS {rss:.0f} MB = {rss / array_mb:.2f}× the "
          f"float32 array ({array_mb:.0f} MB), {res['words']} words")
    if not skip_gensim:
        g, gwall, grss = timed(GENSIM, path)
        print(f"import (gensim)   : {g['seconds']:.1f} s, peak RSS {grss:.0f} MB = {grss / array_mb:.2f}× the array")
        print(f"ratio             : wordvec {g['seconds'] / res['seconds']:.2f}× faster, "
              f"{rss / grss:.2f}× gensim's memory")


def bench_open(model: str) -> None:
    res, wall, rss = timed(OPEN, model)
    print(f"open (mmap)       : Embedding.load {res['open_s'] * 1e3:.0f} ms (+ {res['import_s'] * 1e3:.0f} ms importing "
          f"wordvec), RSS after open {res['rss_after_open_mb']:.0f} MB; first exact most_similar "
          f"{res['first_query_s'] * 1e3:.0f} ms, second {res['second_query_s'] * 1e3:.0f} ms; peak RSS {rss:.0f} MB "
          f"(anonymous {res['rss_anon_mb']:.0f} MB, file-backed page cache {res['rss_file_mb']:.0f} MB)")


def bench_index(model: str, quality: str = "balanced") -> None:
    cli = [sys.executable, "-m", "wordvec", "index", model, "--quality", quality, "--json", "-q"]
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run(["/usr/bin/time", "-v"] + cli, capture_output=True, text=True, env=env)
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    meta = json.loads(proc.stdout)
    rss = float(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) / 1024
    print(f"index ({quality})  : built in {meta['build_seconds']:.1f} s, {meta['index_bytes'] / 1e6:.0f} MB, "
          f"{meta['nlist']} cells, nprobe {meta['nprobe']}, peak RSS {rss:.0f} MB")
    res, _, _ = timed(QUERY, model)
    print(f"query             : exact {res['exact_ms']:.1f} ms memory-mapped in blocks, {res['ram_exact_ms']:.1f} ms "
          f"in RAM (unit copy); approximate {res['approx_ms']:.2f} ms ({res['exact_ms'] / res['approx_ms']:.0f}× / "
          f"{res['ram_exact_ms'] / res['approx_ms']:.0f}× faster), recall@10 {res['recall_at_10']:.3f}, "
          f"approximate scores = exact cosines: {res['approx_scores_exact']}")
    print(f"batch             : {res['batch_ms_per_query']:.1f} ms per query in one batch of 200 vs "
          f"{res['exact_ms']:.1f} ms one at a time ({res['exact_ms'] / res['batch_ms_per_query']:.1f}×), "
          f"same results: {res['batch_same']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--dir", default="/tmp/wordvec-bench")
    parser.add_argument("--skip-gensim", action="store_true")
    parser.add_argument("--open-rows", type=int, default=0)
    parser.add_argument("--open-dim", type=int, default=300)
    parser.add_argument("--real", default="")
    parser.add_argument("--quality", default="balanced")
    parser.add_argument("--no-import", action="store_true", help="reuse the imported 1M model of an earlier run")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    print(f"# bench/big_vectors.py  {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  "
          f"cores={os.cpu_count()}  load={os.getloadavg()[0]:.1f}")
    text = os.path.join(args.dir, f"clustered_{args.rows}x{args.dim}.txt")
    if not os.path.exists(text):
        t = time.perf_counter()
        generate_text(text, args.rows, args.dim)
        print(f"generated {text} ({os.path.getsize(text) / 1e9:.2f} GB) in {time.perf_counter() - t:.0f} s")
    model = os.path.join(args.dir, f"model_{args.rows}x{args.dim}")
    print(f"file              : {text}, {os.path.getsize(text) / 1e9:.2f} GB, {args.rows}×{args.dim}")
    if not args.no_import:
        bench_import(text, model, args.skip_gensim, args.rows * args.dim * 4 / 2**20)
    bench_open(model)
    bench_index(model, args.quality)
    if args.open_rows:
        binary = os.path.join(args.dir, f"random_{args.open_rows}x{args.open_dim}.bin")
        if not os.path.exists(binary):
            generate_binary(binary, args.open_rows, args.open_dim)
        big = os.path.join(args.dir, f"model_{args.open_rows}x{args.open_dim}")
        print(f"file              : {binary}, {os.path.getsize(binary) / 1e9:.2f} GB (word2vec binary)")
        if not os.path.exists(os.path.join(big, "meta.json")):
            bench_import(binary, big, True, args.open_rows * args.open_dim * 4 / 2**20)
        bench_open(big)
    if args.real:
        real = os.path.join(args.dir, "real_" + os.path.basename(args.real.rstrip("/")))
        if not os.path.exists(real):
            shutil.copytree(args.real, real)
        print(f"real model        : {args.real}")
        bench_open(real)
        bench_index(real, args.quality)


if __name__ == "__main__":
    main()
