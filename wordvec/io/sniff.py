"""Naming the files wordvec cannot load as a model, so the error can say what the file is and what to do.

``unreadable_reason(path)`` looks at a path given as a model (its first bytes, or a folder's ``meta.json``)
and returns a one-line message for the kinds users plausibly pass by mistake — NumPy ``.npy``/``.npz``, a
Facebook fastText ``.bin``, HDF5, JSON, a sidecar, a zip or tar archive, wordvec's own counts, shard,
token-cache and checkpoint folders — or ``None`` when the path may be a model or vector file (the readers
then report their own, more precise problems).
"""
from __future__ import annotations

import json
import os

_FASTTEXT_MAGIC = (793712314).to_bytes(4, "little")

_FOLDERS = {
    "wordvec-cooccurrence": "a `wordvec count` directory (co-occurrence counts), not a model: train one with "
                            "`wordvec train {path} -o MODEL`",
    "wordvec-cooccurrence-shards": "a shard directory of `wordvec count --shards`, not a model: merge it with "
                                   "`wordvec merge {path} -o COUNTS`, then `wordvec train COUNTS -o MODEL`",
    "wordvec-token-cache": "a token cache (tokenized text), not a model: train one with "
                           "`wordvec train {path} -o MODEL`",
    "wordvec-checkpoint": "a training checkpoint, not a model: finish the run with the same `wordvec train` "
                          "command and --resume",
}


def _folder_reason(path: str) -> str | None:
    meta = os.path.join(path, "meta.json")
    if not os.path.isfile(meta):
        return None
    try:
        with open(meta, encoding="utf-8") as handle:
            found = json.load(handle).get("format")
    except (OSError, ValueError, AttributeError):
        return None
    text = _FOLDERS.get(found)
    return f"{path} is {text.format(path=path)}" if text else None


def _vector_row(line: bytes) -> bool:
    """A GloVe row (``word x1 … xd``) may start with a bracket word; JSON never has numbers after it."""
    parts = line.split()
    try:
        return len(parts) >= 2 and all(float(p) == float(p) for p in parts[1:])
    except ValueError:
        return False


def unreadable_reason(path: str | os.PathLike) -> str | None:
    """A one-line "what this is and what to do" for a path that is not a model or vector file, else None."""
    path = os.fspath(path)
    if os.path.isdir(path):
        return _folder_reason(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(512)
    except OSError:
        return None
    if path.endswith(".wordvec.json"):
        return (f"{path} is the sidecar of an exported vector file; give the vector file beside it "
                f"({os.path.basename(path)[:-len('.wordvec.json')]})")
    if head.startswith(b"\x93NUMPY"):
        return (f"{path} is a NumPy array (.npy), not a model: give the model directory that holds it, or build "
                "one in Python with Embedding(np.load(path), words)")
    if head.startswith(b"PK\x03\x04"):
        return (f"{path} is a zip archive (or NumPy .npz): unpack it and give the model directory or the vector "
                "file inside")
    if head[:4] == _FASTTEXT_MAGIC:
        return (f"{path} is a Facebook fastText binary model: load it with gensim's "
                "gensim.models.fasttext.load_facebook_vectors and convert it with Embedding.from_keyedvectors, "
                "or use the .vec text file fastText writes beside it")
    if head.startswith(b"\x89HDF"):
        return f"{path} is an HDF5 file, not word vectors: export the vectors as word2vec text first"
    if len(head) > 262 and head[257:262] == b"ustar":
        return f"{path} is a tar archive: unpack it and give the model directory or the vector file inside"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"[") and not _vector_row(stripped.split(b"\n", 1)[0]):
        return (f"{path} looks like a JSON file, not word vectors: give a model directory, a word2vec/GloVe "
                "file or a gensim file")
    return None


__all__ = ["unreadable_reason"]
