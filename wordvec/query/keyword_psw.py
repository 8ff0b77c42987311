"""Keywords by p(s|w) that count the word itself and the words the model has never seen (issue 20; SPEC c.3).

SPEC c.3 ranks the words ``w`` of a text ``s`` by ``log p(s|w) − log p(s) = Σ_k PMI(w_k, w)``, the sum over the
tokens of ``s``. Written out, that sum has two parts, and this module scores both explicitly:

- **the word's own occurrences.** Given ``w``, each of its ``n_w`` occurrences in the text is certain, so each
  contributes ``log 1 − log P(w) = I(w)``, the word's self-information. This is the *prior* part,
  ``n_w · I(w)``. Rarity enters here, and only here (TF-IDF's ``tf × idf`` has the same shape, with document
  frequency in place of ``P(w)``).
- **the rest of the text.** The other tokens ``k`` contribute ``PMI(w_k, w) ≈ ⟨v_w, v_k⟩`` (minus the cds
  offsets). Naive Bayes treats them as independent evidence, but neighbouring words of one text are not: summed
  over a 200-token abstract, this *association* part outweighs everything else and ranks the words central to
  the topic first (issue 20). It is therefore averaged, ``A(w) = mean_k PMI(w_k, w)``, and weighted by
  ``association`` (default 1.0), so that the whole context counts as one observation.

The score is ``n_w · I(w) + association · n_w · A(w)``.

**Unknown words** take part. A token the model has never seen (fewer than ``min_count`` occurrences in the
training corpus) gets ``P(w) = ½ · c_min / T``, half the smallest count in the vocabulary, so its
self-information is larger than that of any known word; its association is 0 (no evidence either way).
Candidates must hold a letter or a Chinese character and, for unknown tokens, at least ``unknown_min_chars``
characters (default 2: single characters are segmenter leftovers).

**Compounds** (``compounds=True``): adjacent tokens whose PMI is at least ``compound_pmi`` are merged into one
candidate before scoring, as in new-word discovery by adjacent PMI (Su Jianlin, 【中文分词系列】2). The merged
term is scored as an unknown word unless the model knows it.
"""
from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np

from wordvec.errors import InputError
from wordvec.io.vectors import WordVectors
from wordvec.query.derived import derived

_WORDLIKE = re.compile(r"[A-Za-z\u3400-\u9fff\uf900-\ufaff]")


@dataclass
class KeywordDetail:
    """One ranked keyword and the parts of its score (``score = prior + association``)."""

    word: str
    score: float
    count: int  # occurrences in the text
    prior: float  # n_w · I(w): the word's own occurrences
    association: float  # association weight · n_w · mean PMI with the rest of the text
    unknown: bool  # not in the model's vocabulary
    compound: bool  # merged from adjacent tokens

    def as_dict(self) -> dict:
        """The fields as a JSON-ready dict."""
        return asdict(self)


def _pmi_row(emb: WordVectors, row: int, others: np.ndarray) -> np.ndarray:
    """``PMI(w, k)`` of row ``row`` with the rows ``others``: ``⟨v_w, v_k⟩`` minus the cds offsets."""
    vectors = emb.vectors
    values = np.asarray(vectors[others], dtype=np.float64) @ np.asarray(vectors[row], dtype=np.float64)
    offsets = derived(emb).pmi_offsets
    if offsets is not None:
        values = values - offsets[others] - offsets[row]
    return values


def _context_pmi_sums(emb: WordVectors, rows: np.ndarray) -> dict[int, float]:
    """For each distinct row ``w`` of ``rows``: ``Σ PMI(w_k, w)`` over the entries ``k`` of ``rows`` other than ``w``.

    PMI models: ``⟨v_w, Σ_k v_k⟩ − n_w ‖v_w‖²`` minus the cds offsets (SPEC c.3.2). Word2vec models: the
    exact ``Σ_k log p(w_k|w) − log P(w_k)`` through the Huffman tree (SPEC c.3.1).
    """
    if rows.size == 0:
        return {}
    from wordvec.query.scorers import CosineOnlyScorer, scorer_for

    scorer = scorer_for(emb)
    if isinstance(scorer, CosineOnlyScorer):  # word2vec vectors without HS weights: say so
        scorer.refuse("keywords")
    if not scorer.pmi_valued:
        from wordvec.word2vec.hs import hs_keywords  # lazy: numba only for word2vec models

        cand, sums = hs_keywords(emb, rows, include_self=False)
        cand_all, mult = np.unique(rows, return_counts=True)
        log_p = derived(emb).log_p.astype(np.float64)
        n_of = dict(zip(cand_all.tolist(), mult.tolist()))
        total = float(log_p[rows].sum())
        return {int(c): float(v) - (total - n_of[int(c)] * log_p[int(c)]) for c, v in zip(cand, sums)}
    cand, mult = np.unique(rows, return_counts=True)
    cvec = np.asarray(emb.vectors[cand], dtype=np.float64)
    context = cvec.T @ mult.astype(np.float64)
    sums = cvec @ context - mult * np.einsum("ij,ij->i", cvec, cvec)
    offsets = derived(emb).pmi_offsets
    if offsets is not None:
        n_ctx = float(rows.size) - mult
        sums = sums - n_ctx * offsets[cand] - (float(offsets[rows].sum()) - mult * offsets[cand])
    return dict(zip(cand.tolist(), sums.tolist()))


