"""The named similarity readouts: one function per name for neighbours, pair scores and analogy tables (issue 12).

``similar --method NAME``, ``Embedding.most_similar(method=NAME)``, ``Embedding.similarity(a, b, method=NAME)``
and ``evaluate --similarity NAME`` all resolve NAME here, so an evaluation scores exactly what the query ranks by.

- ``cosine``: cosine of the vectors as trained (SPEC c.2.1; gensim's ``most_similar``).
- ``centred``: cosine after removing the mean vector (Mu & Viswanath 2018 with no direction removed).
- ``abtt``: "all-but-the-top": mean and the top ``ABTT_REMOVE`` principal directions removed.
- ``whiten`` / ``half-whiten``: eigenvalue weight p = 0 / 0.25 instead of the trained 0.5 (Levy, Goldberg &
  Dagan 2015), centred; see ``wordvec.query.readouts``.
- ``profile``: Pearson correlation of PMI profiles over the top N context words (SPEC c.2.3; PMI models).
- ``narrow``: cosine on the model's narrow-window table (``wordvec.train.narrow``; PMI models trained from text).
- ``blend``: ``(1 − s)·centred + s·narrow`` with the model's narrow share s (``meta["narrow"]["share"]``): the
  cosine of the concatenated, weighted unit rows of the two tables (issue 12: substitutes).
- ``related`` (pair scores and evaluation only): the relatedness score of ``wordvec related``, raw PMI for
  PMI models, ``log p(y|x) − α log #y`` for word2vec (SPEC c.1).
- ``default``: for PMI models (``kind == "pmi"``) ``blend`` when the model has a narrow table, else
  ``DEFAULT_PMI_METHOD``; ``cosine`` for every other kind, so gensim-trained and external vectors keep
  gensim's semantics.

Every readout except ``related`` is a cosine on a table of unit rows (``unit_table``); the spectral tables are
built once per embedding and kept in its ``Derived`` state.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from wordvec.errors import InputError
from wordvec.io.vectors import WordVectors
from wordvec.query.derived import derived
from wordvec.query.readouts import ReadoutSettings, SpectralReadout, unit_rows_into
from wordvec.train.narrow import EXTRA as NARROW

ABTT_REMOVE = 2
SPECTRAL = {
    "centred": ReadoutSettings(power=0.5, remove=0, centre=True),
    "abtt": ReadoutSettings(power=0.5, remove=ABTT_REMOVE, centre=True),
    "whiten": ReadoutSettings(power=0.0, remove=0, centre=True),
    "half-whiten": ReadoutSettings(power=0.25, remove=0, centre=True),
}
NEIGHBOUR_METHODS = ("default", "cosine", *SPECTRAL, "narrow", "blend", "profile")
PAIR_METHODS = NEIGHBOUR_METHODS + ("related",)
DEFAULT_PMI_METHOD = "centred"  # issue 12: bench/similarity.py; README "Which command for which question"


def resolve(emb: WordVectors, method: str, pairs: bool = False) -> str:
    """The concrete readout name of ``method`` for ``emb`` (``default`` resolved by model kind).

    ``pairs``: also accept ``related`` (pair scores and evaluation). Unknown names are a one-line ``InputError``.
    """
    allowed = PAIR_METHODS if pairs else NEIGHBOUR_METHODS
    if method not in allowed:
        raise InputError(f"unknown similarity method {method!r}: use one of {', '.join(allowed)}")
    if method == "default":
        if emb.kind != "pmi":
            return "cosine"
        return "blend" if has_narrow(emb) else DEFAULT_PMI_METHOD
    if method in ("narrow", "blend") and not has_narrow(emb):
        raise InputError(f"method {method!r} needs the model's narrow-window table, which this model does not have: "
                         "train from the text with narrow_window 2 (the default), or use method 'centred'",
                         params=("method",))
    return method


def has_narrow(emb: WordVectors) -> bool:
    """True if ``emb`` carries a narrow-window table (``wordvec.train.narrow``) of its own shape."""
    table = emb.extras.get(NARROW)
    return table is not None and getattr(table, "ndim", 0) == 2 and table.shape[0] == len(emb)


def narrow_share(emb: WordVectors) -> float:
    """The narrow table's share s of the ``blend`` readout, from the model's meta (0.5 when missing)."""
    value = (emb.meta.get("narrow") or {}).get("share", 0.5)
    return float(value) if isinstance(value, (int, float)) and 0.0 <= value <= 1.0 else 0.5


def _unit_rows(table: np.ndarray) -> np.ndarray:
    """The rows of ``table`` scaled to unit length, in float32 (a zero row stays zero)."""
    out = np.empty(np.shape(table), dtype=np.float32)
    unit_rows_into(table, out)
    return out


def _blend_table(emb: WordVectors) -> np.ndarray:
    """``[√(1−s)·centred, √s·narrow]``, written part by part into one float32 table: a row is a unit vector
    unless one of its parts is 0, and only such rows are rescaled."""
    s = narrow_share(emb)
    readout = spectral_readout(emb, "centred")
    narrow = emb.extras[NARROW]
    d = emb.shape[1]
    out = np.empty((emb.shape[0], d + narrow.shape[1]), dtype=np.float32)
    pmi_zero = readout.unit_rows_into(out[:, :d], np.sqrt(1.0 - s))
    narrow_zero = unit_rows_into(narrow, out[:, d:], np.sqrt(s))
    square = np.where(pmi_zero, 0.0, 1.0 - s) + np.where(narrow_zero, 0.0, s)  # squared norm of each row
    partial = np.flatnonzero((square > 0) & (pmi_zero ^ narrow_zero))
    if len(partial):
        out[partial] /= np.sqrt(square[partial])[:, None].astype(np.float32)
    return out


def spectral_readout(emb: WordVectors, name: str) -> SpectralReadout:
    """The ``SpectralReadout`` of the named spectral method, built once per embedding."""
    return derived(emb).readout(name, lambda: SpectralReadout(np.asarray(emb.vectors), SPECTRAL[name]))


def unit_table(emb: WordVectors, method: str, context_words: int = 10_000) -> np.ndarray:
    """Unit rows whose dot products are the similarity ``method`` (any name but ``related``)."""
    method = resolve(emb, method)
    if method == "cosine":
        return emb.unit_vectors
    if method == "narrow":
        return derived(emb).readout("narrow", lambda: _unit_rows(emb.extras[NARROW]))
    if method == "blend":
        return derived(emb).readout("blend", lambda: _blend_table(emb))
    if method == "profile":
        from wordvec.query.profile import transform_for

        transform = transform_for(emb, context_words)

        def build() -> np.ndarray:
            eigval, eigvec = np.linalg.eigh(transform.scatter)
            root = eigvec * np.sqrt(np.maximum(eigval, 0.0))  # root rootᵀ = C: cosine = profile correlation
            table = np.asarray(emb.vectors, dtype=np.float64) @ root
            norms = np.linalg.norm(table, axis=1, keepdims=True)
            out = np.divide(table, norms, out=np.zeros_like(table), where=norms > 0)
            return out.astype(transform.dtype)

        return derived(emb).readout(f"profile-table-{transform.n_context}", build)
    return spectral_readout(emb, method).unit


def most_similar(emb: WordVectors, positive: Any = (), negative: Any = (), topn: int = 10,
                 restrict_vocab: int | None = None, method: str = "default",
                 context_words: int = 10_000) -> list[tuple[str, float]]:
    """Neighbours by the readout ``method`` (see the module docstring), gensim ``most_similar`` semantics.

    ``positive``/``negative``: a word, a vector or a list of them (vectors are raw vectors of the model, read
    through the same transform); ``topn`` (10); ``restrict_vocab`` rank only the first N words; ``context_words``
    N of the profile method (10,000). Input words are excluded.
    """
    from wordvec.query.similarity import _clip, as_list, most_similar as cosine_neighbours, rank_dot

    name = resolve(emb, method)
    if name == "cosine":
        return cosine_neighbours(emb, positive, negative, topn, restrict_vocab)
    if name == "profile":
        from wordvec.query.profile import most_similar_profile

        return most_similar_profile(emb, positive, negative, topn, restrict_vocab, context_words)
    positive, negative = as_list(positive), as_list(negative)
    if not positive and not negative:
        raise InputError("most_similar needs at least one word")
    table = unit_table(emb, name)
    query = np.zeros(table.shape[1], dtype=np.float64)
    rows: list[int] = []
    for sign, items in ((1.0, positive), (-1.0, negative)):
        for item in items:
            if isinstance(item, np.ndarray):
                vec = np.asarray(item, dtype=np.float64)
                if vec.shape != (emb.shape[1],):
                    raise InputError(f"a query vector must have shape ({emb.shape[1]},), not {vec.shape}")
                query += sign * _vector_query(emb, name, vec, table.shape[1])
            else:
                rows.append(emb.index(item))
                query += sign * table[rows[-1]].astype(np.float64)
    query /= len(positive) + len(negative)
    norm = np.linalg.norm(query)
    if norm > 0:
        query /= norm
    clip = _clip(emb, restrict_vocab)
    return rank_dot(emb, table[:clip], query, topn, rows)


def _vector_query(emb: WordVectors, name: str, vec: np.ndarray, width: int) -> np.ndarray:
    """A raw model vector read through readout ``name``: spectral readouts transform it; ``blend`` fills the
    PMI part only (a raw vector has no narrow-table row); ``narrow`` cannot read a raw vector."""
    if name in SPECTRAL:
        return spectral_readout(emb, name).unit_vector(vec)
    if name == "blend":
        out = np.zeros(width, dtype=np.float64)
        part = spectral_readout(emb, "centred").unit_vector(vec)
        out[:len(part)] = part
        return out
    raise InputError(f"method {name!r} ranks by the narrow table, which raw vectors are not in: query with words, "
                     "or use method 'blend' or 'centred'", params=("method",))


def pair_scorer(emb: WordVectors, method: str = "default", context_words: int = 10_000) -> Callable[[int, int], float]:
    """``score(i, j)`` of rows ``i, j`` under ``method`` (``related`` included), in float64.

    Equal (to float rounding) to the score ``most_similar``/``most_related`` give row ``j`` for query row ``i``.
    """
    name = resolve(emb, method, pairs=True)
    if name == "related":
        from wordvec.query.scorers import scorer_for

        scorer = scorer_for(emb)
        if scorer.pmi_valued:
            vectors = emb.vectors

            def related(i: int, j: int) -> float:
                bias = scorer.related_bias(emb, i, None)
                value = float(np.dot(vectors[i].astype(np.float64), vectors[j].astype(np.float64)))
                return value if bias is None else value + float(bias[j])

            return related
        cache: dict[int, np.ndarray] = {}

        def related_hs(i: int, j: int) -> float:
            if i not in cache:
                cache.clear()
                cache[i] = scorer.related_scores(emb, i, False, None)
            return float(cache[i][j])

        return related_hs
    if name == "profile":
        from wordvec.query.profile import transform_for

        transform = transform_for(emb, context_words)
        vectors = emb.vectors
        return lambda i, j: transform.pair(vectors[i], vectors[j])
    table = unit_table(emb, name)
    return lambda i, j: float(np.dot(table[i].astype(np.float64), table[j].astype(np.float64)))


def similarity(emb: WordVectors, a: str, b: str, method: str = "default", context_words: int = 10_000) -> float:
    """The similarity of words ``a`` and ``b`` under ``method`` (see ``pair_scorer``)."""
    return pair_scorer(emb, method, context_words)(emb.index(a), emb.index(b))


__all__ = ["most_similar", "pair_scorer", "similarity", "unit_table", "resolve", "spectral_readout", "has_narrow",
           "narrow_share",
           "NEIGHBOUR_METHODS", "PAIR_METHODS", "DEFAULT_PMI_METHOD", "SPECTRAL", "ABTT_REMOVE"]
