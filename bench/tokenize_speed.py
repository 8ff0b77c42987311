"""Tokenization speed: ``--tokenizer jieba`` (with the HMM off and the default dictionary, the compiled cut of
``corpora/segment``; ``rjieba`` rows: the same engine on rjieba's own cut, ``WORDVEC_COMPILED_CUT=0``) against
the Python engine (``jieba-py``), one process and N workers, all in the same run, with identity checks;
optionally the end-to-end ``wordvec train`` against gensim SGNS.

    python bench/tokenize_speed.py [CORPUS] [--sample-mb 8] [--workers N] [--full-identity] [--end-to-end]

CORPUS defaults to ../shared/data/corpora/zh_mixed.txt.gz (zh_small when zh_mixed is absent). Each row
tokenizes into a fresh token cache in a temporary folder (reading, segmenting, merging and saving), HMM off.

1. On the first ``--sample-mb`` MB of text: jieba, rjieba and jieba-py with 1 process and with N workers
   (default all cores), and whether their ids, offsets and vocabularies are identical. Loading each
   dictionary (the compiled one included) happens before the rows and is printed.
2. On the whole corpus: rjieba and jieba with N workers, timed. The Python engine's time for the whole corpus is its
   N-worker sample time scaled by bytes (the sample must be ≥ 8 MB for issue 13); the ratio is printed.
3. ``--full-identity``: the engines on the whole corpus with N workers, HMM off (jieba, rjieba, jieba-py)
   and on (jieba, which then runs rjieba's cut, and jieba-py), compared line by line (the Python engine then runs in full: about a minute per pass for zh_mixed on a quiet 2-core machine).
4. ``--end-to-end``: ``wordvec train CORPUS`` from an empty cache (2 threads, default preset) against gensim
   SGNS (sg=1, negative 5, window 5, 5 epochs, min_count 5, 2 workers) on the already-tokenized text, and
   the share of the train run spent tokenizing.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data", "corpora")
DEFAULT = os.path.join(DATA, "zh_mixed.txt.gz")
if not os.path.exists(DEFAULT):
    DEFAULT = os.path.join(DATA, "zh_small.txt.xz")


def _cpu() -> tuple[float, float]:
    """CPU seconds (user+system) of this process and of its finished children (the worker processes)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _head(corpus: str, megabytes: float, out: str) -> str:
    from wordvec.corpora.reader import read_lines

    limit, size = int(megabytes * 1e6), 0
    with open(out, "w", encoding="utf-8") as handle:
        for line in read_lines([corpus]):
            handle.write(line + "\n")
            size += len(line.encode("utf-8")) + 1
            if size >= limit:
                break
    return out


def _timed(corpus: str, settings, workers: int, out: str, compiled: bool = True):
    """Tokenize into a fresh cache; ``compiled=False`` runs rjieba's own cut (``WORDVEC_COMPILED_CUT=0``)."""
    from wordvec.corpora.cache import build_token_cache

    os.environ["WORDVEC_COMPILED_CUT"] = "1" if compiled else "0"
    cpu0 = _cpu()
    start = time.perf_counter()
    cache = build_token_cache([corpus], settings, output=out, workers=workers)
    seconds = time.perf_counter() - start
    cpu = sum(b - a for a, b in zip(cpu0, _cpu()))
    return cache, seconds, cpu


def _same(a, b) -> bool:
    return a.vocab == b.vocab and np.array_equal(a.ids, b.ids) and np.array_equal(a.line_offsets, b.line_offsets)


def _differing_lines(a, b) -> list[int]:
    wa, wb = np.array(a.vocab.words, dtype=object), np.array(b.vocab.words, dtype=object)
    oa, ob = a.line_offsets, b.line_offsets
    return [k for k in range(min(len(oa), len(ob)) - 1)
            if list(wa[a.ids[oa[k]:oa[k + 1]]]) != list(wb[b.ids[ob[k]:ob[k + 1]]])]


