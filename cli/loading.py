"""Loading a model for a command: a model directory, a word2vec/GloVe vector file, or a gensim save() file."""
from __future__ import annotations

import os
import sys
import warnings

import click


def load_model(path: str, strict: bool = False):
    """The ``Embedding`` at ``path`` (directory memory-mapped; vector files parsed, repairs printed as
    one-line ``warning:`` messages on stderr; ``strict``: repairs are errors instead)."""
    from wordvec.query.embedding import Embedding
    from wordvec.errors import InputError

    if not os.path.exists(path):
        raise InputError(f"model not found: {path}; give a model directory or a word2vec/GloVe file")
    from wordvec.io.sniff import unreadable_reason

    reason = unreadable_reason(path)
    if reason:
        raise InputError(reason)
    if os.path.isdir(path):
        return Embedding.load(path, mmap=True)
    from wordvec.io.gensim_files import looks_like_pickle

    if looks_like_pickle(path):  # a file written by gensim's save(): read without running its code
        return Embedding.load(path)
    from wordvec.io.formats import VectorFileWarning, load_vectors

    from wordvec.io.sidecar import apply_sidecar

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", VectorFileWarning)
        vectors, problem = apply_sidecar(load_vectors(path, strict=strict), path)
    for warning in caught:
        click.echo(f"warning: {warning.message}", err=True)
    if problem:
        click.echo(f"warning: {problem}", err=True)
    return Embedding(vectors)


def read_stdin_lines() -> list[str]:
    """Lines of stdin as text; invalid UTF-8 is replaced (U+FFFD) and reported in one warning line."""
    data = sys.stdin.buffer.read() if sys.stdin is not None else b""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    if bad:
        click.echo(f"warning: stdin is not valid UTF-8: {bad} bad byte sequence(s) replaced", err=True)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]
