"""The word2vec bridge: gensim skip-gram + hierarchical softmax, trained from our token cache (DECISIONS 10).

``train_word2vec`` feeds gensim the same token cache as the PMI model (no second tokenization) through a
temporary ``corpus_file`` (multi-core), with our vocabulary, counts and row order. ``load_gensim_model``
converts a gensim ``Word2Vec`` saved with ``hs=1``. Both return an ``Embedding`` with ``kind="w2v"`` whose
extras hold ``syn1`` ((V−1)×d), ``hs_points`` (int32 V×Lmax), ``hs_codes`` (uint8 V×Lmax) and
``hs_lengths`` (int32 V); the exact queries on it live in ``wordvec.word2vec.hs`` (re-exported here). gensim is
imported inside the functions, so importing this module stays cheap.
"""
from __future__ import annotations

import errno
import logging
import os
import tempfile
import time
from contextlib import contextmanager
from typing import Any, Callable, Sequence

import numpy as np

from wordvec.io.vocab import Vocabulary

from wordvec.io.vectors import WordVectors
from wordvec.errors import DivergenceError, InputError, ResourceError
from wordvec.train.base import Callback, Estimator, StageProgress, _stage, flag, integer, number, optional
from wordvec.word2vec.hs import hs_keywords, hs_log_prob_all, hs_predict, hs_related  # noqa: F401  (public re-exports)

Progress = Callable[[int, int], None]
_LINES_PER_CHUNK = 20_000
_STEPS_PER_EPOCH = 1000  # progress unit: thousandths of an epoch


def _path_rule(value: Any) -> str | None:
    return None if isinstance(value, (str, os.PathLike)) else "a folder path"


