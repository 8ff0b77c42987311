"""One estimator shape for every trainer (PMI, PPMI-SVD, word2vec; issue 18).

A trainer follows the scikit-learn style: every hyper-parameter is a keyword of ``__init__``, stored as
given; ``__init__`` does no work; ``get_params``/``set_params`` read the names from the ``__init__``
signature (no second list to keep in step); ``fit(corpus, ...)`` returns ``self`` and the learned state ends
in ``_`` (``embedding_``, ``seconds_``, ``stage_seconds_``, ...). Values are checked by per-parameter rules,
in ``set_params`` and again at the start of ``fit``, with one-line messages naming the parameter.

``fit`` takes what a user has at hand: co-occurrence counts (a ``Cooccurrence`` or a ``wordvec count``
folder), a token cache, text paths, token lists (gensim's ``sentences``) or raw strings; ``read_counts`` and
``read_tokens`` turn any of them into what the trainer needs, with the defaults of ``wordvec.corpora``.
``build_meta`` is the one place a model's ``meta.json`` is assembled.
"""
from __future__ import annotations

import inspect
import math
import numbers
import os
import time
from typing import Any, Callable, ClassVar, Mapping

from wordvec.errors import InputError

# progress(stage, done, total): "tokenizing" in input bytes, "counting" in tokens, "word2vec" in 1/1000 epochs
StageProgress = Callable[[str, int, int], None]
# callback(step, loss, seconds): after each epoch (PMI, word2vec) or once after the factorisation (SVD)
Callback = Callable[[int, float, float], None]

# the options that say how raw text becomes tokens (``TokenizerSettings`` and the tokenizing run)
READING_OPTIONS = ("tokenizer", "hmm", "user_dict", "split_alnum", "max_line_chars", "workers", "strict",
                   "cache_dir")
# the options that say how tokens become counts (``wordvec.corpora.count_cached``)
COUNTING_OPTIONS = ("window", "min_count", "max_vocab", "distance_weighting", "memory", "dask")


# --- value rules: each returns what the value must be, or None when it is fine ---------------------------
Rule = Callable[[Any], "str | None"]


def integer(low: int) -> Rule:
    """An integer ``>= low`` (bools refused)."""
    def rule(value: Any) -> str | None:
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= low
        return None if ok else f"an integer >= {low}"
    return rule


def number(low: float = -math.inf, high: float = math.inf, low_open: bool = False, high_open: bool = False) -> Rule:
    """A finite real number in the interval from ``low`` to ``high`` (open ends as given)."""
    left, right = "(" if low_open else "[", ")" if high_open else "]"
    if high == math.inf and low == -math.inf:
        want = "a finite number"
    elif high == math.inf:
        want = f"a finite number {'>' if low_open else '>='} {low:g}"
    else:
        want = f"a number in {left}{low:g}, {high:g}{right}"

    def rule(value: Any) -> str | None:
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
            return want
        if value < low or (low_open and value == low) or value > high or (high_open and value == high):
            return want
        return None
    return rule


def flag(value: Any) -> str | None:
    """True or False."""
    ok = value is True or value is False or getattr(getattr(value, "dtype", None), "kind", "") == "b" or (
        isinstance(value, numbers.Integral) and value in (0, 1))
    return None if ok else "True or False"


def choice(*allowed: Any) -> Rule:
    """One of ``allowed``."""
    def rule(value: Any) -> str | None:
        return None if value in allowed else "one of " + ", ".join(repr(a) for a in allowed)
    return rule


def optional(inner: Rule, meaning: str = "the default") -> Rule:
    """None (``meaning``) or a value ``inner`` accepts."""
    def rule(value: Any) -> str | None:
        if value is None:
            return None
        want = inner(value)
        return None if want is None else f"None ({meaning}) or {want}"
    return rule


