"""The narrow-window table behind ``similar`` (issue 12): substitutes share their nearest neighbours.

The PMI model is fitted to counts over a window of 10 words each side. Such a wide window measures topical
association: 上海's partners are 浦东 and 交易所. Words that can replace each other share their *immediate*
neighbours instead: the words one or two positions away, which carry the syntax (Levy & Goldberg 2014 on
narrow contexts; Levy, Goldberg & Dagan 2015, §3 and table 5, on window size and similarity). So a PMI model
also keeps a second, narrow table: the PPMI-SVD factors (``wordvec.train.svd.ppmi_factors``) of the counts
over ``window`` words each side, with the same vocabulary, counted from the same token cache. The counts are
distance-weighted (a word d positions away counts 1/d), so the adjacent words weigh most, and the factors
are read with eigenvalue weight 0 (``U``: every direction equal, Levy, Goldberg & Dagan 2015, §3.3).

``similar``'s default readout for such a model (``wordvec.query.methods``, "blend") is the cosine of the
concatenated unit rows ``[√(1−s)·u_pmi, √s·u_narrow]``, i.e. ``(1−s)·cos_pmi(centred) + s·cos_narrow``,
with ``s`` the narrow share. ``related``, ``pmi``, keywords and sentence similarity read the PMI vectors only.
The table is stored in the model directory as ``extra_narrow.npy``; its settings go to ``meta["narrow"]``.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Mapping

import numpy as np

from wordvec.errors import InputError

EXTRA = "narrow"  # the name of the table among a model's extras
SOLVER = "randomized"  # same similarity scores as ARPACK at a fraction of the time (docs/similar.md)
# measured on pd1998 and zh_small (docs/similar.md): 1/d weights and eig 0 raise POS agreement and the
# similarity sets together over unweighted counts read as U S^0.5
DISTANCE_WEIGHTING = True
EIG = 0.0


def narrow_table(cache: Any, counting: Mapping[str, Any], vocab: Any, window: int, dim: int, cds: float = 0.75,
                 eig: float = EIG, seed: int | None = None, cache_dir: str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """Count ``cache`` (a ``TokenCache``) over ``window`` words each side and factorise its PPMI matrix.

    ``counting``: the other counting options of the wide table (min_count, max_vocab, memory), so that the
    vocabulary is the same (the narrow counts are always distance-weighted); ``vocab``: the wide table's vocabulary, checked against the
    narrow one. ``dim``, ``cds``, ``eig`` [0.5] and ``seed`` as ``ppmi_factors``; ``cache_dir`` where counts
    are cached; ``progress(done, total)`` while counting.
    Returns ``(table V×dim float32, settings for meta)``.
    """
    from wordvec.corpora.pipeline import count_cached
    from wordvec.train.svd import ppmi_factors

    t = time.perf_counter()
    options = {k: v for k, v in counting.items() if k in ("min_count", "max_vocab", "memory")}
    counts = count_cached(cache, window=int(window), distance_weighting=DISTANCE_WEIGHTING, cache_dir=cache_dir,
                          progress=progress, **options)
    counted = time.perf_counter() - t
    if list(counts.vocab.words) != list(vocab.words):
        raise InputError("the narrow-window counts have a different vocabulary from the wide ones: count again, "
                         "or train with narrow_window=0", params=("narrow_window",))
    t = time.perf_counter()
    table, singular, residual, _ = ppmi_factors(counts, min(int(dim), len(vocab) - 1), cds, eig, seed,
                                                 solver=SOLVER)
    settings = dict(window=int(window), distance_weighting=DISTANCE_WEIGHTING, dim=int(table.shape[1]),
                    cds=float(cds), eig=float(eig),
                    nonzero_counts=int(counts.matrix.nnz), residual=round(float(residual), 6),
                    seconds={"count": round(counted, 3), "svd": round(time.perf_counter() - t, 3)})
    return table, settings


__all__ = ["narrow_table", "EXTRA"]
