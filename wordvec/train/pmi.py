"""The PMI embedding model (SPEC b): one shared vector per word with ⟨v_i, v_j⟩ ≈ PMI(i, j).

``PMITrainer`` (old name ``PMIEmbedding``) has the estimator shape of ``wordvec.train.base``: every
hyper-parameter is an explicit keyword stored as given, ``__init__`` does no work, ``fit(corpus)`` returns
``self`` and the learned state ends in ``_`` (``embedding_``, ``loss_``, ``seconds_``, ``n_records_``).
``SEED_PRESET`` is the seed's exact configuration (SPEC b.5, DECISIONS 4); ``DEFAULT_PRESET`` the measured
best (see ``bench/train.py --sweep``).
"""
from __future__ import annotations

import os
import time
from typing import Any, Callable

import numpy as np

from wordvec.io.vectors import WordVectors
from wordvec.errors import DivergenceError, InputError, ResourceError
from wordvec.train.base import Callback, Estimator, StageProgress, choice, flag, integer, number, optional, seed_rule
from wordvec.train.targets import build_records

# the seed's configuration (SPEC b.5 / DECISIONS 4): both orientations per epoch, no smoothing
SEED_PRESET: dict[str, Any] = dict(
    dim=128, epochs=30, lr=0.1, x_max=100.0, alpha=0.75, truncate=False, both_orientations=True, cds=1.0,
    prior_count=0.0, independence_weight=0.0, narrow_window=0,
)
# the default: measured on zh_mixed (bench/train.py --sweep): each unordered pair once per epoch (half the
# work), context smoothing 0.75, η 0.4 (rare words' small gradients need the larger step under AdaGrad's G0=1).
# No pseudo-count: β = 1 scores better on wordsim-240 and CA (bench/variants.py) but lets function words and
# punctuation into the keywords (bench/query_quality.py), so it stays an option (README, issue 3).
# The independence prior w0 = 1e-4 (bench/variants.py, third round): +0.18 on wordsim-240, +0.05 on wordsim-297
# over w0 = 0, keywords still clean. With flatter weights α = 0.5 and w0 = 1e-3 (the prior at 1% of a single
# co-occurrence's weight, as 1e-4 was 0.3% at α = 0.75): 0.571/0.495/0.397 at 10 epochs; α = 0 with w0 = 0.01
# scores as well but fits the heaviest pairs' PMI worse (bench/pmi_fit.py: r 0.72 against 0.89)
DEFAULT_PRESET: dict[str, Any] = dict(
    dim=128, epochs=30, lr=0.4, x_max=100.0, alpha=0.5, truncate=False, both_orientations=False, cds=0.75,
    prior_count=0.0, independence_weight=1e-3, narrow_window=2, narrow_share=0.5,
)
PRESETS = {"seed": SEED_PRESET, "default": DEFAULT_PRESET}
# the independence prior is applied after each quarter of the records, with w0/4 each (one step per epoch is
# a coarser optimiser: wordsim-297 0.449 against 0.481 with four, mean of 4 seeds at 10 epochs; README, issue 3)
PRIOR_STEPS_PER_EPOCH = 4


