"""Reading pickles of other programs (gensim's ``model.save()``) without running code from them.

A pickle is a little program: its ``GLOBAL`` opcodes name any importable callable and ``REDUCE`` calls it, so
``pickle.load`` on a crafted file runs whatever the file says (``os.system``, ``subprocess``, ``eval``). This
module runs the pickle with Python's own pure-Python unpickler, changed in three places:

- a name the file asks for (``GLOBAL``, ``STACK_GLOBAL``, ``INST``, ``OBJ``, extension codes) resolves only if it
  is on the ``allowed`` list; anything else stops the load with ``UnsafePickleError`` *before* it is imported;
- a call (``REDUCE``, ``INST``, ``OBJ``) may only target names allowed with ``CALL``; classes allowed with ``NEW``
  are re-created bare (``cls.__new__(cls)``, the ``NEWOBJ`` opcodes, which run no ``__init__``) and then get
  their attributes, so a file cannot construct them with arguments, and no call may take such a class as
  argument (only ``ARG`` classes, numpy's arrays and bit generators, which numpy's helpers receive);
- ``BUILD`` (set an object's state) applies only to instances, never to a class or a function, and persistent
  ids are refused.

``safe_load(path, allowed=WORD2VEC)`` returns the object; ``KEYED_VECTORS``, ``WORD2VEC``, ``FASTTEXT`` and
``GENSIM`` (all three) are the names gensim's files consist of (numpy arrays, dtypes, RandomState, defaultdict,
and the gensim classes). This is the only unpickler in wordvec: ``wordvec.io.gensim_files`` reads every gensim
file through it. Nothing here imports gensim; a ``NEW`` gensim class is imported only when the file names it.
``BUILD`` may not carry a slot state (gensim objects have no slots; ``setattr`` could reach a property).
"""
from __future__ import annotations

import bz2
import gzip
import importlib
import io
import os
import pickle
import types
from typing import Any, Mapping

from wordvec.errors import InputError

CALL = "call"  # may be called with arguments from the file (harmless functions and value types)
NEW = "new"  # may only be re-created bare and given attributes (classes whose constructor does work)
ARG = "arg"  # like NEW, and may also be an argument of a CALL (numpy's helpers get ndarray, MT19937)

