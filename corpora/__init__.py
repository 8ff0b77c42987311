"""wordvec.corpora: raw text → tokens → vocabulary → sparse co-occurrence counts.

Stages (each an artifact that can be saved and loaded on its own): reading (files, folders, compressed
files, stdin), tokenizing (jieba, whitespace, characters) into a token cache, the vocabulary, and
co-occurrence counting (numba kernels, memory-bounded shards, merge). The names below are imported on
first use, so that importing one stage does not load the others (nor numba).
"""
from __future__ import annotations

import importlib

# public name -> module that defines it
_LAZY = {
    "Vocabulary": "wordvec.io.vocab", "vocab_checksum": "wordvec.io.vocab",
    "TokenizerSettings": "wordvec.corpora.tokenize", "tokenize_text": "wordvec.corpora.tokenize",
    "ReadReport": "wordvec.corpora.reader", "read_lines": "wordvec.corpora.reader",
    "TokenCache": "wordvec.corpora.cache", "build_token_cache": "wordvec.corpora.cache",
    "Cooccurrence": "wordvec.corpora.cooccur", "count_cooccurrences": "wordvec.corpora.counter",
    "count_corpus": "wordvec.corpora.pipeline",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wordvec.corpora' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = list(_LAZY)
