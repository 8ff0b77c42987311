"""Shard directories (format in ``corpora/shards.py``) and ``merge_counts``: counts of separate jobs → one matrix."""
from __future__ import annotations

import os
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from . import _kernels as K
from .shards import SHARD_FORMAT, SHARD_VERSION, CsrMemorySink, ShardWriter, merge_runs


def write_shard_meta(path: str, vocab, writer: ShardWriter, scale: int, meta: dict) -> dict:
    """Write ``vocab.tsv`` and ``meta.json`` (with the checksum of every file's bytes) of a shard directory whose
    runs ``writer`` wrote."""
    from wordvec.io.atomic import save_json
    from wordvec.io.integrity import checksum_files
    from wordvec._version import __version__

    vocab.save(os.path.join(path, "vocab.tsv"))
    full = dict(meta)
    full.update({"format": SHARD_FORMAT, "version": SHARD_VERSION, "wordvec_version": __version__,
                 "vocab_size": len(vocab), "vocab_checksum": vocab.checksum(), "col_bits": K.col_bits(len(vocab)),
                 "scale": int(scale), "total_tokens": vocab.total, "runs": list(writer.names)})
    full["checksums"] = checksum_files(path, ["vocab.tsv"] + [f"{name}{suffix}" for name in writer.names
                                                             for suffix in (".keys.npy", ".values.npy")])
    save_json(os.path.join(path, "meta.json"), full)
    return full


_PASS_COUNTS = "pass counts or shard directories written by `wordvec count`"


def counts_dir_meta(path: str) -> tuple[str, dict]:
    """``(absolute path, meta.json)`` of a counts or shard directory; a one-line ``InputError`` otherwise."""
    from wordvec.errors import InputError
    from wordvec.io.meta import read_meta_file

    path = os.path.abspath(os.fspath(path))
    if not os.path.isdir(path):
        raise InputError(f"not a folder: {path}: {_PASS_COUNTS}")
    meta = read_meta_file(path, what="counts or shard directory", remedy="recount it", foreign=_PASS_COUNTS,
                          missing_error=InputError)
    return path, meta


def load_counts_any(path: str, memory: int | None = None):
    """Load a counts directory or a shard directory as ``(vocab, float64 CSR, meta)``."""
    from wordvec.io.integrity import verify_files
    from wordvec.io.meta import check_meta_format
    from wordvec.errors import CorruptFileError, MismatchError

    from .cooccur import FORMAT, Cooccurrence
    from wordvec.io.vocab import Vocabulary

    path, meta = counts_dir_meta(path)
    if meta.get("format") == FORMAT:
        co = Cooccurrence.load(path)
        return co.vocab, co.matrix, co.meta
    check_meta_format(meta, os.path.join(path, "meta.json"), kind=SHARD_FORMAT, max_version=SHARD_VERSION,
                      what="shard directory", remedy="recount it", foreign=_PASS_COUNTS)
    vocab_file = os.path.join(path, "vocab.tsv")
    vocab = Vocabulary.load(vocab_file)
    if vocab.checksum() != meta.get("vocab_checksum") or meta.get("col_bits") != K.col_bits(len(vocab)):
        raise MismatchError(f"{vocab_file}: shards were built with a different vocabulary: recount them")
    verify_files(path, meta, "recount it")
    sink = CsrMemorySink(len(vocab), int(meta.get("scale", 1)))
    budget = max(1 << 16, (memory or (1 << 30)) // 80)
    prefixes = [os.path.join(path, name) for name in meta.get("runs", [])]
    for prefix in prefixes:
        for suffix in (".keys.npy", ".values.npy"):
            if not os.path.isfile(prefix + suffix):
                raise CorruptFileError(f"{prefix + suffix}: missing; recount the shard")
    merge_runs(prefixes, len(vocab), sink, budget)
    return vocab, sink.matrix(), meta


def merge_counts(paths: Sequence[str], memory: int | None = None):
    """Sum counts/shard directories into one ``Cooccurrence``.

    Window and weighting must agree (else ``MismatchError``). Identical vocabularies are added cell by cell;
    different ones are re-indexed to their union (frequency order, ties by word) with summed unigram counts
    — a word pruned by one input's ``min_count`` contributes nothing from that input.
    """
    from wordvec.errors import InputError, MismatchError

    from .cooccur import Cooccurrence
    from wordvec.io.vocab import Vocabulary

    if not paths:
        raise InputError("nothing to merge: pass at least one counts or shard directory")
    loaded = []
    for path in paths:
        vocab, matrix, meta = load_counts_any(path, memory)
        if loaded:
            first = loaded[0][2]
            for key in ("window", "distance_weighting"):
                if meta.get(key) != first.get(key):
                    raise MismatchError(f"{path}: {key} {meta.get(key)!r} differs from {paths[0]}'s "
                                        f"{first.get(key)!r}: merge only counts made with the same settings")
        loaded.append((vocab, matrix, meta))
    first = loaded[0][2]
    if all(v.checksum() == loaded[0][0].checksum() for v, _, _ in loaded):
        words = loaded[0][0].words
        counts = sum(v.counts for v, _, _ in loaded)
        vocab = Vocabulary(words, counts)
        order = np.argsort(-vocab.counts, kind="stable")
        total = loaded[0][1]
        for _, m, _ in loaded[1:]:
            total = total + m
        if not np.array_equal(order, np.arange(len(order))) or not _sorted_vocab(vocab):
            vocab, total = _reorder(vocab, [(Vocabulary(words, counts), total)])
    else:
        union: dict[str, int] = {}
        for v, _, _ in loaded:
            for w, c in zip(v.words, v.counts.tolist()):
                union[w] = union.get(w, 0) + c
        vocab = Vocabulary.from_counts(union)
        vocab, total = _reorder(vocab, [(v, m) for v, m, _ in loaded])
    mins = {m.get("min_count") for _, _, m in loaded}
    meta = {"min_count": mins.pop() if len(mins) == 1 else None, "max_vocab": first.get("max_vocab"),
            "tokenizer": first.get("tokenizer"), "merged_from": [os.path.abspath(p) for p in paths],
            "sources": [s for _, _, m in loaded for s in (m.get("sources") or [])]}
    total = sp.csr_matrix(total)
    total.sort_indices()
    return Cooccurrence(total, vocab, int(first.get("window", 0)), bool(first.get("distance_weighting")), meta)


def _sorted_vocab(vocab) -> bool:
    pairs = list(zip((-vocab.counts).tolist(), vocab.words))
    return pairs == sorted(pairs)


def _reorder(vocab, parts):
    """Re-index each ``(vocab_i, matrix_i)`` to ``vocab`` (frequency order) and add them up."""
    if not _sorted_vocab(vocab):
        from wordvec.io.vocab import Vocabulary

        vocab = Vocabulary.from_counts(dict(zip(vocab.words, vocab.counts.tolist())))
    index = vocab.index
    n = len(vocab)
    total = sp.csr_matrix((n, n))
    for v, m in parts:
        remap = np.array([index[w] for w in v.words], np.int64)
        coo = m.tocoo()
        total = total + sp.csr_matrix((coo.data, (remap[coo.row], remap[coo.col])), shape=(n, n))
    return vocab, total
