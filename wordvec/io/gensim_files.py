"""gensim's native files (``KeyedVectors.save``, ``Word2Vec.save``, ``FastText.save``), read without running
their code, and conversion between ``WordVectors`` and ``gensim.models.KeyedVectors``.

gensim saves with pickle, and unpickling an arbitrary pickle can run arbitrary code. ``load_gensim_object``
unpickles with ``wordvec.io.safe_pickle`` (wordvec's only unpickler): a file may name only the numpy, builtin
and gensim classes of ``safe_pickle.GENSIM``, may call only numpy's array and random-state helpers and a few
value types, and re-creates gensim classes bare (``__new__``, then their attributes), so no gensim constructor
runs; any other name (``os.system``, ``builtins.eval``, ``subprocess.Popen`` …) stops the load before it is
imported. The object read is then checked: gensim's lists of side files (``__numpys``, ``__recursive_saveloads``,
``__ignoreds``) must be plain attribute names, side-loaded sparse matrices (``__scipys``, which gensim would
unpickle without restriction) are refused, and the top object must be one of the four classes we convert. Only
then do gensim's own post-load fix-ups run on the plain data (arrays stored beside the file as ``FILE.ATTR.npy``
are read with ``allow_pickle=False``).
"""
from __future__ import annotations

import bz2
import gzip
import os
import re
from typing import Any

import numpy as np

from wordvec.errors import InputError
from wordvec.io.safe_pickle import GENSIM, UnsafePickleError, safe_load
from wordvec.io.vectors import WordVectors
from wordvec.io.vocab import Vocabulary

PICKLE_MAGIC = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")
_CONVERTED = ("KeyedVectors", "FastTextKeyedVectors", "Word2Vec", "FastText")
_ATTRIBUTE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_DEPTH = 50


def looks_like_pickle(path: str | os.PathLike) -> bool:
    """True when ``path`` starts like a pickle of protocol 2–5 (what gensim's ``save`` writes), also inside
    ``.gz``/``.bz2``."""
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else bz2.open if path.endswith(".bz2") else open
    try:
        with opener(path, "rb") as handle:
            return handle.read(2) in PICKLE_MAGIC
    except (OSError, EOFError, ValueError):
        return False


def _check(value: Any, path: str, seen: set[int], depth: int = 0) -> None:
    """Walk what the restricted unpickler built and refuse what gensim's post-load step would misuse."""
    if depth > _MAX_DEPTH:
        raise UnsafePickleError(f"{path}: nested too deeply for a gensim file; refusing to load it")
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:  # e.g. the Huffman codes and points of an HS model: an array of arrays
            for item in value.reshape(-1):
                _check(item, path, seen, depth + 1)
        return
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
    else:
        state = getattr(value, "__dict__", None)
        if not isinstance(state, dict) or not type(value).__module__.startswith("gensim."):
            return
        if state.get("__scipys"):
            raise UnsafePickleError(f"{path}: refusing to load: it stores sparse matrices as separate pickles, "
                                    "which wordvec does not read (a pickle can run code)")
        for key in ("__numpys", "__recursive_saveloads", "__ignoreds"):
            names = state.get(key, [])
            if not isinstance(names, list) or not all(isinstance(n, str) and _ATTRIBUTE.match(n) for n in names):
                raise UnsafePickleError(f"{path}: refusing to load: malformed {key} list; not a gensim file")
        from gensim.utils import SaveLoad

        for name in state.get("__recursive_saveloads", []):
            if not isinstance(state.get(name), SaveLoad):
                raise UnsafePickleError(f"{path}: refusing to load: attribute {name} should be a gensim object; "
                                        "not a gensim file")
        items = list(state.values())
    for item in items:
        _check(item, path, seen, depth + 1)


