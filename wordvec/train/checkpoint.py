"""Training checkpoints: the state needed to resume ``PMITrainer.fit`` (issue 7).

A checkpoint is a directory written atomically: ``vectors.npy`` and ``accum.npy`` (AdaGrad accumulators),
``state.json`` (epoch, losses, seconds, the hyper-parameters, a fingerprint of the counts and the checksum of
each array file's bytes). The record
order and the initial vectors are functions of the seed, so with ``threads=1`` a resumed run equals an
uninterrupted one bit for bit.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from wordvec.io.atomic import atomic_directory, save_json
from wordvec.io.integrity import checksum_files, verify_files
from wordvec.io.meta import read_artifact_meta
from wordvec.errors import CorruptFileError, InputError, MismatchError

FORMAT_NAME = "wordvec-checkpoint"
FORMAT_VERSION = 1
_ARRAYS = ("vectors.npy", "accum.npy")  # their checksums are in state.json (``checksums``), checked on load
# parameters that must be equal to resume (epochs may grow; threads may change, at the cost of bit-identity)
_MUST_MATCH = ("dim", "lr", "x_max", "alpha", "truncate", "both_orientations", "cds", "prior_count",
               "independence_weight", "neg", "neg_weight", "seed", "dtype")


def counts_fingerprint(counts: Any) -> dict[str, Any]:
    """What identifies the training data: vocabulary checksum, nnz and the count total."""
    return dict(vocab_checksum=counts.vocab.checksum(), nnz=int(counts.matrix.nnz),
                total=float(counts.matrix.sum()))


def default_checkpoint_dir(model_path: str | os.PathLike) -> str:
    """Where ``wordvec train -o MODEL`` keeps its checkpoint: ``MODEL.checkpoint`` beside the model."""
    return os.path.abspath(os.fspath(model_path)).rstrip(os.sep) + ".checkpoint"


def remove_checkpoint(path: str | os.PathLike) -> None:
    """Delete a checkpoint folder (once the model it led to is saved); a missing one is fine."""
    import shutil

    shutil.rmtree(os.fspath(path), ignore_errors=True)


def save_checkpoint(path: str | os.PathLike, state: dict[str, Any], params: dict[str, Any],
                    fingerprint: dict[str, Any]) -> None:
    """Write ``state`` (from ``PMITrainer.fit``'s ``on_epoch_end``) atomically to the directory ``path``."""
    with atomic_directory(path) as tmp:
        np.save(os.path.join(tmp, "vectors.npy"), state["vectors"], allow_pickle=False)
        np.save(os.path.join(tmp, "accum.npy"), state["accum"], allow_pickle=False)
        save_json(os.path.join(tmp, "state.json"), dict(
            format=FORMAT_NAME, format_version=FORMAT_VERSION, epoch=int(state["epoch"]),
            loss=[float(v) for v in state["loss"]], seconds=[float(v) for v in state["seconds"]],
            params={k: params.get(k) for k in _MUST_MATCH}, counts=fingerprint,
            checksums=checksum_files(tmp, list(_ARRAYS)),
        ))


def load_checkpoint(path: str | os.PathLike, params: dict[str, Any], fingerprint: dict[str, Any]) -> dict[str, Any]:
    """Read a checkpoint and check it belongs to these settings and counts; returns the ``state`` for ``fit``."""
    path = os.fspath(path)
    if not os.path.isdir(path):
        raise InputError(f"no checkpoint at {path}: train with checkpoint_every=N first, or drop resume",
                         params=("checkpoint_every", "resume"))
    info = read_artifact_meta(path, filename="state.json", kind=FORMAT_NAME, max_version=FORMAT_VERSION,
                              version_key="format_version", what="checkpoint",
                              remedy=f"delete {path} and train again")
    verify_files(path, info, f"delete {path} and train again", meta_file="state.json")
    try:
        vectors = np.load(os.path.join(path, "vectors.npy"), allow_pickle=False)
        accum = np.load(os.path.join(path, "accum.npy"), allow_pickle=False)
    except (OSError, ValueError, EOFError) as err:
        raise CorruptFileError(f"checkpoint {path} is damaged ({err}); delete it and train again") from None
    saved = info.get("params")
    epoch = info.get("epoch")
    if not isinstance(saved, dict) or isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise CorruptFileError(f"checkpoint {path}: state.json lacks its settings or epoch; delete it and train again")
    saved.setdefault("prior_count", 0.0)  # checkpoints from before the option trained without a pseudo-count
    saved.setdefault("independence_weight", 0.0)  # … or the independence prior
    for key in _MUST_MATCH:
        if saved.get(key) != params.get(key):
            raise MismatchError(f"checkpoint {path} was made with {key}={saved.get(key)!r}, not {params.get(key)!r}: "
                                "resume with the same options or delete the checkpoint")
    if info.get("counts") != fingerprint:
        raise MismatchError(f"checkpoint {path} was trained on other counts: delete it or use the same corpus and options")
    if vectors.shape != accum.shape or not np.isfinite(vectors).all():
        raise CorruptFileError(f"checkpoint {path} holds inconsistent or non-finite arrays; delete it")
    return dict(vectors=vectors, accum=accum, epoch=epoch, loss=info.get("loss", []),
                seconds=info.get("seconds", []))


__all__ = ["save_checkpoint", "remove_checkpoint", "load_checkpoint", "default_checkpoint_dir", "counts_fingerprint"]