def merge_compounds(emb: WordVectors, tokens: Sequence[str], threshold: float, max_chars: int = 8) -> list[tuple[str, bool]]:
    """Merge runs of adjacent known tokens whose PMI is at least ``threshold`` into one term.

    Returns ``(term, merged)`` pairs in text order. A run stops at an unknown token, at a pair below the
    threshold, or when the term would exceed ``max_chars`` (default 8) characters.
    """
    index = emb.vocab.index
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(tokens):
        term, merged, j = tokens[i], False, i
        while j + 1 < len(tokens):
            a, b = index.get(tokens[j]), index.get(tokens[j + 1])
            if a is None or b is None or len(term) + len(tokens[j + 1]) > max_chars:
                break
            if float(_pmi_row(emb, a, np.array([b]))[0]) < threshold:
                break
            term, merged, j = term + tokens[j + 1], True, j + 1
        out.append((term, merged))
        i = j + 1
    return out


def psw_keywords(
    emb: WordVectors,
    tokens: Sequence[str],
    association: float = 1.0,
    unknown: bool = True,
    unknown_min_chars: int = 2,
    compounds: bool = False,
    compound_pmi: float = 4.0,
) -> list[KeywordDetail]:
    """All candidate words of ``tokens``, best first, with the parts of their p(s|w) score (module docstring).

    ``association`` (default 1.0) weighs the mean PMI with the rest of the text; 0 ranks by the prior alone.
    ``unknown`` (default True) lets out-of-vocabulary tokens take part; ``unknown_min_chars`` (default 2) is
    the shortest unknown token kept. ``compounds`` (default False) merges adjacent tokens whose PMI is at
    least ``compound_pmi`` (default 4.0). Ties go to the earlier word of the text.
    """
    if association < 0 or not math.isfinite(association):
        raise InputError(f"association must be a finite number ≥ 0, got {association}", params=("association",))
    if unknown_min_chars < 1:
        raise InputError(f"unknown_min_chars must be ≥ 1, got {unknown_min_chars}")
    index = emb.vocab.index
    if compounds:
        terms = merge_compounds(emb, tokens, float(compound_pmi))
    else:
        terms = [(tok, False) for tok in tokens]
    counts = np.asarray(emb.counts, dtype=np.float64)
    if counts.size == 0 or not np.any(counts > 0):
        raise InputError("this model has no word counts, which the p(s|w) keywords need; "
                         "use method='pmi-sum' for vectors without counts", params=("method",))
    total = float(emb.total_tokens or counts.sum())
    log_p = np.log(np.maximum(counts, 0.5)) - math.log(total)  # DECISIONS 1, in float64
    log_p_unknown = math.log(0.5 * float(counts[counts > 0].min())) - math.log(total)

    rows = np.array([index.get(term, -1) for term, _ in terms], dtype=np.int64)
    known_rows = rows[rows >= 0]
    pmi_sums = _context_pmi_sums(emb, known_rows) if association > 0 else {}
    seen: dict[str, int] = {}
    order: list[tuple[str, bool, int]] = []
    for (term, merged), row in zip(terms, rows):
        if term in seen:
            seen[term] += 1
            continue
        seen[term] = 1
        order.append((term, merged, int(row)))

    details: list[KeywordDetail] = []
    for term, merged, row in order:
        if not _WORDLIKE.search(term):
            continue
        n = seen[term]
        if row < 0:
            if not unknown or len(term) < unknown_min_chars:
                continue
            prior = -n * log_p_unknown
            details.append(KeywordDetail(term, prior, n, prior, 0.0, True, merged))
            continue
        n_ctx = int(known_rows.size) - n
        assoc = 0.0
        if n_ctx > 0 and association > 0:
            assoc = association * n * pmi_sums[row] / n_ctx
        prior = -n * float(log_p[row])
        details.append(KeywordDetail(term, prior + assoc, n, prior, assoc, False, merged))
    details.sort(key=lambda d: -d.score)  # stable: ties keep text order
    return details


__all__ = ["KeywordDetail", "merge_compounds", "psw_keywords"]