def load_gensim_object(path: str | os.PathLike, mmap: str | None = None):
    """The ``KeyedVectors``, ``FastTextKeyedVectors``, ``Word2Vec`` or ``FastText`` saved at ``path`` by
    gensim's ``save()``, read through the restricted unpickler (module docstring). ``mmap``: as gensim's
    ``load`` (``"r"`` memory-maps arrays stored beside the file). Raises ``InputError`` for anything else
    (``UnsafePickleError`` when the file asks for something a gensim file never holds)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise InputError(f"gensim file not found: {path}")
    if not looks_like_pickle(path):
        raise InputError(
            f"{path} is not a gensim model saved with save() (not a pickle); a word2vec or GloVe vector file "
            "loads as it is (Embedding.load, or give it as MODEL to the query commands)"
        )
    try:
        top = safe_load(path, allowed=GENSIM, kind="gensim KeyedVectors/Word2Vec/FastText file")
    except (MemoryError, UnsafePickleError):
        raise
    except Exception as err:  # truncated or garbled pickles raise almost anything
        raise InputError(f"{path} is not a gensim model saved with save(), or it is damaged ({type(err).__name__}); "
                         "save it again with gensim's save()") from None
    from gensim.utils import SaveLoad

    if not isinstance(top, SaveLoad):
        raise InputError(f"{path} is a pickle of a {type(top).__name__}, not a gensim model or KeyedVectors; "
                         "give a file written by gensim's save()")
    if type(top).__name__ not in _CONVERTED:
        raise InputError(f"{path} holds a gensim {type(top).__name__}; wordvec reads KeyedVectors, Word2Vec and "
                         "FastText files: convert it in gensim (e.g. model.wv.save(...)) first")
    _check(top, path, set())
    compress, subname = SaveLoad._adapt_by_suffix(path)
    try:
        top._load_specials(path, mmap, compress, subname)
    except FileNotFoundError as err:
        raise InputError(f"{path}: the array file {err.filename} that gensim saved beside it is missing; copy "
                         "every FILE.*.npy file along with it") from None
    except (ValueError, OSError, TypeError, AttributeError, KeyError, IndexError) as err:
        raise InputError(f"{path}: gensim file is damaged or incomplete ({type(err).__name__}: {err})") from None
    return top


# --- KeyedVectors <-> WordVectors ---------------------------------------------------------------------------
def from_keyedvectors(kv, meta: dict[str, Any] | None = None) -> WordVectors:
    """A ``WordVectors`` with the rows, words and (when gensim has them) counts of a gensim ``KeyedVectors``.

    Rows keep gensim's order (``index_to_key``). Counts come from ``kv.expandos["count"]`` (``set_vecattr(…,
    "count", …)``, set by ``Word2Vec``); without them they are zero and ``meta["counts_available"]`` is False.
    ``meta``: merged over the defaults (``kind="external"``, ``source="gensim KeyedVectors"``).
    """
    words = list(getattr(kv, "index_to_key", None) or [])
    vectors = getattr(kv, "vectors", None)
    if vectors is None or not words:
        raise InputError("the KeyedVectors holds no vectors: add vectors (or train the model) first")
    if not all(isinstance(w, str) for w in words):
        raise InputError("the KeyedVectors has keys that are not strings (e.g. Doc2Vec tags): give word keys")
    vectors = np.ascontiguousarray(np.asarray(vectors)[: len(words)], dtype=np.float32)
    counts_raw = getattr(kv, "expandos", {}).get("count")
    counts = np.zeros(len(words), dtype=np.int64)
    available = False
    if counts_raw is not None and len(counts_raw) >= len(words):
        counts = np.asarray(counts_raw[: len(words)], dtype=np.int64)
        available = bool((counts > 0).all())
        if not available:
            counts = np.zeros(len(words), dtype=np.int64)
    info: dict[str, Any] = {
        "kind": "external",
        "source": "gensim KeyedVectors",
        "counts_available": available,
        "total_tokens": int(counts.sum()),
    }
    if not available:
        info["counts"] = "unknown (the KeyedVectors has no 'count' attribute); all zero, rows in gensim order"
    info.update(meta or {})
    return WordVectors(vectors, Vocabulary(words, counts), info)


def to_keyedvectors(wv: WordVectors):
    """A gensim ``KeyedVectors`` with the rows and words of ``wv`` (same order) and, when known, the counts
    as the ``"count"`` vector attribute (so gensim's ``save_word2vec_format(fvocab=…)`` works)."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(wv.shape[1], dtype=np.float32)
    kv.add_vectors(list(wv.words), np.asarray(wv.vectors, dtype=np.float32))
    counts = np.asarray(wv.counts, dtype=np.int64)
    if counts.size and (counts > 0).any():
        kv.allocate_vecattrs(attrs=["count"], types=[np.int64])
        kv.expandos["count"][:] = counts
    return kv


__all__ = ["load_gensim_object", "looks_like_pickle", "from_keyedvectors", "to_keyedvectors", "PICKLE_MAGIC"]
