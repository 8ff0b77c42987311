"""``Embedding``: trained vectors + vocabulary with counts + metadata, and the queries on them.

Loadable without the trainer (``Embedding.load``), dict-like (``in``, ``[]``, ``len``, iteration) in the
manner of gensim's ``KeyedVectors`` and spaCy's ``Vectors``.
"""
from __future__ import annotations

import os
from typing import Any, Iterator, Sequence

import numpy as np

from wordvec.io.vocab import Vocabulary

from wordvec.errors import InputError, UnknownWordError
from wordvec.io.model_dir import load_model_dir, save_model_dir


class Embedding:
    """Word vectors with their vocabulary (frequency order), unigram counts and metadata.

    Parameters:
        vectors: ``V×d`` float array, row ``i`` is the vector of ``vocab.words[i]``.
        vocab: the ``Vocabulary`` (words and counts; counts may be all zero when unknown).
        meta: hyper-parameters and facts (``kind``: ``"pmi"``, ``"svd"``, ``"w2v"`` or ``"external"``;
            ``total_tokens``; ``tokenizer`` settings; …). Default: empty.
        extras: further named arrays (the word2vec bridge keeps ``syn1`` and Huffman paths here).
    """

    def __init__(
        self,
        vectors: np.ndarray,
        vocab: Vocabulary,
        meta: dict[str, Any] | None = None,
        extras: dict[str, np.ndarray] | None = None,
    ):
        vectors = np.asarray(vectors)
        if vectors.ndim != 2 or vectors.shape[0] != len(vocab):
            raise ValueError(f"vectors shape {vectors.shape} does not match {len(vocab)} words")
        self.vectors = vectors
        self.vocab = vocab
        self.meta: dict[str, Any] = dict(meta or {})
        self.extras: dict[str, np.ndarray] = dict(extras or {})
        self._unit: np.ndarray | None = None
        self._cache: dict[str, Any] = {}  # derived arrays (norms, log P(w), suggestion index)
        self._profile_cache: dict[int, Any] = {}  # N -> ProfileTransform (SPEC c.2.3)

    # --- properties -------------------------------------------------------------------------------
    @property
    def words(self) -> list[str]:
        """The words in row order (frequency order)."""
        return self.vocab.words

    @property
    def counts(self) -> np.ndarray:
        """Unigram counts ``#w`` in row order."""
        return self.vocab.counts

    @property
    def shape(self) -> tuple[int, int]:
        """``(V, d)``."""
        return tuple(self.vectors.shape)  # type: ignore[return-value]

    @property
    def kind(self) -> str:
        """Which model produced the vectors: ``pmi``, ``svd``, ``w2v`` or ``external``."""
        return str(self.meta.get("kind", "external"))

    @property
    def total_tokens(self) -> int:
        """T: the token total behind the counts (``meta['total_tokens']``, else the sum of counts)."""
        return int(self.meta.get("total_tokens") or self.vocab.total)

    @property
    def unit_vectors(self) -> np.ndarray:
        """Rows scaled to unit length (zero rows stay zero); computed once and cached."""
        if self._unit is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            norms[norms == 0] = 1
            self._unit = (self.vectors / norms).astype(self.vectors.dtype, copy=False)
        return self._unit

    # --- dict-like ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.vocab)

    def __contains__(self, word: object) -> bool:
        return word in self.vocab

    def __iter__(self) -> Iterator[str]:
        return iter(self.vocab.words)

    def __getitem__(self, words: str | Sequence[str]) -> np.ndarray:
        """The vector of a word, or a ``k×d`` array for a list of words; unknown words raise."""
        if isinstance(words, str):
            return self.vectors[self.index(words)]
        return self.vectors[[self.index(w) for w in words]]

    def __repr__(self) -> str:
        return f"Embedding(kind={self.kind!r}, words={len(self)}, dim={self.shape[1]})"

    def index(self, word: str) -> int:
        """Row of ``word``; ``UnknownWordError`` with up to 5 close vocabulary entries if absent."""
        row = self.vocab.index.get(word)
        if row is None:
            raise UnknownWordError(word, self.suggest(word))
        return row

    def suggest(self, word: str, limit: int = 5) -> list[str]:
        """Up to ``limit`` vocabulary words close to ``word``: sharing most characters, then closer length,
        then string similarity (difflib ratio), then most frequent. A few ms per character on 100k words."""
        chars = sorted(set(word))
        if not chars or limit <= 0:
            return []
        words = self.vocab.words
        blob = self._cache.get("suggest_blob")
        if blob is None:  # all words in one string; the start offset of every word
            text = "\n".join(words)
            starts = np.zeros(len(words), dtype=np.int64)
            starts[1:] = np.cumsum(np.fromiter((len(w) + 1 for w in words[:-1]), dtype=np.int64,
                                               count=max(0, len(words) - 1)))
            blob = self._cache["suggest_blob"] = (text, starts)
        text, starts = blob
        import re

        shared = np.zeros(len(words), dtype=np.int64)
        for ch in chars:  # regex scanning in C: a few ms per character on 100k words
            found = np.fromiter((m.start() for m in re.finditer(re.escape(ch), text)), dtype=np.int64)
            if found.size:
                shared[np.unique(np.searchsorted(starts, found, side="right") - 1)] += 1
        rows = np.flatnonzero(shared)
        if not rows.size:
            return []
        lengths = np.fromiter((len(words[r]) for r in rows), dtype=np.int64, count=rows.size)
        # shortlist: more shared characters first, then closer length, then frequency (row order) ...
        order = np.lexsort((rows, np.abs(lengths - len(word)), -shared[rows]))[: max(200, limit)]
        shortlist = [(int(rows[i]), self.vocab.words[int(rows[i])], int(shared[rows[i]])) for i in order]
        # ... then by shared characters, string similarity (order and repeats count), frequency
        from difflib import SequenceMatcher

        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(word)  # the matcher caches its second sequence

        def closeness(item: tuple[int, str, int]) -> tuple[int, float, int]:
            matcher.set_seq1(item[1])
            return (-item[2], -matcher.ratio(), item[0])

        shortlist.sort(key=closeness)
        return [candidate for _, candidate, _ in shortlist[:limit]]

    # --- files ----------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the model directory at ``path`` atomically (see ``wordvec.io.model_dir``)."""
        save_model_dir(path, self.vectors, self.vocab, self.meta, self.extras)

    @classmethod
    def load(cls, path: str | os.PathLike, mmap: bool = False) -> "Embedding":
        """Load a model directory written by ``save`` (``mmap=True``: arrays memory-mapped read-only).

        A *file* is read as word vectors in word2vec text/binary or GloVe text format
        (``wordvec.io.formats.load_vectors``; ``kind="external"``, no counts).
        """
        if os.path.isfile(path):
            from wordvec.io.formats import load_vectors  # lazy: only for vector files

            return load_vectors(os.fspath(path))
        vectors, vocab, meta, extras = load_model_dir(path, mmap=mmap)
        return cls(vectors, vocab, meta, extras)


    # --- similarity (SPEC c.2, c.5; wordvec.query.similarity, wordvec.query.profile) ---------------------------
    def most_similar(
        self,
        positive: Any = (),
        negative: Any = (),
        topn: int = 10,
        restrict_vocab: int | None = None,
        method: str = "cosine",
        context_words: int = 10_000,
    ) -> list[tuple[str, float]]:
        """Most similar (substitutable) words, gensim ``most_similar`` semantics (inputs excluded).

        ``positive``/``negative``: a word, a vector or a list of them. ``method="cosine"`` (default): cosine
        of the mean of unit vectors (SPEC c.2.1). ``method="profile"`` (PMI models): Pearson correlation of
        PMI profiles over the ``context_words`` most frequent words (SPEC c.2.3, DECISIONS 5; the mean is
        taken over vectors scaled to unit profile norm). ``restrict_vocab``: rank only the first N words.
        """
        from wordvec.query import similarity

        if method == "cosine":
            return similarity.most_similar(self, positive, negative, topn, restrict_vocab)
        if method != "profile":
            raise InputError(f"unknown similarity method {method!r}: use 'cosine' or 'profile'")
        from wordvec.query.profile import transform_for

        transform = transform_for(self, context_words)
        pos, neg = similarity.as_list(positive), similarity.as_list(negative)
        if not pos and not neg:
            raise InputError("most_similar needs at least one word")
        query = np.zeros(self.shape[1], dtype=np.float64)
        rows = []
        for sign, items in ((1.0, pos), (-1.0, neg)):
            for item in items:
                if isinstance(item, np.ndarray):
                    vec = np.asarray(item, dtype=np.float64)
                else:
                    rows.append(self.index(item))
                    vec = np.asarray(self.vectors[rows[-1]], dtype=np.float64)
                cnorm = np.sqrt(max(float(vec @ transform.scatter @ vec), 0.0))
                query += sign * (vec / cnorm if cnorm > 0 else vec)
        clip = len(self) if not restrict_vocab else max(0, min(int(restrict_vocab), len(self)))
        cq = transform.scatter @ query  # SPEC c.2.3: v C q / (‖v‖_C ‖q‖_C), ‖v‖_C precomputed
        qnorm = float(np.sqrt(max(float(query @ cq), 0.0)))
        if qnorm == 0:
            return similarity.ranked(self, np.zeros(clip), topn, rows)
        return similarity.rank_dot(self, self.vectors[:clip], cq / qnorm, topn, rows,
                                   scale=transform._inv[:clip], source="raw")

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
