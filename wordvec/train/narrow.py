"""The narrow-window table behind ``similar`` (issue 12): substitutes share their immediate neighbours, on the
same side.

The PMI model is fitted to counts over a window of 10 words each side. Such a wide window measures topical
association: 上海's partners are 浦东 and 交易所. Words that can replace each other share their *immediate*
neighbours instead, and on the same side: what comes just before and just after a word carries its syntax
(Levy & Goldberg 2014 on narrow and syntactic contexts; Ling et al. 2015 on position-aware contexts). So a PMI
model also keeps a second table, built from the same token cache and vocabulary:

- directional counts ``X[w, c←]`` and ``X[w, →c]``: how often word ``c`` stands ``d ≤ window`` positions
  before (after) ``w`` on the same line, each occurrence weighted ``1/d``; a ``V × 2V`` matrix;
- its positive PMI with context smoothing on the context side,
  ``max(0, log X[w,c] − log X[w,·] − log P_cds(c))`` with ``P_cds(c) ∝ X[·,c]^cds`` (as ``wordvec.train.svd``);
- the rank-``dim`` truncated SVD ``U S Vᵀ`` of that matrix (``randomized_svd``), read as ``U S^eig`` with
  ``eig = 0``: every direction counts equally (Levy, Goldberg & Dagan 2015, §3.3).

``similar``'s default readout for such a model (``wordvec.query.methods``, "blend") is the cosine of the
concatenated unit rows ``[√(1−s)·u_pmi, √s·u_narrow]``, i.e. ``(1−s)·cos_pmi(centred) + s·cos_narrow``, with
``s`` the narrow share (0.5: the two tables count equally). ``related``, ``pmi``, keywords and sentence
similarity read the PMI vectors only. The table is stored in the model directory as ``extra_narrow.npy``;
its settings go to ``meta["narrow"]``. Measurements: docs/similar.md.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from wordvec.errors import InputError

if TYPE_CHECKING:
    import scipy.sparse as sp

EXTRA = "narrow"  # the name of the table among a model's extras
EIG = 0.0
CONTEXTS = "directional, 1/d"


def directional_counts(cache: Any, vocab: Any, window: int,
                       progress: Callable[[int, int], None] | None = None) -> sp.csr_matrix:
    """The ``V × 2V`` matrix of weighted left (columns ``0..V−1``) and right (``V..2V−1``) neighbours.

    ``cache``: a ``TokenCache``; ``vocab``: the model's vocabulary (tokens outside it are skipped, but keep
    their positions, so the distance between two kept words is their distance in the text); ``window``:
    the largest distance counted; an occurrence at distance ``d`` counts ``1/d``. Pairs never cross lines.
    """
    import scipy.sparse as sp

    index = vocab.index
    n = len(vocab)
    to_row = np.fromiter((index.get(w, -1) for w in cache.vocab.words), dtype=np.int64, count=len(cache.vocab))
    ids = to_row[np.asarray(cache.ids)]
    offsets = np.asarray(cache.line_offsets, dtype=np.int64)
    line = np.repeat(np.arange(len(offsets) - 1, dtype=np.int32), np.diff(offsets))
    keys, weights = [], []
    for d in range(1, int(window) + 1):
        here, before = ids[d:], ids[:-d]
        ok = (here >= 0) & (before >= 0) & (line[d:] == line[:-d])
        key, count = np.unique(here[ok] * n + before[ok], return_counts=True)
        keys.append(key)
        weights.append(count / d)
        if progress is not None:
            progress(d, int(window))
    del ids, line
    key, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    weight = np.bincount(inverse.ravel(), weights=np.concatenate(weights))
    left = sp.csr_matrix((weight, (key // n, key % n)), shape=(n, n))  # left[w, c]: c stands before w
    return sp.hstack([left, left.T.tocsr()], format="csr")


def narrow_table(cache: Any, vocab: Any, window: int, dim: int, cds: float = 0.75, eig: float = EIG,
                 seed: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """The narrow table of the module docstring for ``vocab`` from the tokens of ``cache``.

    ``window`` [2 in the trainer]: neighbours counted on each side; ``dim``: the table's width (at most
    ``V − 1``); ``cds`` [0.75] context smoothing; ``eig`` [0] singular-value weight; ``seed`` the SVD's
    random start; ``progress(done, total)`` over the distances counted.
    Returns ``(table V×dim float32, settings for meta)``; ``InputError`` when no pair is found.
    """
    import scipy.sparse as sp

    from wordvec.train.svd import randomized_svd

    t = time.perf_counter()
    counts = directional_counts(cache, vocab, window, progress)
    counted = time.perf_counter() - t
    if counts.nnz == 0:
        raise InputError("no co-occurring word pairs within narrow_window: use a larger corpus, "
                         "or narrow_window=0 for no narrow table",
                         params=("narrow_window",))
    t = time.perf_counter()
    coo = counts.tocoo()
    row_sum = np.asarray(counts.sum(axis=1)).ravel()
    smoothed = np.asarray(counts.sum(axis=0)).ravel() ** float(cds)
    smoothed /= smoothed.sum()
    value = np.log(coo.data) - np.log(row_sum[coo.row]) - np.log(smoothed[coo.col])  # log P(c|w) − log P_cds(c)
    keep = value > 0
    ppmi = sp.csr_matrix((value[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape)
    del coo, value, keep, counts
    width = max(1, min(int(dim), len(vocab) - 1))
    u, s = randomized_svd(ppmi, width, seed=seed)
    table = (u * s ** float(eig)).astype(np.float32)
    settings = dict(window=int(window), contexts=CONTEXTS, dim=int(table.shape[1]), cds=float(cds), eig=float(eig),
                    nonzero=int(ppmi.nnz), seconds={"count": round(counted, 3), "svd": round(time.perf_counter() - t, 3)})
    return table, settings


__all__ = ["narrow_table", "directional_counts", "EXTRA", "EIG"]
