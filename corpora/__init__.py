"""wordvec.corpora: raw text → tokens → vocabulary → sparse co-occurrence counts.

Stages (each an artifact that can be saved and loaded on its own): reading (files, folders, compressed
files, stdin), tokenizing (jieba, whitespace, characters) into a token cache, the vocabulary, and
co-occurrence counting (numba kernels, memory-bounded shards, merge).
"""
from .vocab import Vocabulary, vocab_checksum

__all__ = ["Vocabulary", "vocab_checksum"]
