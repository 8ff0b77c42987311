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
        """Load a model directory (``mmap=True``: arrays memory-mapped read-only), a word2vec/GloVe file
        (``kind="external"``, no counts, unless ``wordvec export`` wrote its ``FILE.wordvec.json`` sidecar
        beside it: then the model's counts, kind and PMI correction are applied, see ``wordvec.io.sidecar``),
        or a file written by gensim's ``save()`` — ``KeyedVectors`` (``.kv``), ``Word2Vec`` or ``FastText`` —
        read without running its code (see ``load_gensim_model``). Files of other kinds raise ``InputError``
        naming what they are (``wordvec.io.sniff``)."""
        from wordvec.io.sniff import unreadable_reason

        reason = unreadable_reason(path) if os.path.exists(path) else None
        if reason:
            raise InputError(reason)
        if os.path.isfile(path):
            from wordvec.io.gensim_files import looks_like_pickle

            if looks_like_pickle(path):
                from wordvec.word2vec.bridge import load_gensim_model  # lazy: gensim only for its files

                return cls(load_gensim_model(path))
            import warnings

            from wordvec.io.formats import VectorFileWarning, load_vectors  # lazy: only for vector files
            from wordvec.io.sidecar import apply_sidecar

            vectors, problem = apply_sidecar(load_vectors(os.fspath(path)), path)
            if problem:
                warnings.warn(problem, VectorFileWarning, stacklevel=2)
            return cls(vectors)
        emb = cls(WordVectors.load(path, mmap=mmap))
        emb.model_path = os.fspath(path)  # where an approximate index (wordvec.query.ann) is looked for
        return emb

    # --- gensim interop (wordvec.io.gensim_files, wordvec.query.distances) -----------------------------------
    @classmethod
    def from_keyedvectors(cls, kv: Any) -> "Embedding":
        """An ``Embedding`` of a gensim ``KeyedVectors`` (``model.wv``): same rows, words and order; the
        counts too when gensim has them (``Word2Vec`` sets them), else zero (``kind="external"``)."""
        from wordvec.io.gensim_files import from_keyedvectors

        return cls(from_keyedvectors(kv))

    @classmethod
    def from_gensim(cls, model: Any) -> "Embedding":
        """An ``Embedding`` of an in-memory gensim ``Word2Vec``/``FastText`` model (HS weights kept when it
        has them, ``kind="w2v"``; else ``kind="w2v-ns"``) or ``KeyedVectors``."""
        from gensim.models import KeyedVectors

        if isinstance(model, KeyedVectors):
            return cls.from_keyedvectors(model)
        from wordvec.word2vec.bridge import from_gensim_model

        return cls(from_gensim_model(model))

    def to_keyedvectors(self) -> Any:
        """A gensim ``KeyedVectors`` with these rows and words (same order) and the counts, when known, as
        its ``"count"`` attribute. The vectors are copied (float32)."""
        from wordvec.io.gensim_files import to_keyedvectors

        return to_keyedvectors(self)

    def save_word2vec_format(self, fname: str | os.PathLike, fvocab: str | os.PathLike | None = None,
                             binary: bool = False, write_header: bool = True) -> None:
        """Write the vectors as gensim's ``save_word2vec_format`` does: word2vec text (``binary=False``,
        default) or binary, or without the header line (``write_header=False``: GloVe text). ``fvocab``: also
        write ``word count`` lines there (needs counts). Rows in vocabulary order; written atomically."""
        from wordvec.io.atomic import atomic_output
        from wordvec.io.formats import save_glove, save_word2vec_format

        if fvocab is not None:
            if not np.any(np.asarray(self.counts) > 0):
                raise InputError("fvocab needs word counts, and these vectors have none; leave fvocab out")
            with atomic_output(fvocab, "w") as out:
                out.writelines(f"{w} {int(c)}\n" for w, c in zip(self.words, np.asarray(self.counts).tolist()))
        if not write_header:
            if binary:
                raise InputError("binary word2vec files always have a header; use write_header=True")
            save_glove(self, fname)
        else:
            save_word2vec_format(self, fname, binary=binary)

    def has_index_for(self, word: str) -> bool:
        """Whether ``word`` has a row (gensim's name for ``word in emb``)."""
        return word in self

    def get_normed_vectors(self) -> np.ndarray:
        """The rows scaled to unit length (zero rows stay zero), as gensim's ``get_normed_vectors``."""
        return self.unit_vectors

    @staticmethod
    def cosine_similarities(vector: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        """Cosine of ``vector`` with every row of ``vectors`` (gensim semantics)."""
        from wordvec.query.distances import cosine_similarities

        return cosine_similarities(vector, vectors)

    def similar_by_word(self, word: str, topn: int = 10, restrict_vocab: int | None = None) -> list[tuple[str, float]]:
        """``most_similar(word)``: cosine neighbours of ``word``, itself left out (gensim's name)."""
        return self.most_similar([word], topn=topn, restrict_vocab=restrict_vocab)

    similar_by_key = similar_by_word

    def similar_by_vector(self, vector: np.ndarray, topn: int = 10,
                          restrict_vocab: int | None = None) -> list[tuple[str, float]]:
        """Cosine neighbours of a vector (no word left out), as gensim's ``similar_by_vector``."""
        return self.most_similar([np.asarray(vector)], topn=topn, restrict_vocab=restrict_vocab)

    def distance(self, a: str, b: str) -> float:
        """Cosine distance ``1 − similarity(a, b)``."""
        from wordvec.query.distances import distance

        return distance(self, a, b)

    def distances(self, word_or_vector: Any, other_words: Sequence[str] = ()) -> np.ndarray:
        """Cosine distances from a word or vector to ``other_words`` (default: every word, row order)."""
        from wordvec.query.distances import distances

        return distances(self, word_or_vector, other_words)

    def closer_than(self, a: str, b: str) -> list[str]:
        """Words closer to ``a`` than ``b`` is (cosine distance), in row order."""
        from wordvec.query.distances import closer_than

        return closer_than(self, a, b)

    def rank(self, a: str, b: str) -> int:
        """Rank of ``b`` among the cosine neighbours of ``a`` (1 = nearest)."""
        from wordvec.query.distances import rank

        return rank(self, a, b)

    def rank_by_centrality(self, words: Sequence[str]) -> list[tuple[float, str]]:
        """``(cosine to the centroid, word)``, most central first; unknown words ignored with a warning."""
        from wordvec.query.distances import rank_by_centrality

        return rank_by_centrality(self, words)

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word of ``words`` that fits the others least (farthest from their centroid)."""
        from wordvec.query.distances import doesnt_match

        return doesnt_match(self, words)

    def n_similarity(self, words1: Sequence[str], words2: Sequence[str]) -> float:
        """Cosine of the mean vectors of two word lists (unknown words raise)."""
        from wordvec.query.distances import n_similarity

        return n_similarity(self, words1, words2)

    # --- similarity (SPEC c.2, c.5; wordvec.query.similarity, wordvec.query.profile) ---------------------------
    def most_similar(
        self,
        positive: Any = (),
        negative: Any = (),
        topn: int = 10,
        restrict_vocab: int | None = None,
        method: str = "default",
        context_words: int = 10_000,
        approximate: bool = False,
        indexer: Any = None,
    ) -> list[tuple[str, float]]:
        """Most similar (substitutable) words, gensim ``most_similar`` semantics (inputs excluded).

        ``positive``/``negative``: a word, a vector or a list of them. ``method``: a readout of
        ``wordvec.query.methods`` — ``"default"`` (PMI models: ``"blend"`` when the model has a narrow-window
        table, else ``methods.DEFAULT_PMI_METHOD``; other kinds: cosine), ``"cosine"`` (SPEC c.2.1),
        ``"centred"``, ``"abtt"``, ``"whiten"``, ``"half-whiten"``, ``"narrow"``, ``"blend"``, or
        ``"profile"`` (PMI models: Pearson correlation of PMI profiles over the ``context_words`` most frequent
        words, SPEC c.2.3). ``restrict_vocab``: rank only the first N words. ``approximate=True`` (cosine; with
        the default method it means cosine): use the model directory's index (``wordvec index MODEL``, needs
        faiss-cpu); ``indexer``: any object with gensim's ``most_similar(vector, num_neighbors)``. Big
        memory-mapped tables are searched exactly in row blocks (``wordvec.query.bigsearch``).
        """
        from wordvec.query.methods import most_similar, resolve
        from wordvec.query.similarity import refuse_cancelling

        refuse_cancelling(positive, negative)
        wants_index = approximate or indexer is not None
        readout = "cosine" if wants_index and method == "default" else resolve(self, method)
        if readout == "cosine" and (wants_index or _blocked(self)):
            from wordvec.query.bigsearch import most_similar_big

            if approximate and indexer is None:
                from wordvec.query.ann import index_for

                indexer = index_for(self)
            return most_similar_big(self, positive, negative, topn, restrict_vocab, approximate, indexer)
        if wants_index:
            raise InputError("approximate search is for method='cosine'")

        return most_similar(self, positive, negative, topn, restrict_vocab, method, context_words)

    def most_similar_batch(self, words: Sequence[str], topn: int = 10) -> list[list[tuple[str, float]]]:
        """Cosine neighbours of each of ``words`` at once (blocked matrix products; ``wordvec.query.bigsearch``)."""
        from wordvec.query.bigsearch import most_similar_batch

        return most_similar_batch(self, words, topn)

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

    def norms(self, topn: int | None = None, ascending: bool = True, corrected: bool = True) -> list[tuple[str, float]]:
        """``(word, importance)`` sorted by it, smallest first unless ``ascending=False`` (SPEC c.6).
        ``corrected`` (default True): √(self-PMI), which for models trained with context smoothing (cds ≠ 1)
        puts stopwords and punctuation first; ``False``: the plain norm ``‖v_w‖`` (equal when cds = 1).
        See ``wordvec.query.relatedness.norms``."""
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
