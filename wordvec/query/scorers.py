"""The scorer of a model kind: how relatedness, keywords and predictions are computed from its tables.

Picked once per table by ``scorer_for`` (kept in ``wordvec.query.derived``):
- ``PMIScorer`` for tables whose inner products estimate PMI (``pmi``, ``svd`` and external vectors): the
  formulas of SPEC c.1.1–c.1.2, c.3.2 and c.8 on ``⟨v_x, v_y⟩``, with the cds offsets of
  ``Derived.pmi_offsets`` subtracted where a PMI value is meant;
- ``HSScorer`` for skip-gram models with hierarchical softmax (``w2v``): exact ``log p(o|i)`` through the
  Huffman tree (SPEC c.1.3, c.3.1, c.7, c.8; ``wordvec.word2vec.hs``).
The public query functions (``wordvec.query.relatedness``, ``wordvec.query.keywords``) call these.
"""
from __future__ import annotations

import numpy as np

from wordvec.errors import InputError, WordvecError
from wordvec.io.vectors import WordVectors
from wordvec.query.derived import derived
from wordvec.query.similarity import rank_dot, ranked

W2V_DEFAULT_ALPHA = 0.9  # SPEC c.1.2: "a constant slightly below 1"
COSINE_ONLY_KINDS = ("w2v-ns", "w2v-vectors")  # word2vec vectors without hierarchical-softmax weights


class PMIScorer:
    """Readouts of a table whose inner products are PMI estimates (SPEC b.1)."""

    pmi_valued = True

    def related_bias(self, emb: WordVectors, row: int, alpha: float | None) -> np.ndarray | None:
        """Per-row additive term of relatedness. ``alpha`` None (the default ranking): none, so the score is
        the model's inner product, the context-smoothed PMI ``log p(x,y) / (P_c(x) P_c(y))`` of a cds model
        (issue 12; Levy, Goldberg & Dagan 2015 §3.1 on smoothing against PMI's bias to rare words). ``alpha``
        given: ``−δ_x − δ_y`` (cds models: plain PMI) ``+ (1 − α) log P(y)`` (SPEC c.1.2)."""
        if alpha is None:
            return None
        state = derived(emb)
        offsets = state.pmi_offsets
        bias = state.alpha_bias(float(alpha))  # SPEC c.1.2
        if offsets is not None:
            bias = bias - offsets - offsets[row]
        return bias

    def related_scores(self, emb: WordVectors, row: int, normalize: bool, alpha: float | None) -> np.ndarray:
        """Relatedness of row ``row`` to every row: raw PMI, cosine (``normalize``) or the α-variant."""
        if normalize:
            if alpha is not None:
                raise InputError("choose either normalize (cosine) or alpha, not both")
            unit = emb.unit_vectors
            return unit @ unit[row]  # SPEC c.1.1 eq. 30
        vec = emb.vectors
        scores = vec @ vec[row]  # SPEC c.1.1: PMI(x, y) ≈ ⟨v_x, v_y⟩
        bias = self.related_bias(emb, row, alpha)
        return scores if bias is None else scores + bias

    def most_related(self, emb: WordVectors, row: int, topn: int, normalize: bool, alpha: float | None,
                     exclude: list[int]) -> list[tuple[str, float]]:
        """The ``topn`` best rows by relatedness to ``row``, in one fused pass where possible."""
        if normalize and alpha is not None:
            raise InputError("choose either normalize (cosine) or alpha, not both")
        table = emb.unit_vectors if normalize else emb.vectors
        bias = None if normalize else self.related_bias(emb, row, alpha)
        return rank_dot(emb, table, table[row], topn, exclude, bias=bias, source="unit" if normalize else "raw")

    def keyword_scores(self, emb: WordVectors, ids: list[int], normalize: bool, exclude_self: bool,
                       unique_context: bool) -> tuple[np.ndarray, np.ndarray]:
        """Candidates (distinct rows of ``ids``) and their ``log p(s|w)`` up to a constant (SPEC c.3.2),
        best first."""
        cand, mult = np.unique(np.asarray(ids, dtype=np.int64), return_counts=True)
        cvec = np.asarray(emb.vectors[cand], dtype=np.float64)
        if unique_context:
            s = cvec.sum(axis=0)
            mult = np.ones_like(mult)
        else:
            s = cvec.T @ mult.astype(np.float64)  # SPEC c.3.2: s = Σ_k v_{w_k}, repeats included
        scores = cvec @ s  # ⟨v_w, s⟩
        sq = np.einsum("ij,ij->i", cvec, cvec)
        if exclude_self:
            scores = scores - mult * sq  # drop the self term n_w ‖v_w‖²
        offsets = derived(emb).pmi_offsets
        if offsets is not None and not normalize:
            # cds model: Σ_k PMI(w_k, w) = Σ_k (⟨v_k, v_w⟩ − δ_k − δ_w) over the context tokens
            delta = offsets[cand]
            n_ctx = float(mult.sum())
            d_ctx = float(delta @ mult)
            scores = scores - n_ctx * delta - d_ctx
            if exclude_self:
                scores = scores + 2 * mult * delta
        if normalize:
            s_sq = float(s @ s)
            if exclude_self:
                ctx_sq = s_sq - 2 * mult * (cvec @ s) + mult**2 * sq  # ‖s − n_w v_w‖²
            else:
                ctx_sq = np.full_like(sq, s_sq)
            den = np.sqrt(np.maximum(sq, 0)) * np.sqrt(np.maximum(ctx_sq, 0))
            scores = np.divide(scores, den, out=np.zeros_like(scores), where=den > 1e-300)
        order = np.lexsort((cand, -scores))  # best first, ties by row (frequency)
        return cand[order], scores[order]

    def predict(self, emb: WordVectors, ids: list[int], topn: int, exclude: list[int]) -> list[tuple[str, float]]:
        """Rows most likely to occur with all of ``ids``: ``⟨v_w, Σ_c v_c⟩ + log P(w)`` (SPEC c.8)."""
        state = derived(emb)
        s = np.asarray(emb.vectors[ids], dtype=np.float64).sum(axis=0)
        # cds models: Σ_c PMI(w, c) = ⟨v_w, s⟩ − n δ_w − Σ_c δ_c
        bias = state.log_p.astype(np.float64)
        offsets = state.pmi_offsets
        if offsets is not None:
            bias = bias - len(ids) * offsets - float(offsets[ids].sum())
        return rank_dot(emb, emb.vectors, s, topn, exclude, bias=bias, source="raw")


