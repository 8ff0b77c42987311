"""Training from Python in one call: ``wordvec.train(corpus, method="pmi", **params) -> Embedding``.

The estimator classes (``PMITrainer``, ``PPMISVD``, ``Word2VecTrainer``) stay the expert route; this module
picks one by name, gives it the parameters it knows and hands the rest to its ``fit`` (reading and counting
options), with the same caches and defaults as ``wordvec train``. It stands on the query floor because it
returns an ``Embedding``.
"""
from __future__ import annotations

import importlib
from typing import Any

from wordvec.errors import InputError
from wordvec.query.embedding import Embedding
from wordvec.train.base import COUNTING_OPTIONS, READING_OPTIONS, Callback, Estimator, StageProgress

# method name -> (module, trainer class)
METHODS = {
    "pmi": ("wordvec.train.pmi", "PMITrainer"),
    "svd": ("wordvec.train.svd", "PPMISVD"),
    "w2v": ("wordvec.word2vec.bridge", "Word2VecTrainer"),
}
# what fit takes besides the corpus and the hyper-parameters
_FIT_OPTIONS = {
    "pmi": READING_OPTIONS + COUNTING_OPTIONS + ("checkpoint", "checkpoint_every", "resume"),
    "svd": READING_OPTIONS + COUNTING_OPTIONS,
    "w2v": READING_OPTIONS,
}


def trainer_class(method: str) -> type[Estimator]:
    """The trainer class of a method name ("pmi", "svd" or "w2v")."""
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    module, name = METHODS[method]
    return getattr(importlib.import_module(module), name)


def make_trainer(method: str = "pmi", preset: str | None = None, **params: Any) -> Estimator:
    """A trainer for ``method`` with ``params`` (None values are left out: the default stays). ``preset``
    ("default" or "seed", PMI only; default "default") chooses the PMI trainer's base settings."""
    cls = trainer_class(method)
    given = {name: value for name, value in params.items() if value is not None}
    unknown = [name for name in given if name not in cls.param_names()]
    if unknown:
        raise InputError(f"{cls.__name__} has no parameter {unknown[0]!r}: use one of {', '.join(cls.param_names())}")
    if method == "pmi":
        trainer = cls.from_preset(preset or "default")  # type: ignore[attr-defined]
    elif preset is not None:
        raise InputError(f"preset applies to method='pmi' only, not {method!r}: leave it out",
                         params=("preset", "method"))
    else:
        trainer = cls()
    return trainer.set_params(**given)


def split_params(method: str, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``params`` split into the trainer's hyper-parameters and its ``fit`` options; unknown names raise
    ``InputError``. A name that is both (``memory`` of the PMI trainer) is a hyper-parameter."""
    cls = trainer_class(method)
    hyper = {k: v for k, v in params.items() if k in cls.param_names()}
    rest = {k: v for k, v in params.items() if k not in hyper}
    unknown = [k for k in rest if k not in _FIT_OPTIONS[method]]
    if unknown:
        known = sorted(set(cls.param_names()) | set(_FIT_OPTIONS[method]))
        raise InputError(f"method {method!r} has no parameter {unknown[0]!r}: use one of {', '.join(known)}")
    return hyper, rest


def train(corpus: Any, method: str = "pmi", *, preset: str | None = None, callback: Callback | None = None,
          progress: StageProgress | None = None, **params: Any) -> Embedding:
    """Train word vectors on ``corpus`` and return them as an ``Embedding``.

    ``corpus``: a text file, a folder, or a list of paths (tokenized once, then reused from the cache folder,
    ``$WORDVEC_CACHE_DIR`` or ``~/.cache/wordvec``, as ``wordvec train`` does); a token cache; an iterable
    of token lists (gensim's ``sentences``); an iterable of raw strings (tokenized like the command line);
    for "pmi" and "svd" also counts (a ``Cooccurrence`` or a ``wordvec count`` folder).
    ``method``: "pmi" [default, ``PMITrainer``], "svd" (``PPMISVD``) or "w2v" (``Word2VecTrainer``).
    ``preset``: "default" or "seed" (PMI only). ``params``: the trainer's hyper-parameters (e.g. ``dim``,
    ``epochs``, ``seed``, ``threads``; see its class) and the options of its ``fit``: reading text
    (tokenizer [jieba], hmm, user_dict, split_alnum, max_line_chars, workers, strict, cache_dir), counting
    for pmi/svd (window [10], min_count [5], max_vocab, distance_weighting, dask: a scheduler such as "local:2"
    or "tcp://host:8786" to count on Dask), checkpoints for pmi
    (checkpoint, checkpoint_every, resume). Defaults are the library's, the same as ``wordvec train``'s; a
    None value means the default. ``callback(epoch, loss, seconds)`` after each epoch;
    ``progress(stage, done, total)`` while tokenizing, counting and training word2vec.
    ``wordvec.train(corpus, threads=1, seed=S)`` gives the vectors of ``wordvec train ... --threads 1 --seed S``.
    """
    hyper, options = split_params(method, {k: v for k, v in params.items() if v is not None})
    trainer = make_trainer(method, preset, **hyper)
    trainer.fit(corpus, callback, progress=progress, **options)  # type: ignore[call-arg]
    return Embedding(trainer.embedding_)  # type: ignore[attr-defined]


__all__ = ["train", "make_trainer", "trainer_class", "split_params", "METHODS"]
