"""wordvec: PMI word vectors for Chinese text.

The package is three rooms (see README "Layout"): ``wordvec.corpora`` turns raw text into co-occurrence
counts, ``wordvec`` itself trains vectors and answers queries, ``wordvec.cli`` is the ``wordvec`` command.
Heavy modules are imported lazily so that ``import wordvec`` and the command line start fast.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import sys
import types

from ._version import __version__

# In a source checkout, corpora/ and cli/ sit beside this folder and setup.cfg maps them into the package
# (package_dir). So that `python -m wordvec` and `import wordvec.corpora` also work from a checkout that is
# not installed (or from a second worktree), exactly these two names resolve to the checkout's folders;
# nothing else of the checkout (tests/, bench/) becomes part of the package.
_checkout = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_ROOMS = ("corpora", "cli")


class _CheckoutRooms(importlib.abc.MetaPathFinder):
    """Finds ``wordvec.corpora`` and ``wordvec.cli`` in the checkout's top-level folders."""

    def find_spec(self, name, path=None, target=None):  # noqa: D102 - importlib protocol
        room = name.partition(".")[2]
        if name.startswith("wordvec.") and room in _ROOMS:
            folder = os.path.join(_checkout, room)
            return importlib.util.spec_from_file_location(
                name, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder])
        return None


if os.path.isfile(os.path.join(_checkout, "setup.cfg")) and all(
    os.path.isfile(os.path.join(_checkout, room, "__init__.py")) for room in _ROOMS
):
    sys.meta_path.insert(0, _CheckoutRooms())

# public name -> module that defines it
_LAZY = {
    "Embedding": "wordvec.query.embedding",
    "WordvecError": "wordvec.errors",
    "PMITrainer": "wordvec.train.pmi",
    "PMIEmbedding": "wordvec.train.pmi",
    "PPMISVD": "wordvec.train.svd",
    "Word2VecTrainer": "wordvec.word2vec.bridge",
}


class _TrainRoom(types.ModuleType):
    """``wordvec.train`` is the trainers' package and also the function ``wordvec.api.train``: the import
    system binds the package to that name, so the package itself answers the call."""

    def __call__(self, corpus, method: str = "pmi", **params):
        """``wordvec.api.train(corpus, method, **params)``: train vectors, return an ``Embedding``."""
        return importlib.import_module("wordvec.api").train(corpus, method, **params)


def _make_callable(module: types.ModuleType) -> None:
    """Let the ``wordvec.train`` package be called as ``wordvec.train(corpus, method="pmi", **params)``."""
    module.__class__ = _TrainRoom


def __getattr__(name: str):
    if name == "train":
        return importlib.import_module("wordvec.train")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wordvec' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = ["__version__", "train", *_LAZY]
