"""From raw text to co-occurrence counts in one call, reusing every earlier stage from its cache.

``count_corpus`` tokenizes through the token cache (``build_token_cache``: reused while the inputs and
tokenizer settings are unchanged), then counts (``count_cooccurrences``) and, unless ``cache_counts`` is
False, keeps the counts in the cache folder under a key made of the token cache's identity and the counting
settings, so running ``wordvec train`` twice on unchanged inputs does not count twice.
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Callable, Sequence

from wordvec.errors import CorruptFileError, InputError

from .cooccur import Cooccurrence

TOKEN_CACHE_FORMAT = "wordvec-token-cache"


def is_token_cache(path: str | os.PathLike) -> bool:
    """True when ``path`` is a token cache directory (its meta.json names the token-cache format)."""
    file = os.path.join(os.fspath(path), "meta.json")
    if not os.path.isfile(file):
        return False
    try:
        with open(file, encoding="utf-8") as handle:
            return json.load(handle).get("format") == TOKEN_CACHE_FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def load_or_build_cache(inputs: Sequence[str], settings: Any = None, workers: int | None = None,
                        cache_dir: str | None = None, strict: bool = False,
                        progress: Callable[[int, int], None] | None = None) -> Any:
    """A single token-cache directory is loaded as is (memory-mapped); anything else goes through
    ``build_token_cache`` (tokenized once, then reused)."""
    from .cache import TokenCache, build_token_cache

    if len(inputs) == 1 and os.path.isdir(inputs[0]) and is_token_cache(inputs[0]):
        return TokenCache.load(inputs[0], mmap=True)
    return build_token_cache(list(inputs), settings, cache_dir=cache_dir, workers=workers, strict=strict,
                             progress=progress)


def counts_key(cache: Any, min_count: int, max_vocab: int, window: int, distance_weighting: bool) -> str:
    """Identity of a count: the token cache's content (checksums) plus the counting settings."""
    meta = getattr(cache, "meta", None) or {}
    ident = {
        "ids": meta.get("ids_crc32"), "offsets": meta.get("offsets_crc32"), "n_tokens": int(len(cache.ids)),
        "vocab": cache.vocab.checksum(), "tokenizer": meta.get("tokenizer"), "min_count": int(min_count),
        "max_vocab": int(max_vocab), "window": int(window), "distance_weighting": bool(distance_weighting),
    }
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:20]


def count_corpus(inputs: Sequence[str], settings: Any = None, min_count: int = 5, max_vocab: int = 0,
                 window: int = 10, distance_weighting: bool = False, memory: int | None = None,
                 workers: int | None = None, cache_dir: str | None = None, strict: bool = False,
                 progress: Callable[[int, int], None] | None = None, threads: int | None = None,
                 tokenize_progress: Callable[[int, int], None] | None = None,
                 cache_counts: bool = True) -> Cooccurrence:
    """Tokenize ``inputs`` (from the token cache when unchanged) and count co-occurrences (SPEC a.3).

    Parameters: ``settings`` (``TokenizerSettings``, default jieba with HMM off), ``min_count`` (5),
    ``max_vocab`` (0: no limit), ``window`` (10), ``distance_weighting`` (False), ``memory`` (bytes, default
    2 GiB), ``workers`` (tokenizer processes, default all cores), ``threads`` (counting threads, default all
    cores), ``cache_dir`` (default ``$WORDVEC_CACHE_DIR`` or ``~/.cache/wordvec``), ``strict`` (bad UTF-8 is
    an error), ``progress`` (counting, in tokens), ``tokenize_progress`` (tokenizing, in bytes),
    ``cache_counts`` (keep and reuse the counts in the cache folder, default True). A single token-cache
    directory is accepted as input.
    """
    if not inputs:
        raise InputError("no input given: pass text files, folders, '-' for stdin, or a token cache folder")
    cache = load_or_build_cache(inputs, settings, workers, cache_dir, strict, tokenize_progress)
    return count_cached(cache, min_count, max_vocab, window, distance_weighting, memory, threads, cache_dir,
                        progress, cache_counts)


def count_cached(cache: Any, min_count: int = 5, max_vocab: int = 0, window: int = 10,
                 distance_weighting: bool = False, memory: int | None = None, threads: int | None = None,
                 cache_dir: str | None = None, progress: Callable[[int, int], None] | None = None,
                 cache_counts: bool = True) -> Cooccurrence:
    """Counts of a ``TokenCache`` (parameters as ``count_corpus``), reused from the cache folder when the
    same token cache was counted with the same settings before (``cache_counts``)."""
    target = None
    if cache_counts and getattr(cache, "path", None):
        from .cache import default_cache_root

        root = os.fspath(cache_dir) if cache_dir is not None else default_cache_root()
        target = os.path.join(root, "counts-" + counts_key(cache, min_count, max_vocab, window, distance_weighting))
        if os.path.isfile(os.path.join(target, "meta.json")):
            try:
                return Cooccurrence.load(target)
            except CorruptFileError:
                pass  # damaged: count again
    from .counter import count_cooccurrences  # lazy: numba

    counts = count_cooccurrences(cache, min_count=min_count, max_vocab=max_vocab, window=window,
                                 distance_weighting=distance_weighting, memory=memory, threads=threads,
                                 progress=progress)
    if target is not None:
        counts.save(target)
    return counts


__all__ = ["count_corpus", "count_cached", "counts_key", "is_token_cache", "load_or_build_cache"]