# --- Huffman paths ---------------------------------------------------------------------------------------
def huffman_arrays(
    points: Sequence[np.ndarray], codes: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pad per-word Huffman paths into ``(points int32 V×Lmax, codes uint8 V×Lmax, lengths int32 V)``."""
    lengths = np.fromiter((len(p) for p in points), dtype=np.int32, count=len(points))
    lmax = max(int(lengths.max()) if len(lengths) else 0, 1)
    p_arr = np.zeros((len(points), lmax), dtype=np.int32)
    c_arr = np.zeros((len(points), lmax), dtype=np.uint8)
    for row, (p, c) in enumerate(zip(points, codes)):
        n = len(p)
        if len(c) != n:
            raise InputError(f"Huffman code and point lengths differ for word row {row}; the model is damaged")
        p_arr[row, :n] = p
        c_arr[row, :n] = c
    return p_arr, c_arr, lengths


def _hs_extras(model, order: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """``syn1`` (inner nodes only) and padded paths of a gensim model, rows permuted by ``order``."""
    wv = model.wv
    n_words = len(wv.index_to_key)
    point_list, code_list = wv.expandos["point"], wv.expandos["code"]
    if order is not None:
        point_list, code_list = point_list[order], code_list[order]
    points, codes, lengths = huffman_arrays(point_list, code_list)
    syn1 = np.ascontiguousarray(model.syn1[: n_words - 1], dtype=np.float32)
    if len(points) and int(points.max()) >= n_words - 1:
        raise InputError("the gensim model's Huffman points exceed its inner nodes; the model is damaged")
    return {"syn1": syn1, "hs_points": points, "hs_codes": codes, "hs_lengths": lengths}


# --- training ------------------------------------------------------------------------------------------------
def write_corpus_file(cache, n_words: int, path: str, shuffle_seed: int | None = None) -> tuple[int, int]:
    """Write the cached corpus as space-separated words, one line per cached line (gensim ``LineSentence``).

    Tokens with id ≥ ``n_words`` (outside the pruned vocabulary, a prefix of ``cache.vocab``) are dropped,
    and so are lines left empty. ``shuffle_seed``: write the lines in a random order drawn from this seed
    (default None: corpus order). Returns ``(lines_written, tokens_written)``.
    """
    words = cache.vocab.words[:n_words]
    encoded = [w.encode("utf-8") for w in words]
    if len(b" ".join(encoded).split()) != len(encoded):  # gensim's reader splits at ASCII whitespace
        bad = next(w for w, b in zip(words, encoded) if len(b.split()) != 1)
        raise InputError(f"word {bad!r} is empty or contains whitespace; rebuild the token cache")
    with_space = np.array([b + b" " for b in encoded] + [b""], dtype=object)
    with_newline = np.array([b + b"\n" for b in encoded] + [b""], dtype=object)
    offsets = np.asarray(cache.line_offsets, dtype=np.int64)
    n_lines = len(offsets) - 1
    order = np.arange(n_lines) if shuffle_seed is None else np.random.default_rng(shuffle_seed).permutation(n_lines)
    lines = tokens = 0
    with open(path, "wb") as handle:
        for start in range(0, n_lines, _LINES_PER_CHUNK):
            chosen = order[start : start + _LINES_PER_CHUNK]
            begins, lengths = offsets[chosen], offsets[chosen + 1] - offsets[chosen]
            # positions of the chosen lines' tokens in cache.ids, line after line
            shift = begins - (np.cumsum(lengths) - lengths)
            ids = np.asarray(cache.ids[np.repeat(shift, lengths) + np.arange(int(lengths.sum()))])
            line_of = np.repeat(np.arange(len(chosen)), lengths)
            keep = ids < n_words
            ids, line_of = ids[keep].astype(np.int64), line_of[keep]
            if not ids.size:
                continue
            last = np.ones(ids.size, dtype=bool)
            last[:-1] = line_of[1:] != line_of[:-1]
            handle.write(b"".join(np.where(last, with_newline[ids], with_space[ids]).tolist()))
            lines += int(last.sum())
            tokens += int(ids.size)
    return lines, tokens


class _WordsProgress:
    """``progress(done, total)`` in thousandths of an epoch that also tells a callback with a ``rate_count``
    attribute (the command line's bar) how many words have been trained, so its speed reads in words/s."""

    def __init__(self, progress: Progress, words_per_epoch: int):
        self.progress, self.words_per_epoch = progress, words_per_epoch

    def __call__(self, done: int, total: int) -> None:
        if hasattr(self.progress, "rate_count"):
            self.progress.rate_count = done / _STEPS_PER_EPOCH * self.words_per_epoch
        self.progress(done, total)


def _epoch_callback(epochs: int, progress: Progress | None, losses: list, seconds: list,
                    callback: Callback | None = None):
    from gensim.models.callbacks import CallbackAny2Vec

    class _Epochs(CallbackAny2Vec):
        def __init__(self):
            self.done = 0
            self.last_loss = 0.0
            self.started = time.perf_counter()

        def on_epoch_begin(self, model):
            self.started = time.perf_counter()

        def on_epoch_end(self, model):
            loss = float(model.get_latest_training_loss())
            losses.append(loss - self.last_loss)
            seconds.append(time.perf_counter() - self.started)
            self.last_loss = loss
            self.done += 1
            if callback is not None:
                callback(self.done, losses[-1], seconds[-1])
            if progress is not None:
                progress(self.done * _STEPS_PER_EPOCH, epochs * _STEPS_PER_EPOCH)

    return _Epochs()


class _GensimProgress(logging.Handler):
    """Turns gensim's "EPOCH e - PROGRESS: at p% ..." log records into ``progress`` calls."""

    def __init__(self, epochs: int, progress: Progress):
        super().__init__(logging.INFO)
        self.epochs, self.progress = epochs, progress

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, str) and record.msg.startswith("EPOCH %i - PROGRESS") and len(record.args) >= 2:
            epoch, percent = record.args[0], record.args[1]
            done = int((epoch + min(max(percent, 0.0), 100.0) / 100.0) * _STEPS_PER_EPOCH)
            self.progress(min(done, self.epochs * _STEPS_PER_EPOCH), self.epochs * _STEPS_PER_EPOCH)


@contextmanager
def _progress_from_gensim_log(epochs: int, progress: Progress | None):
    """Listen to gensim's progress log while training, without printing anything the user did not ask for."""
    if progress is None:
        yield
        return
    logger = logging.getLogger("gensim.models.word2vec")
    handler = _GensimProgress(epochs, progress)
    old_level, old_propagate = logger.level, logger.propagate
    if logger.getEffectiveLevel() > logging.INFO:  # the user does not want gensim's INFO lines: keep them here
        logger.setLevel(logging.INFO)
        logger.propagate = False
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


class Word2VecTrainer(Estimator):
    """gensim ``Word2Vec(sg=1, hs=1)`` trained on our token cache (the estimator shape of ``wordvec.train.base``).

    Parameters (defaults in brackets): ``dim`` [128]; ``window`` [5] (gensim's dynamic window); ``epochs``
    [5]; ``negative`` [0: pure hierarchical softmax; > 0 adds negative sampling, as the blog's gensim-3 default
    did]; ``min_count`` [5] and ``max_vocab`` [0: no cap] prune the vocabulary (``cache.vocab.prune``), so rows
    and counts are ours; ``sample`` [1e-3]; ``alpha`` [0.025] → ``min_alpha`` [1e-4]; ``shrink_windows``
    [True] (gensim defaults); ``shuffle`` [True]: the lines are written in a random order (from ``seed``),
    because gensim's corpus-file workers split the file by *bytes* but stop after an equal share of *words*:
    where the words-per-byte density varies (a corpus concatenated from sources), an unshuffled file leaves
    some lines untrained and trains others twice per epoch; ``workers`` [None: all cores]; ``seed`` [1] (runs
    with several workers are not bit-reproducible); ``tmp_dir`` [None: the system temp dir] for the temporary
    corpus file, deleted afterwards.
    Learned: ``embedding_`` (``kind="w2v"``, extras ``syn1`` and the Huffman paths), ``loss_``, ``seconds_``,
    ``stage_seconds_``, ``read_report_``.
    """

    kind = "w2v"
    _RULES = dict(
        dim=integer(1), window=integer(1), epochs=integer(1), negative=integer(0), min_count=integer(1),
        max_vocab=integer(0), sample=number(0, 1, high_open=True), alpha=number(0, low_open=True),
        min_alpha=number(0, low_open=True), shrink_windows=flag, shuffle=flag,
        workers=optional(integer(1), "all cores"), seed=integer(0), tmp_dir=optional(_path_rule, "the system temp dir"),
    )

    def __init__(self, dim: int = 128, window: int = 5, epochs: int = 5, negative: int = 0, min_count: int = 5,
                 max_vocab: int = 0, sample: float = 1e-3, alpha: float = 0.025, min_alpha: float = 0.0001,
                 shrink_windows: bool = True, shuffle: bool = True, workers: int | None = None, seed: int = 1,
                 tmp_dir: str | None = None):
        self.dim = dim
        self.window = window
        self.epochs = epochs
        self.negative = negative
        self.min_count = min_count
        self.max_vocab = max_vocab
        self.sample = sample
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.shrink_windows = shrink_windows
        self.shuffle = shuffle
        self.workers = workers
        self.seed = seed
        self.tmp_dir = tmp_dir

    def _check_together(self) -> None:
        if self.min_alpha > self.alpha:
            raise InputError(f"min_alpha must be <= alpha (got {self.min_alpha} > {self.alpha})")

    def fit(self, corpus: Any, callback: Callback | None = None, *, progress: StageProgress | None = None,
            **options: Any) -> "Word2VecTrainer":
        """Train on ``corpus`` and return ``self``: a token cache, a path or list of paths, token lists or raw
        strings (read with ``READING_OPTIONS`` as ``PMITrainer.fit``; files are tokenized once, then reused).

        ``callback(epoch, loss, seconds)`` after each epoch (gensim's running HS loss of that epoch);
        ``progress(stage, done, total)``: "tokenizing" in bytes, then "word2vec" in thousandths of an epoch
        (``total = 1000·epochs``); gensim's corpus-file mode reports only when a worker finishes its share,
        so updates come about ``workers`` times per epoch (read from gensim's progress log, kept off the
        terminal unless the caller enabled INFO logging).
        """
        self._begin()
        cache = self.read_tokens(corpus, options, progress)
        t = time.perf_counter()
        steps = _stage(progress, "word2vec")
        self._train(cache, callback, steps)
        self.stage_seconds_["train"] = time.perf_counter() - t
        return self

    def _train(self, cache: Any, callback: Callback | None, progress: Progress | None) -> None:
        min_count, epochs, seed = int(self.min_count), int(self.epochs), int(self.seed)
        vocab: Vocabulary = cache.vocab.prune(min_count, int(self.max_vocab))
        if len(vocab) < 2:
            raise InputError(
                f"only {len(vocab)} word(s) occur at least {min_count} times; word2vec needs 2 or more: "
                "lower min_count or give more text", params=("min_count",)
            )
        workers = self.workers
        if not workers:
            workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        workers = int(workers)

        from gensim import __version__ as gensim_version
        from gensim.models import Word2Vec
        from gensim.models.word2vec import CORPUSFILE_VERSION

        if CORPUSFILE_VERSION < 0:  # pragma: no cover - depends on the gensim build
            raise InputError("this gensim build lacks corpus_file training; reinstall gensim from its wheels")
        model = Word2Vec(
            vector_size=int(self.dim), window=int(self.window), min_count=1, sg=1, hs=1, negative=int(self.negative),
            sample=float(self.sample), alpha=float(self.alpha), min_alpha=float(self.min_alpha), workers=workers,
            seed=seed, epochs=epochs, sorted_vocab=0, shrink_windows=bool(self.shrink_windows), compute_loss=True,
        )
        fd, corpus_path = tempfile.mkstemp(prefix="wordvec-w2v-", suffix=".txt", dir=self.tmp_dir)
        os.close(fd)
        losses: list[float] = []
        seconds: list[float] = []
        try:
            try:
                lines, tokens = write_corpus_file(cache, len(vocab), corpus_path, seed if self.shuffle else None)
            except OSError as err:
                if err.errno in (errno.ENOSPC, errno.EDQUOT):
                    raise ResourceError(
                        f"disk full while writing the temporary corpus file {corpus_path}: free space or pass tmp_dir"
                    ) from None
                raise
            if tokens != vocab.total:
                raise InputError(
                    f"token cache is inconsistent: {tokens} in-vocabulary tokens but counts sum to {vocab.total}; "
                    "delete the cache and re-run"
                )
            # our counts, our order (sorted_vocab=0 keeps the dict order); gensim builds the Huffman tree
            model.build_vocab_from_freq(dict(zip(vocab.words, vocab.counts.tolist())), corpus_count=lines)
            if progress is not None:
                progress = _WordsProgress(progress, int(vocab.total))
                progress(0, epochs * _STEPS_PER_EPOCH)
            with _progress_from_gensim_log(epochs, progress):
                _, raw_words = model.train(
                    corpus_file=corpus_path, total_examples=lines, total_words=tokens, epochs=epochs,
                    compute_loss=True, callbacks=[_epoch_callback(epochs, progress, losses, seconds, callback)],
                )
        finally:
            try:
                os.unlink(corpus_path)
            except OSError:
                pass
        if list(model.wv.index_to_key) != vocab.words:
            raise RuntimeError("gensim reordered the vocabulary despite sorted_vocab=0")  # a bug, not user error
        vectors = np.ascontiguousarray(model.wv.vectors, dtype=np.float32)
        if not (np.isfinite(vectors).all() and np.isfinite(model.syn1).all()):
            raise DivergenceError("word2vec training produced NaN/Inf weights; lower alpha and train again")
        settings = getattr(cache, "settings", None)
        facts = {"method": "w2v", "total_tokens": int(vocab.total),
                 "tokenizer": settings.to_dict() if settings is not None else None, "sg": 1, "hs": 1}
        params = {name: value for name, value in self.get_params().items() if name != "tmp_dir"}
        params.update(dim=int(self.dim), window=int(self.window), epochs=epochs, negative=int(self.negative),
                      min_count=min_count, max_vocab=int(self.max_vocab), sample=float(self.sample),
                      alpha=float(self.alpha), min_alpha=float(self.min_alpha), seed=seed, workers=workers,
                      shrink_windows=bool(self.shrink_windows), shuffle=bool(self.shuffle))
        meta = self.build_meta(cache, params, facts, gensim_version=gensim_version, training_lines=lines,
                               # = epochs·total_tokens when gensim read every token we wrote
                               gensim_raw_words=int(raw_words), loss_per_epoch=losses, loss_note=_LOSS_NOTE,
                               seconds_per_epoch=seconds, hs_direction=_HS_DIRECTION)
        if getattr(cache, "meta", None):
            meta["corpus"] = {k: cache.meta[k] for k in ("inputs", "sources") if k in cache.meta}
        self.loss_ = losses
        self.seconds_ = seconds
        self.embedding_ = WordVectors(vectors, vocab, meta, _hs_extras(model))


_LOSS_NOTE = ("gensim's running HS loss per epoch: skips nodes with |f| >= 6 and sums in float32, "
              "so it is unreliable on large corpora")
_HS_DIRECTION = "log p(o|i) = path of o from the input vector of i (gensim trains centre from context)"


def train_word2vec(
    cache,
    min_count: int = 5,
    dim: int = 128,
    window: int = 5,
    epochs: int = 5,
    negative: int = 0,
    workers: int | None = None,
    seed: int = 1,
    progress: Progress | None = None,
    *,
    max_vocab: int = 0,
    sample: float = 1e-3,
    alpha: float = 0.025,
    min_alpha: float = 0.0001,
    shrink_windows: bool = True,
    shuffle: bool = True,
    tmp_dir: str | None = None,
) -> WordVectors:
    """``Word2VecTrainer(...).fit(cache).embedding_`` (parameters as ``Word2VecTrainer``): a w2v model from a
    ``TokenCache`` (``.vocab`` full vocabulary, ``.ids``, ``.line_offsets``, ``.settings``) or any corpus
    ``Word2VecTrainer.fit`` reads; ``progress(done, total)`` counts thousandths of an epoch."""
    trainer = Word2VecTrainer(dim=dim, window=window, epochs=epochs, negative=negative, min_count=min_count,
                              max_vocab=max_vocab, sample=sample, alpha=alpha, min_alpha=min_alpha,
                              shrink_windows=shrink_windows, shuffle=shuffle, workers=workers, seed=seed,
                              tmp_dir=tmp_dir)
    stage = None if progress is None else (lambda name, done, total: progress(done, total) if name == "word2vec" else None)
    return trainer.fit(cache, progress=stage).embedding_


# --- importing gensim models --------------------------------------------------------------------------------
def load_gensim_model(path: str | os.PathLike, tokenizer: dict | None = None) -> WordVectors:
    """Convert a file written by gensim's ``save()`` — a full ``Word2Vec``/``FastText`` model or a
    ``KeyedVectors`` — into a ``WordVectors``, reading it without running its code
    (``wordvec.io.gensim_files.load_gensim_object``).

    A model trained with hierarchical softmax (``hs=1``) becomes ``kind="w2v"`` with its HS weights, so the
    exact word2vec readouts work (see ``from_gensim_model``); a negative-sampling model (``hs=0``, gensim's
    default) becomes ``kind="w2v-ns"``: cosine queries work, and the readouts that need HS weights say so.
    A ``KeyedVectors`` file becomes ``kind="external"`` vectors. Counts are kept where gensim has them.
    ``tokenizer``: the ``TokenizerSettings.to_dict()`` of the model's corpus, recorded in meta (default
    None: unknown). Raises ``InputError`` for a missing file or a file that is none of these.
    """
    from wordvec.io.gensim_files import from_keyedvectors, load_gensim_object

    path = os.fspath(path)
    if not os.path.exists(path):
        raise InputError(f"gensim file not found: {path}")
    if os.path.isdir(path):
        raise InputError(f"{path} is a directory; give the file written by gensim's model.save() or wv.save()")
    obj = load_gensim_object(path)
    from gensim.models import KeyedVectors, Word2Vec

    source = os.path.abspath(path)
    if isinstance(obj, KeyedVectors):
        kind = type(obj).__name__
        return from_keyedvectors(obj, {"source": f"gensim {kind}", "source_path": source, "tokenizer": tokenizer})
    if not isinstance(obj, Word2Vec):  # pragma: no cover - load_gensim_object returns only these
        raise InputError(f"{path} holds a {type(obj).__name__}, not a gensim Word2Vec model or KeyedVectors")
    return from_gensim_model(obj, tokenizer=tokenizer, source_path=source)


def _model_meta(model, dim: int) -> dict[str, Any]:
    from gensim import __version__ as gensim_version

    meta = {
        "sg": int(model.sg), "hs": int(model.hs), "negative": int(model.negative), "window": int(model.window),
        "epochs": int(model.epochs), "sample": float(model.sample), "alpha": float(model.alpha),
        "min_alpha": float(model.min_alpha), "min_count": int(model.min_count), "seed": int(model.seed),
        "dim": int(dim), "gensim_version": gensim_version, "gensim_class": type(model).__name__,
    }
    if not model.sg:
        meta["note_sg"] = "CBOW model: p(o|i) uses the single input vector of i as CBOW's hidden layer"
    return meta


def from_gensim_model(model, tokenizer: dict | None = None, source_path: str | None = None) -> WordVectors:
    """Convert an in-memory gensim ``Word2Vec`` (or ``FastText``) into a ``WordVectors``.

    ``hs=1``: ``kind="w2v"`` with the HS weights; rows are put in our vocabulary order (count descending,
    ties by word) when the model has counts, else gensim's order is kept, counts are zero and
    ``meta["counts_available"]`` is False. ``hs=0`` (negative sampling only): ``kind="w2v-ns"``, rows in
    gensim's order, counts kept; the readouts needing HS weights (related, keywords, predict, pmi) raise
    a one-line error saying so. FastText: the full-word vectors (subword n-grams folded in by gensim).
    """
    from wordvec.io.gensim_files import from_keyedvectors

    path = source_path or "the gensim model"
    wv = model.wv
    words = list(wv.index_to_key)
    has_hs = bool(getattr(model, "hs", 0)) and getattr(model, "syn1", None) is not None and len(model.syn1) > 0
    if not has_hs:
        meta = {"kind": "w2v-ns", "method": "w2v", "source": "gensim", "source_path": source_path,
                "tokenizer": tokenizer, **_model_meta(model, wv.vector_size),
                "note": "negative-sampling model (hs=0): cosine similarity and analogies only; related, "
                        "keywords, predict and pmi need hierarchical-softmax weights (train with hs=1)"}
        return from_keyedvectors(wv, meta)
    if len(words) < 2 or "point" not in wv.expandos or "code" not in wv.expandos:
        raise InputError(f"{path} has no Huffman tree (fewer than 2 words or missing codes); retrain it with hs=1")
    counts = np.asarray(wv.expandos.get("count", np.zeros(len(words))), dtype=np.int64)
    counts_available = bool((counts > 0).all())
    if counts_available:
        order = np.array(sorted(range(len(words)), key=lambda k: (-int(counts[k]), words[k])), dtype=np.int64)
    else:
        order = np.arange(len(words))
        counts = np.zeros(len(words), dtype=np.int64)
    vocab = Vocabulary([words[k] for k in order], counts[order])
    vectors = np.ascontiguousarray(np.asarray(wv.vectors)[order], dtype=np.float32)
    meta: dict[str, Any] = {
        "kind": "w2v",
        "method": "w2v",
        "source": "gensim",
        "source_path": source_path,
        "total_tokens": int(counts.sum()),
        "tokenizer": tokenizer,
        "counts_available": counts_available,
        **_model_meta(model, vectors.shape[1]),
        "hs_direction": "log p(o|i) = path of o from the input vector of i (gensim trains centre from context)",
    }
    if not counts_available:
        meta["note"] = "the gensim model has no word counts: counts are 0, alpha-relatedness needs alpha=0"
    return WordVectors(vectors, vocab, meta, _hs_extras(model, order))


__all__ = [
    "Word2VecTrainer",
    "train_word2vec",
    "load_gensim_model",
    "from_gensim_model",
    "write_corpus_file",
    "huffman_arrays",
    "hs_log_prob_all",
    "hs_keywords",
    "hs_related",
    "hs_predict",
]