_NUMPY = {
    "numpy.dtype": CALL,
    "numpy.ndarray": ARG,
    "numpy._core.multiarray._reconstruct": CALL,
    "numpy.core.multiarray._reconstruct": CALL,
    "numpy._core.multiarray.scalar": CALL,
    "numpy.core.multiarray.scalar": CALL,
    "numpy._core.numeric._frombuffer": CALL,
    "numpy.core.numeric._frombuffer": CALL,
    "numpy.random._pickle.__randomstate_ctor": CALL,
    "numpy.random._pickle.__generator_ctor": CALL,
    "numpy.random._pickle.__bit_generator_ctor": CALL,
    "numpy.random.__RandomState_ctor": CALL,  # numpy < 1.17 pickles (gensim 3 models): takes no arguments
    "numpy.random._mt19937.MT19937": ARG,
    "numpy.random._pcg64.PCG64": ARG,
}
_PLAIN = {
    "builtins.int": CALL,
    "builtins.float": CALL,
    "builtins.complex": CALL,
    "builtins.bytes": CALL,  # protocol 2 (gensim 3's default) writes bytes as _codecs.encode(text, "latin1")
    "builtins.bytearray": CALL,
    "_codecs.encode": CALL,  # … only with those arguments (``_ARGUMENTS``)
    "builtins.hash": CALL,  # Word2Vec.hashfxn: stored as a reference, called by gensim with a string
    "builtins.set": CALL,
    "builtins.frozenset": CALL,
    "collections.defaultdict": CALL,
    "collections.OrderedDict": CALL,
    "gensim.utils.call_on_class_only": CALL,  # gensim replaces instance `load` by this; calling it raises
}
#: The names a gensim 4 ``KeyedVectors`` file (``kv.save()``) is made of.
KEYED_VECTORS: Mapping[str, str] = types.MappingProxyType({
    **_NUMPY, **_PLAIN,
    "gensim.models.keyedvectors.KeyedVectors": NEW,
    "gensim.models.keyedvectors.Word2VecKeyedVectors": NEW,
    "gensim.models.keyedvectors.CompatVocab": NEW,
    "gensim.models.keyedvectors.Vocab": NEW,
})
#: The names a gensim 4 ``Word2Vec`` file (``model.save()``) is made of.
WORD2VEC: Mapping[str, str] = types.MappingProxyType({
    **KEYED_VECTORS,
    "gensim.models.word2vec.Word2Vec": NEW,
    "gensim.models.word2vec.Word2VecVocab": NEW,
    "gensim.models.word2vec.Word2VecTrainables": NEW,
})
#: The names a gensim 4 ``FastText`` model or its ``FastTextKeyedVectors`` is made of.
FASTTEXT: Mapping[str, str] = types.MappingProxyType({
    **WORD2VEC,
    "gensim.models.fasttext.FastText": NEW,
    "gensim.models.fasttext.FastTextKeyedVectors": NEW,
    "gensim.models.keyedvectors.FastTextKeyedVectors": NEW,  # gensim 3 kept it there; gensim 4 aliases it
    "gensim.models.fasttext.FastTextVocab": NEW,
    "gensim.models.fasttext.FastTextTrainables": NEW,
})
#: Every gensim file ``import-gensim`` reads: KeyedVectors, Word2Vec and FastText (gensim 3 names included).
GENSIM: Mapping[str, str] = types.MappingProxyType({
    **FASTTEXT,
    "gensim.models.keyedvectors.EuclideanKeyedVectors": NEW,
})
# calls whose arguments are checked too: what protocol 2 writes, and nothing that allocates or looks up codecs
_ARGUMENTS = {
    "_codecs.encode": lambda args: len(args) == 2 and isinstance(args[0], str) and args[1] in ("latin1", "latin-1"),
    "builtins.bytes": lambda args: len(args) == 0 or (len(args) == 1 and isinstance(args[0], (bytes, bytearray))),
    "builtins.bytearray": lambda args: len(args) == 0 or (len(args) == 1 and isinstance(args[0], (bytes, bytearray))),
}
# numpy 2 moved numpy.core to numpy._core; resolve the old names without importing the deprecated shim
_RENAMED = {"numpy.core.multiarray": "numpy._core.multiarray", "numpy.core.numeric": "numpy._core.numeric"}