def available_memory() -> int | None:
    """Bytes of MemAvailable from /proc/meminfo, or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def estimate_memory(n_pairs: int, n_words: int, dim: int, dtype: str = "float32") -> int:
    """Peak bytes of training: records (ids + target + weight, plus float64 work arrays while they are
    built) and the two ``V×d`` tables (vectors, AdaGrad accumulators)."""
    item = np.dtype(dtype).itemsize
    records = n_pairs * (4 + 4 + 2 * item)
    building = n_pairs * (8 + 8 + 8 + 8 + 4 + 4)  # coo data/ids, x, target, weight, sort order
    return records + building + 2 * n_words * dim * item


class PMITrainer(Estimator):
    """Train PMI word vectors by weighted least squares with AdaGrad (SPEC b.2, b.3).

    ``PMITrainer(**params).fit(corpus)`` (``corpus``: counts, a ``wordvec count`` folder, text paths, token
    lists or raw strings; see ``fit``) leaves the vectors in ``embedding_``. ``PMIEmbedding`` is the old name.

    Parameters (defaults in brackets):
        dim [128]: vector dimension. epochs [30]: passes over the records. lr [0.4]: AdaGrad η (seed: 0.1).
        x_max [100], alpha [0.5; seed 0.75]: weights λ = (x/x_max)^α (SPEC b.2). truncate [False]: cap λ at 1.
        both_orientations [False]: train (i,j) and (j,i) each epoch as the seed does (True), or each
            unordered pair once (False: half the work).
        cds [0.75]: context distribution smoothing exponent of P(w) in the target (1.0: the seed's #w/T).
        prior_count [0.0]: pseudo-count β of the PMI estimate log((x + β) / (E + β)), E the count expected under
            independence; β > 0 pulls pairs seen once among rare words towards 0 (better cosine similarity and
            analogies, worse keywords; 0: the seed's log x/E).
        independence_weight [1e-3; seed 0]: weight w0 of the independence prior: every pair of distinct
            words, observed or not, is also pulled towards ⟨v_i,v_j⟩ = 0 with weight w0 (``wordvec.train.prior``;
            0: off, the seed). Constrains rare words, whose few observed pairs leave most of their coordinates free.
            Applied ``PRIOR_STEPS_PER_EPOCH`` times per epoch; the reported loss stays the data term of SPEC b.2.
        neg [0.0]: Swivel-style penalty for unobserved pairs (off by default, DECISIONS 13): per epoch, draw
            neg × #records pairs with both words ∝ #w^0.75; unobserved ones whose ⟨v_i,v_j⟩ exceeds the PMI
            of a single co-occurrence are pushed down to it. neg_weight [None: λ of x=1]: its weight.
        narrow_window [2; seed 0]: also keep the narrow table of ``wordvec.train.narrow`` (PPMI-SVD of the
            left and right neighbours up to this distance, same vocabulary and dim), which ``similar`` blends
            in by default; 0: none. Built only when training from text or a token cache (counts cannot be
            re-counted: ``notes_`` says so). narrow_share [0.5]: the narrow table's share s of ``similar``'s
            default readout, (1−s)·cos_pmi(centred) + s·cos_narrow (issue 12, docs/similar.md).
        seed [None]: random seed (init, shuffle). threads [None: all cores]: Hogwild threads; 1 gives
            bit-for-bit reproducible results for a fixed seed.
        dtype ["float32"]: "float32" or "float64" (parity with the C code).
        memory [None]: bytes the trainer may use (default: MemAvailable); over it → ``ResourceError``.
    """

    def __init__(
        self,
        dim: int = 128,
        epochs: int = 30,
        lr: float = 0.4,
        x_max: float = 100.0,
        alpha: float = 0.5,
        truncate: bool = False,
        both_orientations: bool = False,
        cds: float = 0.75,
        prior_count: float = 0.0,
        independence_weight: float = 1e-3,
        neg: float = 0.0,
        neg_weight: float | None = None,
        narrow_window: int = 2,
        narrow_share: float = 0.5,
        seed: int | None = None,
        threads: int | None = None,
        dtype: str = "float32",
        memory: int | None = None,
    ):
        self.dim = dim
        self.epochs = epochs
        self.lr = lr
        self.x_max = x_max
        self.alpha = alpha
        self.truncate = truncate
        self.both_orientations = both_orientations
        self.cds = cds
        self.prior_count = prior_count
        self.independence_weight = independence_weight
        self.neg = neg
        self.neg_weight = neg_weight
        self.narrow_window = narrow_window
        self.narrow_share = narrow_share
        self.seed = seed
        self.threads = threads
        self.dtype = dtype
        self.memory = memory

    kind = "pmi"
    _RULES = dict(
        dim=integer(1), epochs=integer(0), lr=number(0, low_open=True), x_max=number(0, low_open=True),
        alpha=number(0), truncate=flag, both_orientations=flag, cds=number(0, 1, low_open=True),
        prior_count=number(0), independence_weight=number(0), neg=number(0),
        neg_weight=optional(number(0, low_open=True), "the weight of a single co-occurrence"),
        narrow_window=integer(0), narrow_share=number(0, 1), seed=seed_rule,
        threads=optional(integer(1), "all cores"), dtype=choice("float32", "float64"),
        memory=optional(integer(1), "MemAvailable"),
    )

    @classmethod
    def from_preset(cls, name: str = "default", **overrides: Any) -> "PMITrainer":
        """A trainer with a named preset (``PRESETS``: "default" or "seed") and explicit overrides; overrides
        that are None are left out (the preset's value stays)."""
        return cls(**preset_params(name, **overrides))

    # --- training ---------------------------------------------------------------------------------------
    def fit(
        self,
        corpus: Any,
        callback: Callback | None = None,
        state: dict[str, Any] | None = None,
        on_epoch_end: Callable[[dict[str, Any]], None] | None = None,
        *,
        progress: StageProgress | None = None,
        checkpoint: str | os.PathLike | None = None,
        checkpoint_every: int | None = None,
        resume: bool = False,
        **options: Any,
    ) -> "PMITrainer":
        """Train on ``corpus`` and return ``self``; ``embedding_`` holds the vectors (a ``WordVectors``).

        ``corpus``: co-occurrence counts (a ``Cooccurrence``: ``.matrix`` symmetric CSR, ``.vocab``,
        ``.total_tokens``) or a ``wordvec count`` folder; or text to count first: a token cache, a path or a
        list of paths, an iterable of token lists (gensim's ``sentences``) or of raw strings. Text is read
        with ``options`` (``READING_OPTIONS``: tokenizer [jieba], hmm, user_dict, split_alnum,
        max_line_chars, workers, strict, cache_dir) and counted with ``COUNTING_OPTIONS`` (window [10],
        min_count [5], max_vocab [0], distance_weighting [False], memory [2 GiB]); files are tokenized and
        counted once, then reused from the cache folder, exactly as ``wordvec train`` does.

        ``callback(epoch, loss, seconds)`` is called after each epoch (epoch counted from 1; loss as SPEC b.2);
        ``progress(stage, done, total)`` while tokenizing ("tokenizing", bytes) and counting ("counting",
        tokens), and once as ``progress("resumed", epoch, epochs)`` when a checkpoint is resumed.
        ``checkpoint``: a checkpoint folder (``wordvec.train.checkpoint``); ``checkpoint_every`` [None: never]
        writes one there every N epochs and after the last; ``resume`` [False] continues from it (with
        ``threads=1`` bit-identical to an uninterrupted run). ``state``/``on_epoch_end`` are the raw hooks
        the checkpoints use: ``state`` (``vectors``, ``accum``, ``epoch``, ``loss``, ``seconds``) resumes,
        ``on_epoch_end(state)`` receives it after each epoch.
        Raises ``DivergenceError`` on NaN/Inf (nothing is kept) and ``ResourceError`` when the memory
        estimate exceeds the budget.
        """
        self._begin()
        if checkpoint_every is not None and integer(1)(checkpoint_every) is not None:
            raise InputError(f"checkpoint_every must be an integer >= 1 (got {checkpoint_every!r})")
        if (checkpoint_every or resume) and checkpoint is None:
            raise InputError("checkpoint_every and resume need checkpoint, the folder of the checkpoint")
        counts = self.read_counts(corpus, options, progress)
        hook = on_epoch_end
        self.resumed_epoch_ = 0
        if checkpoint is not None and (checkpoint_every or resume):
            from wordvec.train.checkpoint import counts_fingerprint, load_checkpoint, save_checkpoint

            fingerprint = counts_fingerprint(counts)
            if resume:
                state = load_checkpoint(checkpoint, self.get_params(), fingerprint)
                self.resumed_epoch_ = int(state["epoch"])
                if self.resumed_epoch_ > int(self.epochs):  # issue 19: a run cannot be shortened after the fact
                    raise InputError(f"the checkpoint {checkpoint} is at epoch {self.resumed_epoch_}, beyond "
                                     f"epochs {int(self.epochs)}: resume with epochs {self.resumed_epoch_} or more, "
                                     "or delete the checkpoint", params=("epochs",))
                if progress is not None:
                    progress("resumed", self.resumed_epoch_, int(self.epochs))
            if checkpoint_every:
                every, last = int(checkpoint_every), int(self.epochs)

                def hook(st: dict[str, Any]) -> None:
                    if st["epoch"] % every == 0 or st["epoch"] == last:
                        save_checkpoint(checkpoint, st, self.get_params(), fingerprint)
                    if on_epoch_end is not None:
                        on_epoch_end(st)

        t = time.perf_counter()
        self._train(counts, callback, state, hook)
        self.stage_seconds_["train"] = time.perf_counter() - t
        if int(self.narrow_window) > 0:
            self._add_narrow(counts, options, progress)
        return self

    def _add_narrow(self, counts: Any, options: dict[str, Any], progress: StageProgress | None) -> None:
        """Attach the narrow table (``wordvec.train.narrow``) to ``embedding_`` when the tokens are at hand."""
        from wordvec.train.base import _stage
        from wordvec.train.narrow import EXTRA, narrow_table

        cache = getattr(self, "token_cache_", None)
        if cache is None:
            self.notes_.append("no narrow-window table: it is counted from the tokens, and this model was trained "
                               "from counts (or on Dask); `similar` reads the centred cosine instead. Train from "
                               "the text to get it, or set narrow_window=0 to silence this note")
            return
        if len(counts.vocab) < 3:
            self.notes_.append("no narrow-window table: the vocabulary has fewer than 3 words")
            return
        t = time.perf_counter()
        try:
            table, settings = narrow_table(cache, counts.vocab, int(self.narrow_window), int(self.dim),
                                           float(self.cds), seed=self.seed, progress=_stage(progress, "narrow"))
        except InputError as err:
            if "no co-occurring" not in str(err):
                raise
            self.notes_.append("no narrow-window table: no word pairs within the narrow window")
            return
        emb = self.embedding_
        emb.extras[EXTRA] = table
        emb.meta["narrow"] = dict(settings, share=float(self.narrow_share))
        self.stage_seconds_["narrow table"] = time.perf_counter() - t

    def _train(self, counts: Any, callback: Callback | None, state: dict[str, Any] | None,
               on_epoch_end: Callable[[dict[str, Any]], None] | None) -> None:
        from threadpoolctl import threadpool_limits

        from wordvec.io.atomic import sigint_held
        from wordvec.train._kernels import adagrad_epoch, max_threads, negative_epoch, set_threads
        from wordvec.train.prior import independence_step

        dim, dtype = int(self.dim), np.dtype(self.dtype)
        matrix = counts.matrix
        n_words = len(counts.vocab)
        if n_words < 2 or matrix.nnz == 0:
            raise InputError("no co-occurring word pairs to train on: use a larger corpus or a lower min_count",
                             params=("min_count",))
        n_pairs = int(matrix.nnz) if self.both_orientations else int(matrix.nnz) // 2 + 1
        self._check_memory(n_pairs, n_words, dim)

        t0 = time.perf_counter()
        rec = build_records(counts, both=bool(self.both_orientations), x_max=float(self.x_max),
                            alpha=float(self.alpha), truncate=bool(self.truncate), cds=float(self.cds),
                            prior_count=float(self.prior_count))
        if len(rec) == 0:
            raise InputError("no co-occurring word pairs to train on: use a larger corpus or a lower min_count",
                             params=("min_count",))
        rng = np.random.default_rng(self.seed)
        vectors = rng.uniform(-0.5 / dim, 0.5 / dim, (n_words, dim)).astype(dtype)  # SPEC b.3 init
        order = rng.permutation(len(rec))  # shuffled once (SPEC a.3)
        rows, cols = rec.rows[order], rec.cols[order]
        target = rec.target[order].astype(dtype)
        weight = rec.weight[order].astype(dtype)
        del order
        neg_seed = int(rng.integers(2**31))
        n_neg = int(float(self.neg) * len(rec))
        if n_neg:
            from wordvec.train.targets import log_unigram

            csr = counts.matrix.tocsr(copy=True)
            csr.sort_indices()
            indptr, indices = csr.indptr.astype(np.int64), csr.indices.astype(np.int32)
            del csr
            cum = np.cumsum(np.power(np.asarray(counts.vocab.counts, dtype=np.float64), 0.75))
            bound = (-0.5 * np.log(rec.z) - log_unigram(counts.vocab.counts, rec.total, float(self.cds))).astype(dtype)
            neg_weight = float(self.neg_weight) if self.neg_weight else float((1.0 / float(self.x_max)) ** float(self.alpha))
        accum = np.ones((n_words, dim), dtype=dtype)  # AdaGrad G starts at 1 (SPEC b.3)
        losses: list[float] = []
        seconds: list[float] = []
        start_epoch = 0
        if state is not None:
            vectors = np.array(state["vectors"], dtype=dtype, copy=True)
            accum = np.array(state["accum"], dtype=dtype, copy=True)
            if vectors.shape != (n_words, dim) or accum.shape != (n_words, dim):
                raise InputError("the checkpoint does not match these counts and settings: start without resume",
                                 params=("resume",))
            start_epoch = int(state["epoch"])
            losses = [float(v) for v in state.get("loss", [])]
            seconds = [float(v) for v in state.get("seconds", [])]
        self.setup_seconds_ = time.perf_counter() - t0

        prior_weight = float(self.independence_weight)
        n_parts = PRIOR_STEPS_PER_EPOCH if prior_weight > 0 else 1
        bounds = [len(rec) * k // n_parts for k in range(n_parts + 1)]
        threads = int(self.threads) if self.threads else (os.cpu_count() or 1)
        threads = max(1, min(threads, max_threads()))
        with sigint_held():  # compile or load the kernels first: a Ctrl-C inside numba's compiler is swallowed
            adagrad_epoch(vectors, accum, rows[:0], cols[:0], target[:0], weight[:0], float(self.lr), threads)
            if n_neg:
                negative_epoch(vectors, accum, indptr, indices, cum, bound, bound, neg_weight, float(self.lr), 0,
                               neg_seed, threads)
        # one BLAS thread while training: OpenBLAS's idle threads spin after each prior step's matrix products
        # and take the cores from the numba kernel (about 11% slower epochs on 2 cores, bench/blas_threads.py)
        blas_limit = threadpool_limits(limits=1, user_api="blas")
        previous = set_threads(threads)  # threads is within numba's range: cannot raise
        try:
            for epoch in range(start_epoch + 1, int(self.epochs) + 1):
                t = time.perf_counter()
                cost, skipped = 0.0, 0
                for lo, hi in zip(bounds[:-1], bounds[1:]):  # the prior's step follows each part of the records
                    part_cost, part_skipped = adagrad_epoch(vectors, accum, rows[lo:hi], cols[lo:hi], target[lo:hi],
                                                            weight[lo:hi], float(self.lr), threads)
                    cost, skipped = cost + part_cost, skipped + part_skipped
                    independence_step(vectors, accum, prior_weight / n_parts, float(self.lr))
                loss = cost / len(rec)  # SPEC b.2
                if n_neg:
                    negative_epoch(vectors, accum, indptr, indices, cum, bound, bound, neg_weight, float(self.lr),
                                   n_neg, neg_seed + epoch, threads)
                elapsed = time.perf_counter() - t
                if skipped or not np.isfinite(loss) or not np.isfinite(vectors).all():
                    raise DivergenceError(
                        f"training diverged at epoch {epoch} (loss {loss:.4g}, {skipped} non-finite updates): lower the learning rate "
                        f"(e.g. lr={float(self.lr) / 2:g}) or use truncate; nothing was saved",
                        params=("lr", "truncate")
                    )
                losses.append(float(loss))
                seconds.append(elapsed)
                if callback is not None:
                    callback(epoch, float(loss), elapsed)
                if on_epoch_end is not None:
                    on_epoch_end(dict(vectors=vectors, accum=accum, epoch=epoch, loss=losses, seconds=seconds))
        finally:
            blas_limit.restore_original_limits()
            set_threads(previous)

        self.loss_ = losses
        self.seconds_ = seconds
        self.n_records_ = len(rec)
        self.z_ = rec.z
        self.accumulators_ = accum
        params = dict(self.get_params(), threads=threads)
        meta = self.build_meta(counts, params, z=float(self.z_), records=int(self.n_records_),
                               loss_per_epoch=list(self.loss_), seconds_per_epoch=[round(s, 4) for s in self.seconds_])
        self.embedding_ = WordVectors(vectors, counts.vocab, meta)

    def _check_memory(self, n_pairs: int, n_words: int, dim: int) -> None:
        need = estimate_memory(n_pairs, n_words, dim, self.dtype)
        budget = self.memory if self.memory else available_memory()
        if budget is not None and need > budget:
            raise ResourceError(
                f"training needs about {need / 2**30:.1f} GiB but only {budget / 2**30:.1f} GiB is available: "
                "raise min_count, lower window or dim, or use dtype=float32",
                params=("min_count", "window", "dim", "dtype")
            )


PMIEmbedding = PMITrainer  # the name before issue 18


def preset_params(name: str = "default", **overrides: Any) -> dict[str, Any]:
    """The parameters of a named preset (``PRESETS``) with the overrides that are not None."""
    if name not in PRESETS:
        raise InputError(f"unknown preset {name!r}: use one of {', '.join(PRESETS)}")
    params = dict(PRESETS[name])
    params.update({k: v for k, v in overrides.items() if v is not None})
    return params


__all__ = ["PMITrainer", "PMIEmbedding", "preset_params", "SEED_PRESET", "DEFAULT_PRESET", "PRESETS",
           "estimate_memory", "available_memory"]
