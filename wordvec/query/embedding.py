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
        return cls(WordVectors.load(path, mmap=mmap))

    # --- similarity (SPEC c.2, c.5; wordvec.query.similarity, wordvec.query.profile) ---------------------------
    def most_similar(
        self,
        positive: Any = (),
        negative: Any = (),
        topn: int = 10,
        restrict_vocab: int | None = None,
        method: str = "default",
        context_words: int = 10_000,
    ) -> list[tuple[str, float]]:
        """Most similar (substitutable) words, gensim ``most_similar`` semantics (inputs excluded).

        ``positive``/``negative``: a word, a vector or a list of them. ``method``: a readout of
        ``wordvec.query.methods`` — ``"default"`` (PMI models: ``methods.DEFAULT_PMI_METHOD``; other kinds:
        cosine), ``"cosine"`` (SPEC c.2.1), ``"centred"``, ``"abtt"``, ``"whiten"``, ``"half-whiten"``, or
        ``"profile"`` (PMI models: Pearson correlation of PMI profiles over the ``context_words`` most frequent
        words, SPEC c.2.3). ``restrict_vocab``: rank only the first N words.
        """
        from wordvec.query.methods import most_similar

        return most_similar(self, positive, negative, topn, restrict_vocab, method, context_words)

    def most_similar_cosmul(self, positive: Any = (), negative: Any = (), topn: int = 10,
                            restrict_vocab: int | None = None) -> list[tuple[str, float]]:
        """3CosMul neighbours, as gensim's ``most_similar_cosmul`` (see ``wordvec.query.similarity``)."""
        from wordvec.query.similarity import most_similar_cosmul

        return most_similar_cosmul(self, positive, negative, topn, restrict_vocab)

    def similarity(self, a: str, b: str, method: str = "default", context_words: int = 10_000) -> float:
        """Similarity of two words under the readout ``method`` (as ``most_similar``; also ``"related"``)."""
        from wordvec.query.methods import similarity

        return similarity(self, a, b, method, context_words)

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
                 unique_context: bool = False):
        """Keywords of a text (``str``, tokenized like the corpus, or a token list) by ``log p(s|w)``
        (SPEC c.3; DECISIONS 6). Returns a ``QueryResult`` (a list; empty with ``.note`` when no word is known)."""
        from wordvec.query.keywords import keywords

        return keywords(self, text, topn, normalize, exclude_self, unique_context)

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


__all__ = ["Embedding"]
