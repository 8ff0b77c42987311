"""wordvec.train: the trainers (PMI model, PPMI-SVD; one estimator shape in ``base``), their targets and
weights, the independence prior, checkpoints and the numba training kernels. Stands on ``wordvec.io`` and
``wordvec.corpora``.

The package is also callable: ``wordvec.train(corpus, method="pmi", **params)`` trains and returns an
``Embedding`` (``wordvec.api.train``; see its docstring).
"""
import sys as _sys

from wordvec import _make_callable

_make_callable(_sys.modules[__name__])