def _row(label: str, workers: int, mb: float, seconds: float, cpu: float, tokens: int) -> str:
    return (f"{label:<9} {workers:>7} {mb:>8.1f} {seconds:>8.2f} {mb / seconds:>7.2f} {tokens / seconds:>11,.0f} "
            f"{cpu:>7.1f}")


HEADER = f"{'engine':<9} {'workers':>7} {'MB':>8} {'seconds':>8} {'MB/s':>7} {'tokens/s':>11} {'cpu s':>7}"


def speed(args, tmp: str) -> None:
    from wordvec.corpora.tokenize import TokenizerSettings, make_tokenizer

    # "jieba" is --tokenizer jieba as it runs (HMM off, default dictionary: the compiled cut of
    # corpora/segment); "rjieba" the same engine with WORDVEC_COMPILED_CUT=0; "jieba-py" the Python engine
    engines = {"jieba": TokenizerSettings(mode="jieba"), "rjieba": TokenizerSettings(mode="jieba"),
               "jieba-py": TokenizerSettings(mode="jieba-py")}
    for settings in engines.values():
        tokenize = make_tokenizer(settings)  # dictionary loads (rjieba ~0.3 s, jieba ~1.5 s) are not in the rows
        if hasattr(tokenize, "compiled_cut"):
            start = time.perf_counter()
            tokenize.compiled_cut()
            print(f"compiled dictionary loaded in {time.perf_counter() - start:.2f} s (not in the rows)")
    sample = _head(args.corpus, args.sample_mb, os.path.join(tmp, "sample.txt"))
    print(f"1. first {args.sample_mb:g} MB of {args.corpus}, HMM off", flush=True)
    print(HEADER)
    runs = {}
    for name, settings in engines.items():
        for workers in (1, args.workers):
            cache, seconds, cpu = _timed(sample, settings, workers, os.path.join(tmp, f"s-{name}-{workers}"),
                                         compiled=name != "rjieba")
            runs[(name, workers)] = (cache, seconds)
            print(_row(name, workers, cache.report.bytes / 1e6, seconds, cpu, cache.n_tokens), flush=True)
    base = runs[("jieba-py", 1)][0]
    same = all(_same(base, cache) for cache, _ in runs.values())
    print(f"sample: {base.n_lines:,} lines, {base.n_tokens:,} tokens; ids, offsets and vocabulary identical across "
          f"engines and worker counts: {same}")
    for workers in sorted({1, args.workers}):
        for name in ("jieba", "rjieba"):
            print(f"{name} / jieba-py time, {workers} worker(s): "
                  f"{runs[(name, workers)][1] / runs[('jieba-py', workers)][1]:.3f}x")

    print(f"\n2. whole corpus {args.corpus}, {args.workers} workers, HMM off", flush=True)
    print(HEADER)
    for name in ("rjieba", "jieba"):
        cache, seconds, cpu = _timed(args.corpus, engines[name], args.workers, os.path.join(tmp, f"full-{name}"),
                                     compiled=name != "rjieba")
        full_mb = cache.report.bytes / 1e6
        print(_row(name, args.workers, full_mb, seconds, cpu, cache.n_tokens), flush=True)
    py_sample = runs[("jieba-py", args.workers)]
    estimate = py_sample[1] * cache.report.bytes / py_sample[0].report.bytes
    print(f"jieba-py  {args.workers:>7} {full_mb:>8.1f} {estimate:>8.1f}  (scaled from its {args.sample_mb:g} MB "
          f"sample run by bytes, not run)")
    print(f"whole corpus: {cache.n_lines:,} lines, {cache.n_tokens:,} tokens, {len(cache.vocab):,} types; "
          f"jieba / jieba-py (estimated): {seconds / estimate:.3f}x")