class HSScorer:
    """Readouts of a skip-gram model with hierarchical softmax, exact through its Huffman tree (SPEC c.7)."""

    pmi_valued = False

    def related_scores(self, emb: WordVectors, row: int, normalize: bool, alpha: float | None) -> np.ndarray:
        """``log p(y|x) − α log #y`` for every row (SPEC c.1.3; α defaults to 0.9)."""
        if normalize:
            raise InputError("normalize applies to PMI models; for word2vec use cosine 'similar' instead",
                             params=("normalize",))
        from wordvec.io.atomic import sigint_held

        with sigint_held():  # lazy: numba only when needed, its import not broken by Ctrl-C
            from wordvec.word2vec.hs import hs_related

        return np.asarray(hs_related(emb, row, W2V_DEFAULT_ALPHA if alpha is None else float(alpha)))

    def most_related(self, emb: WordVectors, row: int, topn: int, normalize: bool, alpha: float | None,
                     exclude: list[int]) -> list[tuple[str, float]]:
        """The ``topn`` best rows by ``related_scores``."""
        return ranked(emb, self.related_scores(emb, row, normalize, alpha), topn, exclude)

    def keyword_scores(self, emb: WordVectors, ids: list[int], normalize: bool, exclude_self: bool,
                       unique_context: bool) -> tuple[np.ndarray, np.ndarray]:
        """Candidates and the exact ``Σ_k log p(w_k|w)`` (SPEC c.3.1), best first."""
        if normalize:
            raise InputError("normalize applies to PMI models; word2vec keywords are the exact log p(s|w)",
                             params=("normalize",))
        from wordvec.word2vec.hs import hs_keywords  # lazy

        token_ids = np.asarray(ids, dtype=np.int64)
        # exclude_self drops the u = w terms, unique_context counts every word once
        if exclude_self or unique_context:
            return hs_keywords(emb, token_ids, include_self=not exclude_self, unique=unique_context)
        return hs_keywords(emb, token_ids)

    def predict(self, emb: WordVectors, ids: list[int], topn: int, exclude: list[int]) -> list[tuple[str, float]]:
        """``Σ_c log p(w|c) − (n−1) log p(w)``, exact from the Huffman paths (SPEC c.8)."""
        from wordvec.word2vec.hs import hs_predict  # lazy

        order, values = hs_predict(emb, np.asarray(ids, dtype=np.int64), topn=0)
        scores = np.empty(len(emb), dtype=np.float64)
        scores[np.asarray(order, dtype=np.int64)] = values
        return ranked(emb, scores, topn, exclude)


