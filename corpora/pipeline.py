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
import re
from typing import Any, Callable, Iterable, Sequence

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


# --- corpora given in memory: token lists and raw strings (the Python training route, issue 14) ------------
_SENTENCES_PER_BLOCK = 10_000
# a string that names a file rather than holding text: no whitespace, and a folder separator or an extension
_PATH_LIKE = re.compile(r"^[^\s]*(?:[/\\][^\s]*|\.[A-Za-z0-9]{1,4})$")


def _text_lines(text: str, cap: int) -> list[str]:
    """A raw string's lines as the file reader makes them: ``\\r\\n`` and ``\\n`` end lines, long lines are cut."""
    from .reader import split_long

    lines = text.replace("\r\n", "\n").split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # a final newline ends the last line; it does not start another
    out: list[str] = []
    for line in lines:
        if len(line) > cap:
            pieces, rest = split_long(line, cap)
            out.extend(pieces)
            line = line[rest:]
        out.append(line)
    return out


def _checked_tokens(sentence: Any, number: int) -> list[str]:
    tokens = list(sentence)
    for token in tokens:
        if not isinstance(token, str):
            raise InputError(f"sentence {number} holds a {type(token).__name__}, not a string token: "
                             "give each sentence as a list of str")
    if len(" ".join(tokens).split()) != len(tokens):
        bad = next(t for t in tokens if len(t.split()) != 1)
        raise InputError(f"token {bad!r} in sentence {number} is empty or contains whitespace: "
                         "drop empty tokens and split tokens at whitespace")
    return tokens


def cache_from_sentences(sentences: Iterable[Any], settings: Any = None) -> Any:
    """A ``TokenCache`` (in memory, not saved) from an iterable of sentences.

    Each item is either a list (or tuple) of tokens, used as they are (tokens are non-empty strings without
    whitespace; the cache then records the ``whitespace`` tokenizer, as if the tokens had been written to a
    file one sentence per line), or a raw string, cut into lines and tokenized with ``settings``
    (``TokenizerSettings``, default jieba with HMM off, as ``wordvec tokenize``). The vocabulary, ids and
    lines are exactly those of the same text read from a file. Raises ``InputError`` when there is no token.
    """
    from ._parallel import _Merger
    from .cache import TokenCache
    from .reader import ReadReport
    from .tokenize import TokenizerSettings, make_tokenizer

    if isinstance(sentences, (str, bytes)):
        raise InputError("give an iterable of sentences (token lists or strings), not a single string")
    merger = _Merger()
    report = ReadReport()
    tokenize: Callable[[str], list[str]] | None = None
    kinds: set[str] = set()
    block: list[Any] = []

    def flush() -> None:
        if block:
            merger.add_lines(tokenize if "text" in kinds else list, block)
            block.clear()

    for number, sentence in enumerate(sentences, 1):
        if isinstance(sentence, str):
            if "tokens" in kinds:
                raise InputError(f"sentence {number} is a string but earlier ones are token lists: give one kind")
            if tokenize is None:
                settings = settings or TokenizerSettings()
                tokenize = make_tokenizer(settings)
            kinds.add("text")
            lines = _text_lines(sentence, int(settings.max_line_chars))
            report.lines += len(lines)
            block.extend(lines)
        elif isinstance(sentence, bytes):
            raise InputError(f"sentence {number} is bytes: decode it to str first")
        else:
            if "text" in kinds:
                raise InputError(f"sentence {number} is a token list but earlier ones are strings: give one kind")
            try:
                tokens = _checked_tokens(sentence, number)
            except TypeError:
                raise InputError(f"sentence {number} is a {type(sentence).__name__}: give a list of str tokens "
                                 "or a string") from None
            kinds.add("tokens")
            report.lines += 1
            block.append(tokens)
        if len(block) >= _SENTENCES_PER_BLOCK:
            flush()
    flush()
    vocab, ids, offsets = merger.finish()
    if len(ids) == 0:
        raise InputError("no tokens in the sentences given: pass token lists or text with content")
    used = settings if "text" in kinds else TokenizerSettings(mode="whitespace")
    meta = {"format": TOKEN_CACHE_FORMAT, "sources": [{"path": "<sentences>"}], "tokenizer": used.to_dict(),
            "n_lines": int(len(offsets) - 1), "n_tokens": int(len(ids)), "n_types": len(vocab),
            "vocab_checksum": vocab.checksum()}
    return TokenCache(vocab, ids, offsets, used, meta, report)


def corpus_cache(corpus: Any, settings: Any = None, workers: int | None = None, cache_dir: str | None = None,
                 strict: bool = False, progress: Callable[[int, int], None] | None = None) -> Any:
    """The ``TokenCache`` of any corpus a user may hand over (``wordvec.train``'s first argument).

    ``corpus``: a ``TokenCache``; a path (``str`` or ``os.PathLike``: a text file, a folder, ``-`` for
    stdin, or a token-cache folder); a list of paths; an iterable of token lists; or an iterable of raw
    strings (tokenized with ``settings``). A list of strings counts as paths when its first item names an
    existing file or folder, or looks like a path (no whitespace, and a ``/`` or a file extension); a path that
    does not exist is an ``InputError``. Other parameters as ``build_token_cache``; files are tokenized once
    and reused from the cache folder, in-memory sentences are never cached.
    """
    if hasattr(corpus, "ids") and hasattr(corpus, "line_offsets") and hasattr(corpus, "vocab"):
        return corpus
    if isinstance(corpus, (str, os.PathLike)):
        paths: list[Any] | None = [os.fspath(corpus)]
    elif isinstance(corpus, (list, tuple)) and corpus and isinstance(corpus[0], (str, os.PathLike)) and (
            not isinstance(corpus[0], str) or corpus[0] == "-" or os.path.exists(corpus[0])
            or _PATH_LIKE.match(corpus[0])):
        paths = [os.fspath(item) for item in corpus]
    else:
        paths = None
    if paths is not None:
        for path in paths:
            if path != "-" and not os.path.exists(path):
                raise InputError(f"input not found: {path}")
        return load_or_build_cache(paths, settings, workers, cache_dir, strict, progress)
    try:
        iter(corpus)
    except TypeError:
        raise InputError(f"cannot read a corpus from a {type(corpus).__name__}: give a path, a list of paths, "
                         "token lists or strings") from None
    return cache_from_sentences(corpus, settings)


__all__ = ["count_corpus", "count_cached", "counts_key", "is_token_cache", "load_or_build_cache",
           "cache_from_sentences", "corpus_cache"]
