"""wordvec.corpora: raw text → tokens → vocabulary → sparse co-occurrence counts.

Stages (each an artifact that can be saved and loaded on its own): reading (files, folders, compressed
files, stdin), tokenizing (jieba, whitespace, characters) into a token cache, the vocabulary, and
co-occurrence counting (numba kernels, memory-bounded shards, merge).
"""
from wordvec.io.vocab import Vocabulary, vocab_checksum
from .tokenize import TokenizerSettings, tokenize_text
from .reader import ReadReport, read_lines
from .cache import TokenCache, build_token_cache
from .cooccur import Cooccurrence, count_cooccurrences
from .pipeline import count_corpus

__all__ = ["Vocabulary", "vocab_checksum", "TokenizerSettings", "tokenize_text", "ReadReport", "read_lines",
           "TokenCache", "build_token_cache", "Cooccurrence", "count_cooccurrences", "count_corpus"]
