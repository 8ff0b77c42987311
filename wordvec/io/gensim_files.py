"""gensim's native files (``KeyedVectors.save``, ``Word2Vec.save``, ``FastText.save``), read without running
their code, and conversion between ``WordVectors`` and ``gensim.models.KeyedVectors``.

gensim saves with pickle, and unpickling an arbitrary pickle can run arbitrary code. ``load_gensim_object``
therefore unpickles with a restricted ``find_class``: the only real callables a file may name are numpy's
array reconstruction (``_reconstruct``, ``ndarray``, ``dtype``, ``scalar``), ``collections.defaultdict`` /
``OrderedDict``, a few builtin types and ``_codecs.encode``. A ``gensim.*`` class becomes an inert
placeholder that only receives the pickled attributes (no gensim code runs while reading), numpy random
states and stored function references (``hashfxn``, ``load``) become ``None``, and any other name (``os.system``,
``builtins.eval``, ``subprocess.Popen`` …) makes the load fail with ``InputError`` before anything is called.
After reading, the placeholders of the four classes we convert (``KeyedVectors``, ``FastTextKeyedVectors``,
``Word2Vec``, ``FastText``) are given their gensim class and gensim's own post-load fix-ups run on the
plain data (arrays stored beside the file as ``FILE.ATTR.npy`` are read with ``allow_pickle=False``; files
with pickled sparse matrices are refused).
"""
from __future__ import annotations

import bz2
import gzip
import os
import pickle
import re
from typing import Any

import numpy as np

from wordvec.errors import InputError
from wordvec.io.safe_pickle import UnsafePickleError
from wordvec.io.vectors import WordVectors
from wordvec.io.vocab import Vocabulary

PICKLE_MAGIC = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")