def seed_rule(value: Any) -> str | None:
    """None (fresh randomness) or an integer >= 0."""
    return optional(integer(0), "fresh randomness")(value)


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Estimator:
    """The base of every trainer. Subclasses set ``kind`` (the model's ``meta["kind"]``) and ``_RULES``
    (parameter name → rule) and implement ``fit``."""

    kind: ClassVar[str] = ""
    _RULES: ClassVar[Mapping[str, Rule]] = {}

    # --- parameters -------------------------------------------------------------------------------------
    @classmethod
    def param_names(cls) -> tuple[str, ...]:
        """The hyper-parameter names, in ``__init__`` order."""
        return tuple(cls._signature())

    @classmethod
    def param_defaults(cls) -> dict[str, Any]:
        """Each hyper-parameter's default, read from ``__init__``."""
        return {name: p.default for name, p in cls._signature().items()}

    @classmethod
    def _signature(cls) -> dict[str, inspect.Parameter]:
        params = inspect.signature(cls.__init__).parameters
        kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        return {name: p for name, p in params.items() if name != "self" and p.kind in kinds}

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The hyper-parameters as given (``deep`` is accepted for scikit-learn compatibility)."""
        return {name: getattr(self, name) for name in self.param_names()}

    def set_params(self, **params: Any) -> "Estimator":
        """Change hyper-parameters and return ``self``. An unknown name or a bad value raises ``InputError``
        naming the parameter, and then no parameter is changed."""
        names = self.param_names()
        for name in params:
            if name not in names:
                raise InputError(f"{type(self).__name__} has no parameter {name!r}: use one of {', '.join(names)}")
        before = self.get_params()
        for name, value in params.items():
            setattr(self, name, value)
        try:
            self.check_params()
        except InputError:
            for name, value in before.items():
                setattr(self, name, value)
            raise
        return self

    def check_params(self) -> None:
        """Check every hyper-parameter's value; raises ``InputError`` naming the first bad one."""
        for name in self.param_names():
            rule = self._RULES.get(name)
            value = getattr(self, name)
            want = rule(value) if rule is not None else None
            if want is not None:
                raise InputError(f"{name} must be {want} (got {_short(value)})")
        self._check_together()

    def _check_together(self) -> None:
        """Rules that tie parameters together (none by default)."""

    def __repr__(self) -> str:
        defaults = self.param_defaults()
        changed = ", ".join(f"{name}={value!r}" for name, value in self.get_params().items()
                            if not _same(value, defaults.get(name, inspect.Parameter.empty)))
        state = "" if not hasattr(self, "embedding_") else f"  # fitted: {len(self.embedding_)} words"
        return f"{type(self).__name__}({changed}){state}"

    # --- metadata ---------------------------------------------------------------------------------------
    def build_meta(self, data: Any, params: Mapping[str, Any] | None = None, facts: Mapping[str, Any] | None = None,
                   **learned: Any) -> dict[str, Any]:
        """A model's ``meta``: ``kind``, the facts of the training data (``facts``, default ``data_facts(data)``),
        the hyper-parameters (``params``, default ``get_params()``; a trainer may record resolved values, e.g.
        the threads used) and what was learned (``learned``, e.g. loss per epoch); later parts win a clash."""
        return {"kind": self.kind, **(data_facts(data) if facts is None else facts),
                **(self.get_params() if params is None else params), **learned}

    # --- training data ----------------------------------------------------------------------------------
    def _begin(self) -> None:
        self.check_params()
        self.stage_seconds_: dict[str, float] = {}
        self.read_report_ = None
        self.notes_: list[str] = []  # one-line remarks on how the model was built, shown by `wordvec train`
        self.token_cache_ = None  # the tokens counts were made from, when the corpus was text or a token cache

    def read_tokens(self, corpus: Any, options: Mapping[str, Any], progress: StageProgress | None = None) -> Any:
        """The ``TokenCache`` of ``corpus`` (see ``wordvec.corpora.pipeline.corpus_cache``).

        ``options``: any of ``READING_OPTIONS`` (tokenizer: a mode name, a ``TokenizerSettings`` or its dict;
        hmm, user_dict, split_alnum, max_line_chars; workers; strict; cache_dir), defaults as
        ``wordvec tokenize``. Records ``stage_seconds_["tokenize"]`` and ``read_report_``."""
        from wordvec.corpora.pipeline import corpus_cache

        _refuse(options, READING_OPTIONS, "when reading text")
        if _is_count_dir(corpus):
            raise InputError(f"{os.fspath(corpus)} holds counts (`wordvec count`), not tokens: give the text or a "
                             "token cache instead")
        settings = tokenizer_settings(options)
        workers = options.get("workers")
        t = time.perf_counter()
        cache = corpus_cache(corpus, settings, workers=int(workers) if workers else None,
                             cache_dir=options.get("cache_dir"), strict=bool(options.get("strict", False)),
                             progress=_stage(progress, "tokenizing"))
        self.stage_seconds_["tokenize"] = time.perf_counter() - t
        self.read_report_ = getattr(cache, "report", None)
        return cache

    def read_counts(self, corpus: Any, options: Mapping[str, Any], progress: StageProgress | None = None) -> Any:
        """Co-occurrence counts of ``corpus``: a ``Cooccurrence``-like object (``.matrix``) as it is, a
        ``wordvec count`` folder loaded, anything else read with ``read_tokens`` and counted with
        ``COUNTING_OPTIONS`` (window 10, min_count 5, max_vocab 0, distance_weighting False, memory 2 GiB:
        the defaults of ``wordvec.corpora``), reusing counts cached before. Counting options given with
        counts already made raise ``InputError``."""
        from wordvec.corpora.pipeline import count_cached

        _refuse(options, READING_OPTIONS + COUNTING_OPTIONS, "when reading a corpus")
        given = {name: options[name] for name in COUNTING_OPTIONS + READING_OPTIONS if options.get(name) is not None}
        if hasattr(corpus, "matrix") and hasattr(corpus, "vocab") or _is_count_dir(corpus):
            fixed = [name for name in given if name != "cache_dir" and name != "workers"]
            if fixed:
                raise InputError(f"{', '.join(fixed)} cannot change counts already made: count again with "
                                 "those settings, or leave them out")
            if not hasattr(corpus, "matrix"):
                from wordvec.corpora.cooccur import Cooccurrence

                t = time.perf_counter()
                corpus = Cooccurrence.load(os.fspath(corpus))
                self.stage_seconds_["load counts"] = time.perf_counter() - t
            self.nonzero_counts_ = int(corpus.matrix.nnz)
            return corpus
        if given.get("dask"):
            counts = self._count_on_dask(corpus, given, progress)
            self.nonzero_counts_ = int(counts.matrix.nnz)
            return counts
        cache = self.read_tokens(corpus, {k: v for k, v in given.items() if k in READING_OPTIONS}, progress)
        counting = {k: v for k, v in given.items() if k in COUNTING_OPTIONS}
        self.token_cache_ = cache
        t = time.perf_counter()
        counts = count_cached(cache, cache_dir=options.get("cache_dir"), progress=_stage(progress, "counting"),
                              **counting)
        self.stage_seconds_["count"] = time.perf_counter() - t
        self.nonzero_counts_ = int(counts.matrix.nnz)
        return counts


    def _count_on_dask(self, corpus: Any, given: Mapping[str, Any], progress: StageProgress | None) -> Any:
        """Count text files on the Dask scheduler ``given["dask"]`` (``wordvec.corpora.dask_count``) into a
        temporary counts folder in the cache root, load it and remove the folder."""
        import shutil
        import tempfile

        from wordvec.corpora.cache import default_cache_root
        from wordvec.corpora.cooccur import Cooccurrence
        from wordvec.corpora.dask_count import count_on_dask

        inputs = [os.fspath(corpus)] if isinstance(corpus, (str, os.PathLike)) else list(corpus)
        if not inputs or not all(isinstance(p, (str, os.PathLike)) for p in inputs):
            raise InputError("dask counts text files: pass file or folder paths as the corpus")
        root = os.fspath(given.get("cache_dir") or default_cache_root())
        os.makedirs(root, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".wordvec-dask-counts-", dir=root)
        counting = {k: given[k] for k in COUNTING_OPTIONS if k in given and k != "dask"}
        t = time.perf_counter()
        try:
            meta = count_on_dask([os.fspath(p) for p in inputs], os.path.join(tmp, "counts"), str(given["dask"]),
                                 tokenizer_settings(given), strict=bool(given.get("strict", False)),
                                 progress=_stage(progress, "dask"), **counting)
            counts = Cooccurrence.load(os.path.join(tmp, "counts"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        from wordvec.corpora.reader import ReadReport

        self.read_report_ = ReadReport.from_dict(meta.get("report") or {})
        self.stage_seconds_["count on dask"] = time.perf_counter() - t
        return counts


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):
        return False


def _refuse(options: Mapping[str, Any], known: tuple[str, ...], when: str) -> None:
    unknown = [name for name in options if name not in known]
    if unknown:
        raise InputError(f"unknown option {unknown[0]!r} {when}: use one of {', '.join(known)}")


class _StageProgress:
    """``progress(done, total)`` of one stage, calling ``progress(stage, done, total)``. A ``rate_count`` set
    on it (the tokenizer's decompressed text bytes, see ``corpora._parallel``) is passed on to ``progress``
    when that has the attribute too (the command line's bars)."""

    def __init__(self, progress: StageProgress, stage: str):
        self.progress, self.stage = progress, stage

    def __call__(self, done: int, total: int) -> None:
        self.progress(self.stage, done, total)

    @property
    def rate_count(self) -> Any:
        return getattr(self.progress, "rate_count", None)

    @rate_count.setter
    def rate_count(self, value: Any) -> None:
        if hasattr(self.progress, "rate_count"):
            self.progress.rate_count = value


def _stage(progress: StageProgress | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return _StageProgress(progress, stage)


def _is_count_dir(path: Any) -> bool:
    return isinstance(path, (str, os.PathLike)) and os.path.isfile(os.path.join(os.fspath(path), "cooccurrence.npz"))


def tokenizer_settings(options: Mapping[str, Any]) -> Any:
    """``TokenizerSettings`` from ``tokenizer`` (a mode name, settings, or their dict; default jieba) and the
    separate ``hmm``/``user_dict``/``split_alnum``/``max_line_chars`` options; None when none is given."""
    from wordvec.corpora.tokenize import TokenizerSettings

    tokenizer = options.get("tokenizer")
    parts = {name: options[name] for name in ("hmm", "user_dict", "split_alnum", "max_line_chars")
             if options.get(name) is not None}
    if tokenizer is None and not parts:
        return None
    if isinstance(tokenizer, TokenizerSettings):
        base = tokenizer.to_dict()
    elif isinstance(tokenizer, Mapping):
        base = TokenizerSettings.from_dict(tokenizer).to_dict()
    elif tokenizer is None or isinstance(tokenizer, str):
        base = TokenizerSettings().to_dict() if tokenizer is None else dict(TokenizerSettings().to_dict(),
                                                                            mode=tokenizer)
    else:
        raise InputError(f"tokenizer must be a mode name or TokenizerSettings (got {_short(tokenizer)})")
    base.update(parts)
    return TokenizerSettings(mode=base["mode"], hmm=bool(base["hmm"]), user_dict=base["user_dict"],
                             split_alnum=bool(base["split_alnum"]), max_line_chars=int(base["max_line_chars"]))


def data_facts(data: Any) -> dict[str, Any]:
    """What a model records about its training data: ``total_tokens``, ``tokenizer``, ``window``,
    ``distance_weighting`` and ``min_count``, from counts (``Cooccurrence``) or a token cache."""
    src = dict(getattr(data, "meta", None) or {})
    total = getattr(data, "total_tokens", 0) or getattr(data.vocab, "total", 0)
    settings = getattr(data, "settings", None)
    tokenizer = src.get("tokenizer")
    if tokenizer is None and settings is not None:
        tokenizer = settings.to_dict()
    return dict(total_tokens=int(total), tokenizer=tokenizer,
                window=getattr(data, "window", src.get("window")),
                distance_weighting=getattr(data, "distance_weighting", src.get("distance_weighting")),
                min_count=src.get("min_count"))


__all__ = ["Estimator", "READING_OPTIONS", "COUNTING_OPTIONS", "data_facts", "tokenizer_settings", "integer",
           "number", "flag", "choice", "optional", "seed_rule"]
