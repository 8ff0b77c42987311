"""The sidecar of an exported vector file: what a word2vec/GloVe file cannot hold, kept beside it.

A vector file has words and vectors only. A PMI model's queries also need its unigram counts, its token
total, its tokenizer settings and its context-smoothing exponent (``cds``): with ``cds ≠ 1`` the vectors fit
``PMI + δ_a + δ_b`` and ``pmi``/``related``/``keywords`` subtract the offsets δ again, which needs the counts.
``wordvec export`` therefore writes ``FILE.wordvec.json`` beside ``FILE`` (``write_sidecar``), and loading
``FILE`` (``Embedding.load``, the query commands) applies it (``apply_sidecar``), so the file answers as the
model does. The sidecar names the words' checksum: a sidecar that does not match its file is ignored with
a warning. A word2vec (HS) model's readouts also need its inner-node weights, which no vector file holds:
its sidecar marks the vectors ``kind="w2v-vectors"`` (cosine queries only).
"""
from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from wordvec.io.atomic import atomic_output
from wordvec.io.vectors import WordVectors
from wordvec.io.vocab import Vocabulary, vocab_checksum

SUFFIX = ".wordvec.json"
FORMAT = "wordvec-export-sidecar"
VERSION = 1
# meta entries a query may need; the rest (losses, timings) stays with the model directory
_KEPT = ("kind", "method", "cds", "total_tokens", "tokenizer", "min_count", "window", "dim", "prior_count",
         "independence_weight", "preset")


def sidecar_path(path: str | os.PathLike) -> str:
    """``FILE.wordvec.json`` for the vector file ``FILE``."""
    return os.fspath(path) + SUFFIX


def needs_sidecar(wv: WordVectors) -> bool:
    """Whether a vector file of ``wv`` answers differently without a sidecar: it has counts, a tokenizer or a
    model kind a file cannot carry."""
    return bool(np.any(np.asarray(wv.counts) > 0)) or wv.kind not in ("external",) or bool(wv.meta.get("tokenizer"))


def write_sidecar(wv: WordVectors, path: str | os.PathLike) -> str:
    """Write the sidecar of the vector file ``path`` exported from ``wv`` (atomically); returns its path."""
    meta = {key: wv.meta[key] for key in _KEPT if key in wv.meta}
    if wv.kind == "w2v":
        meta["kind"] = "w2v-vectors"  # the HS weights stay in the model directory
    data = {
        "format": FORMAT,
        "version": VERSION,
        "vector_file": os.path.basename(os.fspath(path)),
        "words": len(wv),
        "dim": int(wv.shape[1]),
        "vocab_checksum": vocab_checksum(wv.words),
        "meta": meta,
        "counts": np.asarray(wv.counts, dtype=np.int64).tolist(),
    }
    target = sidecar_path(path)
    with atomic_output(target, "w") as out:
        json.dump(data, out, ensure_ascii=False)
    return target


def apply_sidecar(wv: WordVectors, path: str | os.PathLike) -> tuple[WordVectors, str | None]:
    """``wv`` (read from the vector file ``path``) with its sidecar's counts and meta applied, and a warning
    text when a sidecar exists but cannot be used (``None`` otherwise). No sidecar: ``wv`` unchanged."""
    target = sidecar_path(path)
    if not os.path.isfile(target):
        return wv, None
    try:
        with open(target, encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
    except (OSError, ValueError) as err:
        return wv, f"{target} is unreadable ({type(err).__name__}); ignored: counts and PMI correction are missing"
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return wv, f"{target} is not a wordvec export sidecar; ignored"
    if int(data.get("version", 0)) > VERSION:
        return wv, f"{target} was written by a newer wordvec (version {data.get('version')}); ignored: upgrade wordvec"
    counts = data.get("counts")
    if (data.get("vocab_checksum") != vocab_checksum(wv.words) or not isinstance(counts, list)
            or len(counts) != len(wv) or data.get("dim") != wv.shape[1]):
        return wv, (f"{target} does not match {os.fspath(path)} (other words or dimension); ignored: re-export "
                    "the model to get both files again")
    try:
        counts_array = np.asarray(counts, dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        return wv, f"{target} holds counts that are not integers; ignored"
    meta = dict(wv.meta)
    meta.update(data.get("meta") or {})
    meta["sidecar"] = os.path.abspath(target)
    meta.pop("counts", None)
    return WordVectors(wv.vectors, Vocabulary(wv.words, counts_array), meta, wv.extras), None


__all__ = ["SUFFIX", "sidecar_path", "needs_sidecar", "write_sidecar", "apply_sidecar"]