_REAL = {
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("collections", "defaultdict"), ("collections", "OrderedDict"),
    ("builtins", "int"), ("builtins", "float"), ("builtins", "complex"), ("builtins", "bool"),
    ("builtins", "str"), ("builtins", "bytes"), ("builtins", "bytearray"), ("builtins", "list"),
    ("builtins", "dict"), ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "tuple"),
    ("_codecs", "encode"),
}
# references gensim stores as attribute values (never needed to read vectors): become None
_INERT_NAMES = {("builtins", "hash"), ("gensim.utils", "call_on_class_only")}
_INERT_MODULES = ("numpy.random",)
_CLASSES = {
    "gensim.models.keyedvectors.KeyedVectors": ("gensim.models.keyedvectors", "KeyedVectors"),
    "gensim.models.keyedvectors.Word2VecKeyedVectors": ("gensim.models.keyedvectors", "KeyedVectors"),
    "gensim.models.keyedvectors.EuclideanKeyedVectors": ("gensim.models.keyedvectors", "KeyedVectors"),
    "gensim.models.fasttext.FastTextKeyedVectors": ("gensim.models.fasttext", "FastTextKeyedVectors"),
    "gensim.models.keyedvectors.FastTextKeyedVectors": ("gensim.models.fasttext", "FastTextKeyedVectors"),
    "gensim.models.word2vec.Word2Vec": ("gensim.models.word2vec", "Word2Vec"),
    "gensim.models.fasttext.FastText": ("gensim.models.fasttext", "FastText"),
}
_ATTRIBUTE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Inert:
    """Stands in for a numpy random state or a stored function reference; accepts and drops everything."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __setstate__(self, state: Any) -> None:
        pass


def _placeholder_base():
    from gensim.utils import SaveLoad  # its _load_specials reads FILE.ATTR.npy for nested objects

    return SaveLoad


_PLACEHOLDERS: dict[str, type] = {}


def _placeholder(path: str) -> type:
    """A plain class for the gensim class ``path``: built with ``__new__``, filled from the pickled dict."""
    cls = _PLACEHOLDERS.get(path)
    if cls is None:
        cls = type("GensimObject", (_placeholder_base(),), {"_wordvec_gensim_class": path})
        _PLACEHOLDERS[path] = cls
    return cls


class _Refused(pickle.UnpicklingError):
    """The pickle names something a gensim file never holds."""


class _RestrictedUnpickler(pickle.Unpickler):
    """``find_class`` that allows only the names listed in the module docstring."""

    def find_class(self, module: str, name: str):  # noqa: D102 - pickle protocol
        if (module, name) in _REAL:
            return super().find_class(module, name)
        if (module, name) in _INERT_NAMES or module == _INERT_MODULES[0] or module.startswith(_INERT_MODULES[0] + "."):
            return _Inert
        if module == "gensim" or module.startswith("gensim."):
            return _placeholder(f"{module}.{name}")
        raise _Refused(f"refers to {module}.{name}")

    def persistent_load(self, pid):  # noqa: D102
        raise _Refused("uses persistent ids")


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


def _unpickle(path: str) -> Any:
    opener = gzip.open if path.endswith(".gz") else bz2.open if path.endswith(".bz2") else open
    with opener(path, "rb") as handle:
        return _RestrictedUnpickler(handle, encoding="latin1").load()


def _clean(value: Any, path: str, depth: int = 0) -> Any:
    """Replace inert stand-ins by None, give known placeholders their gensim class, check the rest."""
    if depth > 50:
        raise UnsafePickleError(f"{path}: nested too deeply for a gensim file; refusing to load it")
    if isinstance(value, _Inert) or value is _Inert or isinstance(value, type):
        return None
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:  # e.g. the Huffman codes and points of an HS model: an array of arrays
            flat = value.reshape(-1)
            for k in range(flat.size):
                flat[k] = _clean(flat[k], path, depth + 1)
        return value
    if isinstance(value, dict):
        for key in list(value):
            value[key] = _clean(value[key], path, depth + 1)
        return value
    if isinstance(value, list):
        value[:] = [_clean(v, path, depth + 1) for v in value]
        return value
    if isinstance(value, tuple):
        return tuple(_clean(v, path, depth + 1) for v in value)
    plain = (set, frozenset, str, bytes, bytearray, int, float, complex, bool, np.generic)
    if value is None or isinstance(value, plain):
        return value
    gensim_class = getattr(type(value), "_wordvec_gensim_class", None)
    if gensim_class is None:
        raise UnsafePickleError(f"{path}: holds a {type(value).__name__}, which gensim files do not; refusing it")
    state = value.__dict__
    if state.get("__scipys"):
        raise UnsafePickleError(f"{path}: refusing to load: it stores sparse matrices as separate pickles, which "
                                "wordvec does not read (a pickle can run code)")
    for key in ("__numpys", "__recursive_saveloads", "__ignoreds"):
        names = state.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) and _ATTRIBUTE.match(n) for n in names):
            raise UnsafePickleError(f"{path}: refusing to load: malformed {key} list; not a gensim file")
    for name in list(state):
        state[name] = _clean(state[name], path, depth + 1)
    for name in state.get("__recursive_saveloads", []):
        if not isinstance(state.get(name), _placeholder_base()):
            raise UnsafePickleError(f"{path}: refusing to load: attribute {name} should be a gensim object; not a gensim file")
    target = _CLASSES.get(gensim_class)
    if target is not None:
        import importlib

        value.__class__ = getattr(importlib.import_module(target[0]), target[1])
    return value


def load_gensim_object(path: str | os.PathLike, mmap: str | None = None):
    """The ``KeyedVectors``, ``FastTextKeyedVectors``, ``Word2Vec`` or ``FastText`` saved at ``path`` by
    gensim's ``save()``, read through the restricted unpickler (module docstring). ``mmap``: as gensim's
    ``load`` (``"r"`` memory-maps arrays stored beside the file). Raises ``InputError`` for anything else."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise InputError(f"gensim file not found: {path}")
    if not looks_like_pickle(path):
        raise InputError(
            f"{path} is not a gensim model saved with save() (not a pickle); a word2vec or GloVe vector file "
            "loads as it is (Embedding.load, or give it as MODEL to the query commands)"
        )
    try:
        top = _unpickle(path)
    except _Refused as err:
        raise UnsafePickleError(
            f"{path} is a pickle that {err}, which a gensim KeyedVectors/Word2Vec/FastText file never does; "
            "refusing to load it (a pickle can run code): load only files you trust, via gensim itself"
        ) from None
    except (MemoryError, UnsafePickleError):
        raise
    except Exception as err:  # truncated or garbled pickles raise almost anything
        raise InputError(f"{path} is not a gensim model saved with save(), or it is damaged ({type(err).__name__}); "
                         "save it again with gensim's save()") from None
    if not hasattr(type(top), "_wordvec_gensim_class") and not isinstance(top, _placeholder_base()):
        raise InputError(f"{path} is a pickle of a {type(top).__name__}, not a gensim model or KeyedVectors; "
                         "give a file written by gensim's save()")
    path_class = getattr(type(top), "_wordvec_gensim_class", "")
    top = _clean(top, path)
    if not isinstance(top, _placeholder_base()) or hasattr(type(top), "_wordvec_gensim_class"):
        raise InputError(
            f"{path} holds a gensim {path_class.rpartition('.')[2] or 'object'}; wordvec reads KeyedVectors, "
            "Word2Vec and FastText files: convert it in gensim (e.g. model.wv.save(...)) first"
        )
    from gensim.utils import SaveLoad

    compress, subname = SaveLoad._adapt_by_suffix(path)
    try:
        top._load_specials(path, mmap, compress, subname)
    except FileNotFoundError as err:
        raise InputError(f"{path}: the array file {err.filename} that gensim saved beside it is missing; copy "
                         "every FILE.*.npy file along with it") from None
    except (ValueError, OSError, TypeError, AttributeError) as err:
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
