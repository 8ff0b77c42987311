"""Vector-file speed: wordvec's writers/readers against gensim's on the same random V×d file, one run.

    python bench/formats.py [--words 100000] [--dim 128]

Prints seconds per operation (word2vec text, word2vec binary; GloVe for wordvec only) and gensim/wordvec
ratios; checks that both libraries read back identical float32 vectors.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


def _time(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=128)
    args = parser.parse_args(argv)

    from gensim.models import KeyedVectors

    from wordvec.io.vocab import Vocabulary
    from wordvec.query.embedding import Embedding
    from wordvec.io.formats import load_vectors, save_glove, save_word2vec_format

    rng = np.random.default_rng(0)
    words = [f"词{i}" for i in range(args.words)]
    emb = Embedding(rng.standard_normal((args.words, args.dim)).astype(np.float32),
                    Vocabulary(words, np.zeros(args.words, np.int64)))
    kv = KeyedVectors(args.dim)
    kv.add_vectors(words, emb.vectors)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, binary in (("word2vec text", False), ("word2vec binary", True)):
            ours_path, theirs_path = os.path.join(tmp, "ours"), os.path.join(tmp, "theirs")
            w_ours, _ = _time(lambda: save_word2vec_format(emb, ours_path, binary=binary))
            w_theirs, _ = _time(lambda: kv.save_word2vec_format(theirs_path, binary=binary))
            r_ours, got = _time(lambda: load_vectors(ours_path))
            r_theirs, back = _time(lambda: KeyedVectors.load_word2vec_format(ours_path, binary=binary))
            assert np.array_equal(got.vectors, emb.vectors) and np.array_equal(back.vectors, emb.vectors)
            size = os.path.getsize(ours_path) / 2**20
            rows.append((f"write {label}", w_ours, w_theirs, size))
            rows.append((f"read {label}", r_ours, r_theirs, size))
        glove = os.path.join(tmp, "glove")
        w_glove, _ = _time(lambda: save_glove(emb, glove))
        r_glove, _ = _time(lambda: load_vectors(glove))
        rows.append(("write glove", w_glove, None, os.path.getsize(glove) / 2**20))
        rows.append(("read glove", r_glove, None, os.path.getsize(glove) / 2**20))
    print(f"{args.words} words x {args.dim} dims, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} cores (shared machine: expect noise)")
    print(f"{'operation':<24}{'wordvec s':>10}{'gensim s':>10}{'gensim/wordvec':>16}{'file MB':>9}")
    for op, ours, theirs, size in rows:
        ratio = f"{theirs / ours:.2f}x" if theirs else "-"
        theirs_s = f"{theirs:.2f}" if theirs else "-"
        print(f"{op:<24}{ours:>10.2f}{theirs_s:>10}{ratio:>16}{size:>9.1f}")


if __name__ == "__main__":
    main()