class UnsafePickleError(InputError):
    """The pickle asks for something a file of the expected kind does not contain; nothing of it was run."""


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _RestrictedUnpickler(pickle._Unpickler):  # the pure-Python unpickler: its opcodes can be overridden
    def __init__(self, file, allowed: Mapping[str, str], where: str):
        super().__init__(file, encoding="latin1")  # gensim pickles numpy 1.x byte strings as latin-1
        self._allowed = allowed
        self._where = where
        self._callable_ids: set[int] = set()
        self._new_ids: set[int] = set()
        self._arg_ids: set[int] = set()
        self._argument_rules: dict[int, tuple[str, Any]] = {}

    def _refuse(self, what: str) -> None:
        raise UnsafePickleError(f"{self._where}: refusing to load: the file asks for {_short(what)}, which a "
                                f"{self._kind} does not contain (nothing from the file was run); use a file "
                                "you trust, saved by gensim")

    _kind = "gensim model"

    def find_class(self, module: str, name: str) -> Any:
        if self.proto < 3 and self.fix_imports:  # Python 2 names (__builtin__, copy_reg), as pickle maps them
            import _compat_pickle

            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            else:
                module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        full = f"{module}.{name}"
        how = self._allowed.get(full)
        if how is None:
            self._refuse(full)
        target_module = _RENAMED.get(module, module)
        try:
            obj = getattr(importlib.import_module(target_module), name)
        except (ImportError, AttributeError):
            obj = getattr(importlib.import_module(module), name)
        if full in _ARGUMENTS:
            self._argument_rules[id(obj)] = (full, _ARGUMENTS[full])
        (self._callable_ids if how == CALL else self._new_ids).add(id(obj))
        if how == ARG:
            self._arg_ids.add(id(obj))
        return obj

    def persistent_load(self, pid: Any) -> Any:
        self._refuse(f"persistent id {pid!r}")

    def _check_call(self, func: Any, args: Any) -> None:
        if id(func) not in self._callable_ids:
            self._refuse(f"a call to {getattr(func, '__qualname__', type(func).__name__)}")
        for arg in args if isinstance(args, tuple) else (args,):
            if isinstance(arg, type) and id(arg) not in self._callable_ids and id(arg) not in self._arg_ids:
                self._refuse(f"a call that is given the class {arg.__qualname__}")
        rule = self._argument_rules.get(id(func))
        if rule is not None and not rule[1](args if isinstance(args, tuple) else (args,)):
            self._refuse(f"a call of {rule[0]} with other arguments than pickle writes")

    # --- the opcodes that call or modify things ---------------------------------------------------------------
    def load_reduce(self) -> None:
        args = self.stack[-1]
        func = self.stack[-2]
        self._check_call(func, args)
        super().load_reduce()

    def _instantiate(self, klass: Any, args: Any) -> None:  # INST and OBJ (protocols 0 and 1)
        if args or id(klass) not in self._new_ids:
            self._check_call(klass, tuple(args))
        super()._instantiate(klass, args)

    def load_newobj(self) -> None:
        cls = self.stack[-2]
        if id(cls) not in self._new_ids and id(cls) not in self._callable_ids:
            self._refuse(f"a new {getattr(cls, '__qualname__', cls)!r}")
        super().load_newobj()

    def load_newobj_ex(self) -> None:
        cls = self.stack[-3]
        if id(cls) not in self._new_ids and id(cls) not in self._callable_ids:
            self._refuse(f"a new {getattr(cls, '__qualname__', cls)!r}")
        super().load_newobj_ex()

    def load_build(self) -> None:
        inst = self.stack[-2]
        if isinstance(inst, (type, types.FunctionType, types.BuiltinFunctionType, types.ModuleType)):
            self._refuse(f"a change to {getattr(inst, '__qualname__', inst)!r}")
        state = self.stack[-1]
        if isinstance(state, tuple) and len(state) == 2 and state[1] and not hasattr(inst, "__setstate__"):
            self._refuse(f"a slot state for a {type(inst).__qualname__}")
        super().load_build()

    dispatch = dict(pickle._Unpickler.dispatch)
    dispatch[pickle.REDUCE[0]] = load_reduce
    dispatch[pickle.NEWOBJ[0]] = load_newobj
    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex
    dispatch[pickle.BUILD[0]] = load_build


def _open(path: str):
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    if path.endswith(".bz2"):
        return bz2.open(path, "rb")
    return open(path, "rb")


def safe_loads(data: bytes, allowed: Mapping[str, str] = WORD2VEC, *, where: str = "pickle",
               kind: str = "gensim model") -> Any:
    """Unpickle ``data`` resolving only the names in ``allowed`` (see ``safe_load``); ``where`` names the source
    in messages (default ``"pickle"``), ``kind`` what it should hold (default ``"gensim model"``)."""
    unpickler = _RestrictedUnpickler(io.BytesIO(data), allowed, where)
    unpickler._kind = kind
    return unpickler.load()


def safe_load(path: str | os.PathLike, allowed: Mapping[str, str] = WORD2VEC, *, kind: str = "gensim model") -> Any:
    """Unpickle the file at ``path`` (``.gz``/``.bz2`` decompressed) without running code from it.

    Parameters: ``allowed`` maps ``"module.name"`` to ``CALL`` (may be called with the file's arguments),
    ``NEW`` (may only be re-created bare, then given attributes) or ``ARG`` (``NEW``, and may be an argument of
    a ``CALL``); default ``WORD2VEC``, a gensim 4 Word2Vec
    model; ``KEYED_VECTORS`` reads ``kv.save()`` files. ``kind`` names what the file should hold in messages
    (default ``"gensim model"``). Raises ``UnsafePickleError`` (an ``InputError``) when the file asks for anything
    else — before that name is even imported — and lets the unpickler's own errors (garbage, truncation) through
    for the caller to word. OSError from reading the file also passes through.
    """
    where = os.fsdecode(path)
    with _open(where) as handle:
        unpickler = _RestrictedUnpickler(handle, allowed, where)
        unpickler._kind = kind
        return unpickler.load()


__all__ = ["safe_load", "safe_loads", "UnsafePickleError", "WORD2VEC", "KEYED_VECTORS", "FASTTEXT", "GENSIM", "CALL", "NEW",
           "ARG"]
