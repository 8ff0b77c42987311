"""``Embedding``: word vectors (``wordvec.io.vectors.WordVectors``) and the queries on them.

Loadable without the trainer (``Embedding.load``), dict-like in the manner of gensim's ``KeyedVectors``.
The readouts live in the modules of this room (similarity, relatedness, profile, keywords); what they derive
from the vectors (unit rows, norms, log P(w), int8 copies, profile transforms) is kept in one
``Derived`` object per embedding, and the scorer for the model kind (PMI or hierarchical softmax) is picked
once (``wordvec.query.scorers``).
"""
from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from wordvec.errors import InputError
from wordvec.io.vectors import WordVectors
from wordvec.io.vocab import Vocabulary
from wordvec.query.derived import Derived, derived


class Embedding(WordVectors):
    """Word vectors with their vocabulary, counts and metadata, and the queries of SPEC c.

    Parameters: as ``WordVectors`` — ``vectors`` (V×d), ``vocab`` (a ``Vocabulary`` or a list of words),
    ``meta`` and ``extras``; or a single ``WordVectors`` (what a trainer's ``embedding_`` holds), e.g.
    ``Embedding(PMITrainer().fit(counts).embedding_)``.
    """

    def __init__(
        self,
        vectors: np.ndarray | WordVectors,
        vocab: Vocabulary | Sequence[str] | None = None,
        meta: dict[str, Any] | None = None,
        extras: dict[str, np.ndarray] | None = None,
    ):
        if isinstance(vectors, WordVectors):
            if vocab is not None or meta is not None or extras is not None:
                raise InputError("give either a WordVectors or vectors with their vocabulary, not both")
            vectors, vocab, meta, extras = vectors.vectors, vectors.vocab, vectors.meta, vectors.extras
        elif vocab is None:
            raise InputError("Embedding needs the words of the rows: Embedding(vectors, words)")
        super().__init__(vectors, vocab, meta, extras)

    @property
    def derived(self) -> Derived:
        """What the queries derive from the vectors, computed on first use (``wordvec.query.derived``)."""
        return derived(self)

    @classmethod
    def load(cls, path: str | os.PathLike, mmap: bool = False) -> "Embedding":
        """Load a model directory (``mmap=True``: arrays memory-mapped read-only) or a word2vec/GloVe file
        (``kind="external"``, no counts); see ``WordVectors.load``."""
        if os.path.isfile(path):
            from wordvec.io.formats import load_vectors  # lazy: only for vector files

            return cls(load_vectors(os.fspath(path)))
        emb = cls(WordVectors.load(path, mmap=mmap))
        emb.model_path = os.fspath(path)  # where an approximate index (wordvec.query.ann) is looked for
        return emb

    # --- similarity (SPEC c.2, c.5; wordvec.query.similarity, wordvec.query.profile) ---------------------------
    def most_similar(
        self,
        positive: Any = (),
        negative: Any = (),
        topn: int = 10,
        restrict_vocab: int | None = None,
        method: str = "cosine",
        context_words: int = 10_000,
        approximate: bool = False,
        indexer: Any = None,
    ) -> list[tuple[str, float]]:
        """Most similar (substitutable) words, gensim ``most_similar`` semantics (inputs excluded).

        ``positive``/``negative``: a word, a vector or a list of them. ``method="cosine"`` (default): cosine
        of the mean of unit vectors (SPEC c.2.1). ``method="profile"`` (PMI models): Pearson correlation of
        PMI profiles over the ``context_words`` most frequent words (SPEC c.2.3, DECISIONS 5; the mean is
        taken over vectors scaled to unit profile norm). ``restrict_vocab``: rank only the first N words.
        ``approximate=True`` (cosine): use the model directory's index (``wordvec index MODEL``, needs
        faiss-cpu); ``indexer``: any object with gensim's ``most_similar(vector, num_neighbors)``. Big
        memory-mapped tables are searched exactly in row blocks (``wordvec.query.bigsearch``).
        """
        if method == "cosine" and (approximate or indexer is not None or _blocked(self)):
            from wordvec.query.bigsearch import most_similar_big

            if approximate and indexer is None:
                from wordvec.query.ann import index_for

                indexer = index_for(self)
            return most_similar_big(self, positive, negative, topn, restrict_vocab, approximate, indexer)
        if approximate or indexer is not None:
            raise InputError("approximate search is for method='cosine'")
        if method == "cosine":
            from wordvec.query.similarity import most_similar

            return most_similar(self, positive, negative, topn, restrict_vocab)
        if method == "profile":
            from wordvec.query.profile import most_similar_profile

            return most_similar_profile(self, positive, negative, topn, restrict_vocab, context_words)
        raise InputError(f"unknown similarity method {method!r}: use 'cosine' or 'profile'")

    def most_similar_batch(self, words: Sequence[str], topn: int = 10) -> list[list[tuple[str, float]]]:
        """Cosine neighbours of each of ``words`` at once (blocked matrix products; ``wordvec.query.bigsearch``)."""
        from wordvec.query.bigsearch import most_similar_batch

        return most_similar_batch(self, words, topn)

    def most_similar_cosmul(self, positive: Any = (), negative: Any = (), topn: int = 10,
                            restrict_vocab: int | None = None) -> list[tuple[str, float]]:
        """3CosMul neighbours, as gensim's ``most_similar_cosmul`` (see ``wordvec.query.similarity``)."""
        from wordvec.query.similarity import most_similar_cosmul

        return most_similar_cosmul(self, positive, negative, topn, restrict_vocab)

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two words (SPEC c.2.1)."""
        from wordvec.query.similarity import similarity

        return similarity(self, a, b)

    def profile_similarity(self, a: str, b: str, context_words: int = 10_000) -> float:
        """Pearson correlation of the PMI profiles of ``a`` and ``b`` over the top ``context_words`` words
        (SPEC c.2.3; PMI models only)."""
        from wordvec.query.profile import profile_similarity

        return profile_similarity(self, a, b, context_words)

    def analogy(self, a: str, b: str, c: str | None = None, topn: int = 10, method: str = "add",
                exclude_inputs: bool = True) -> list[tuple[str, float]]:
        """Analogy ``v_a + v_b − v_c`` ranked by cosine (``method="add"``) or 3CosMul (``"mul"``); SPEC c.5."""
        from wordvec.query.similarity import analogy

        return analogy(self, a, b, c, topn, method, exclude_inputs)

    # --- relatedness, PMI, norms (SPEC c.1, c.6; wordvec.query.relatedness) -------------------------------
    def most_related(self, word: str, topn: int = 10, normalize: bool = False, alpha: float | None = None,
                     include_self: bool = False) -> list[tuple[str, float]]:
        """Most related (co-occurring) words: raw PMI, cosine (``normalize``) or the α-variant (SPEC c.1;
        DECISIONS 7). The query word is left out unless ``include_self``. See ``wordvec.query.relatedness``."""
        from wordvec.query.relatedness import most_related

        return most_related(self, word, topn, normalize, alpha, include_self)

    def pmi(self, a: str, b: str) -> float:
        """The model's PMI estimate ``⟨v_a, v_b⟩`` (PMI models only)."""
        from wordvec.query.relatedness import pmi

        return pmi(self, a, b)

    def norms(self, topn: int | None = None, ascending: bool = True, corrected: bool = False) -> list[tuple[str, float]]:
        """``(word, ‖v_w‖)`` sorted by norm, smallest first unless ``ascending=False`` (SPEC c.6);
        ``corrected``: √(self-PMI) for models trained with cds ≠ 1 (see ``wordvec.query.relatedness.norms``)."""
        from wordvec.query.relatedness import norms

        return norms(self, topn, ascending, corrected)

    def word_weight(self, word: str) -> float:
        """Importance of a word: ``‖v_w‖`` (SPEC c.6)."""
        from wordvec.query.relatedness import word_weight

        return word_weight(self, word)

    # --- texts (SPEC c.3, c.4, c.8; wordvec.query.keywords) -----------------------------------------------
    def tokenize(self, text: str) -> list[str]:
        """Tokens of ``text`` under the tokenizer settings the model was trained with."""
        from wordvec.query.keywords import tokenize

        return tokenize(self, text)

    def keywords(self, text: Any, topn: int | None = 10, normalize: bool = False, exclude_self: bool = False,
                 unique_context: bool = False, method: str | None = None, **options: Any):
        """Keywords of a text (``str``, tokenized like the corpus, or a token list), best first.

        ``method`` (default ``"psw"``: log p(s|w) with the word's own prior and unknown words), ``"pmi-sum"``
        (SPEC c.3.2 as written; ``normalize``, ``exclude_self``, ``unique_context`` apply to it), ``"tfidf"``
        or ``"textrank"`` (jieba.analyse). ``options``: ``association``, ``unknown``, ``compounds``,
        ``compound_pmi``, ``idf_path`` (see ``wordvec.query.keywords.keywords``). Returns a ``QueryResult``
        (a list; empty with ``.note`` when no word is known; ``.details`` with the score parts for psw)."""
        from wordvec.query.keywords import keywords

        return keywords(self, text, topn, normalize, exclude_self, unique_context, method=method, **options)

    def sentence_vector(self, text: Any, mode: str = "sum") -> np.ndarray:
        """Sum (or ``mode="mean"``) of the vectors of the known tokens of ``text`` (SPEC c.4)."""
        from wordvec.query.keywords import sentence_vector

        return sentence_vector(self, text, mode)

    def sentence_similarity(self, a: Any, b: Any, raw: bool = False) -> float:
        """Cosine of the summed vectors of two texts; ``raw=True`` the sentence PMI (SPEC c.4)."""
        from wordvec.query.keywords import sentence_similarity

        return sentence_similarity(self, a, b, raw)

    def predict(self, context_words: Any, topn: int = 10, exclude_context: bool = True):
        """Words most likely to occur with all ``context_words`` (SPEC c.8)."""
        from wordvec.query.keywords import predict

        return predict(self, context_words, topn, exclude_context)


def _blocked(emb: "Embedding") -> bool:
    from wordvec.query.bigsearch import wants_blocked

    return wants_blocked(emb)


__all__ = ["Embedding"]