def full_identity(args, tmp: str) -> None:
    from wordvec.corpora.tokenize import TokenizerSettings

    print(f"\n3. both engines on all of {args.corpus}, {args.workers} workers, line by line", flush=True)
    for hmm in (False, True):
        caches = {}
        names = ("jieba", "rjieba", "jieba-py") if not hmm else ("jieba", "jieba-py")  # HMM on: rjieba's cut
        for name in names:
            mode = "jieba-py" if name == "jieba-py" else "jieba"
            cache, seconds, _ = _timed(args.corpus, TokenizerSettings(mode=mode, hmm=hmm), args.workers,
                                       os.path.join(tmp, f"id-{name}-{hmm}"), compiled=name != "rjieba")
            caches[name] = cache
            print(f"  hmm={hmm} {name:<8} {seconds:8.1f} s", flush=True)
        b = caches["jieba-py"]
        for name in names[:-1]:
            a = caches[name]
            differing = [] if _same(a, b) else _differing_lines(a, b)
            first = f" (first: {differing[:10]})" if differing else ""
            print(f"hmm={hmm}, {name} against jieba-py: {a.n_lines:,} lines, {len(differing)} differ{first}")
        for name in caches:
            caches[name] = None


def end_to_end(args, tmp: str) -> None:
    from gensim.models import Word2Vec

    from wordvec.corpora.cache import TokenCache
    from wordvec.query.embedding import Embedding

    print(f"\n4. end to end on {args.corpus}: wordvec train from an empty cache vs gensim SGNS", flush=True)
    cache_dir, out = os.path.join(tmp, "e2e-cache"), os.path.join(tmp, "e2e-model")
    cmd = [sys.executable, "-m", "wordvec", "train", args.corpus, "-o", out, "--threads", "2", "--workers", "2",
           "--cache-dir", cache_dir, "-q"]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=tmp)
    train_wall = time.perf_counter() - start
    (folder,) = [os.path.join(cache_dir, d) for d in os.listdir(cache_dir) if d.startswith("tokens-")]
    cache = TokenCache.load(folder)
    tokenize_seconds = float(cache.meta["seconds"])
    model = Embedding.load(out)
    print(f"wordvec train: {train_wall:.1f} s wall; tokenizing {tokenize_seconds:.1f} s "
          f"({tokenize_seconds / train_wall:.1%} of the run, engine {cache.meta['tokenizer']['engine']}); "
          f"{len(model)} words", flush=True)
    corpus_file = os.path.join(tmp, "tokens.txt")
    words = np.array(cache.vocab.words, dtype=object)
    with open(corpus_file, "w", encoding="utf-8") as handle:
        for k in range(cache.n_lines):
            line = cache.line(k)
            if len(line):
                handle.write(" ".join(words[line]) + "\n")
    start = time.perf_counter()
    Word2Vec(corpus_file=corpus_file, sg=1, negative=5, hs=0, window=5, epochs=5, vector_size=128, workers=2,
             min_count=5, seed=1)
    sgns = time.perf_counter() - start
    print(f"gensim SGNS (sg=1, negative 5, window 5, 5 epochs, 2 workers, tokenized text): {sgns:.1f} s")
    print(f"wordvec train end to end / gensim SGNS: {train_wall / sgns:.3f}x; tokenization share "
          f"{tokenize_seconds / train_wall:.1%}")


def main() -> None:
    from wordvec.corpora._parallel import default_workers

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", default=DEFAULT)
    parser.add_argument("--sample-mb", type=float, default=8.0, help="sample size for the engine comparison")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--full-identity", action="store_true", help="compare the engines on the whole corpus")
    parser.add_argument("--end-to-end", action="store_true", help="wordvec train vs gensim SGNS")
    parser.add_argument("--skip-speed", action="store_true", help="only the parts asked for by the other flags")
    args = parser.parse_args()
    if not os.path.exists(args.corpus):
        sys.exit(f"corpus not found: {args.corpus}")
    print(f"load average at start: {os.getloadavg()[0]:.2f} (a busy machine makes wall times noisy); "
          f"cpu_count={os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="wordvec-bench-") as tmp:
        if not args.skip_speed:
            speed(args, tmp)
        if args.full_identity:
            full_identity(args, tmp)
        if args.end_to_end:
            end_to_end(args, tmp)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
