"""wordvec: PMI word vectors for Chinese text.

The package is three rooms (see README "Layout"): ``wordvec.corpora`` turns raw text into co-occurrence
counts, ``wordvec`` itself trains vectors and answers queries, ``wordvec.cli`` is the ``wordvec`` command.
Heavy modules are imported lazily so that ``import wordvec`` and the command line start fast.
"""
from __future__ import annotations

import importlib
import os

from ._version import __version__

# In a source checkout, corpora/ and cli/ sit beside this folder and setup.cfg maps them into the package
# (package_dir). Let `python -m wordvec` and `import wordvec.corpora` work from the checkout as well.
_checkout = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if os.path.isfile(os.path.join(_checkout, "setup.cfg")) and os.path.isfile(
    os.path.join(_checkout, "corpora", "__init__.py")
):
    __path__.append(_checkout)  # type: ignore[name-defined]  # noqa: F821

# public name -> module that defines it
_LAZY = {
    "Embedding": "wordvec.embedding",
    "WordvecError": "wordvec.errors",
    "PMIEmbedding": "wordvec.pmi",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wordvec' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = ["__version__", *_LAZY]