class CosineOnlyScorer:
    """Word2vec vectors without HS weights: a model trained with negative sampling only (``kind="w2v-ns"``,
    gensim's default) or a word2vec model's vectors exported to a file (``kind="w2v-vectors"``). They answer
    cosine queries, but neither estimate PMI nor carry the HS weights of ``HSScorer``; every readout here
    raises a one-line error that says so and what to do."""

    pmi_valued = False

    def __init__(self, kind: str = "w2v-ns"):
        self.kind = kind

    def refuse(self, what: str):
        emb_kind = self.kind
        if emb_kind == "w2v-vectors":
            raise WordvecError(
                f"{what} needs the hierarchical-softmax weights of the word2vec model, which a vector file cannot "
                "hold: query the model directory instead, or use cosine 'similar' or 'analogy' on this file"
            )
        raise WordvecError(
            f"{what} needs hierarchical-softmax weights, and this word2vec model was trained with negative "
            "sampling only (hs=0): use cosine 'similar' or 'analogy', or train the model with hs=1 "
            "(gensim Word2Vec(hs=1, negative=0), or method w2v)", params=("method",)
        )

    def related_scores(self, emb: WordVectors, row: int, normalize: bool, alpha: float | None) -> np.ndarray:
        """Refused (see the class docstring)."""
        self.refuse("relatedness")

    def most_related(self, emb: WordVectors, row: int, topn: int, normalize: bool, alpha: float | None,
                     exclude: list[int]) -> list[tuple[str, float]]:
        """Refused (see the class docstring)."""
        self.refuse("relatedness")

    def keyword_scores(self, emb: WordVectors, ids: list[int], normalize: bool, exclude_self: bool,
                       unique_context: bool) -> tuple[np.ndarray, np.ndarray]:
        """Refused (see the class docstring)."""
        self.refuse("keywords")

    def predict(self, emb: WordVectors, ids: list[int], topn: int, exclude: list[int]) -> list[tuple[str, float]]:
        """Refused (see the class docstring)."""
        self.refuse("predict")


def scorer_for(emb: WordVectors) -> PMIScorer | HSScorer | CosineOnlyScorer:
    """The scorer of ``emb``'s model kind, picked once and kept with its derived state."""
    state = derived(emb)
    if state.scorer is None:
        kind = emb.kind
        if kind == "w2v":
            state.scorer = HSScorer()
        elif kind in COSINE_ONLY_KINDS:
            state.scorer = CosineOnlyScorer(kind)
        else:
            state.scorer = PMIScorer()
    return state.scorer


def require_pmi(emb: WordVectors, what: str) -> None:
    """Raise a one-line error when the inner products of ``emb`` are not PMI (``what`` names the query)."""
    if not scorer_for(emb).pmi_valued:
        raise WordvecError(
            f"{what} needs a PMI model (this is a word2vec model, whose vectors are not PMI); "
            "use cosine similarity (method cosine) instead", params=("method",)
        )


__all__ = ["PMIScorer", "HSScorer", "CosineOnlyScorer", "scorer_for", "require_pmi", "W2V_DEFAULT_ALPHA"]
