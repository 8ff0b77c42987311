"""Content checksums of every artifact we write, not only models (issue 19, "Content integrity").

Counts directories (plain, streamed under a small ``--memory``, merged), shard directories and training
checkpoints store the checksum of each file's bytes (``checksums`` in ``meta.json`` / ``state.json``); the
token cache has CRC32s of its arrays and checks its counts against the ids. One changed byte in any file is a
one-line error naming the file and the field, from a real process: exit 1, one stderr line, no traceback,
nothing written. Artifacts of an older wordvec, without checksums, still load.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from _reliability_helpers import (assert_clean_exit, assert_nothing_written, assert_user_error, run, run_process,
                                  tiny_corpus, train_args)
from wordvec.errors import CorruptFileError

ROOT = Path(__file__).resolve().parents[1]
WS = ["--tokenizer", "whitespace", "--workers", "1", "--min-count", "1", "--window", "3", "-q"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("sums")
    corpus = tiny_corpus(root / "corpus.txt")
    cache = root / "cache"
    out = {"corpus": corpus, "cache": cache}
    for name, extra in (("counts", []), ("streamed", ["--memory", "64K"]), ("shards", ["--shards"])):
        out[name] = root / name
        assert_clean_exit(run("count", corpus, "-o", out[name], *WS, "--cache-dir", cache, *extra), 0)
    out["merged"] = root / "merged"
    assert_clean_exit(run("merge", out["counts"], out["shards"], "-o", out["merged"], "-q"), 0)
    out["tokens"] = root / "tokens"
    assert_clean_exit(run("tokenize", corpus, "-o", out["tokens"], "--tokenizer", "whitespace", "--workers", "1",
                          "-q"), 0)
    return out


def _flip(path: Path, where: float = 0.7) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * where)] ^= 0x01
    path.write_bytes(bytes(data))


def _change_a_count(path: Path) -> None:
    """One digit more in the first count: the order stays valid, so only the checksum can tell."""
    lines = path.read_text(encoding="utf-8").splitlines()
    word, count = lines[0].split("\t")
    lines[0] = f"{word}\t{count}9"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("kind", ["counts", "streamed", "shards", "merged"])
def test_every_counts_file_has_a_checksum(built, kind):
    meta = json.loads((built[kind] / "meta.json").read_text(encoding="utf-8"))
    files = sorted(p.name for p in built[kind].iterdir() if p.name != "meta.json")
    assert sorted(meta["checksums"]) == files
    assert all(v.startswith(("xxh3-64:", "crc32:")) for v in meta["checksums"].values())


@pytest.mark.parametrize("kind, name, damage", [
    ("counts", "vocab.tsv", _change_a_count),
    ("counts", "cooccurrence.npz", _flip),
    ("streamed", "cooccurrence.npz", lambda p: _flip(p, 0.95)),
    ("merged", "vocab.tsv", _change_a_count),
])
def test_flipped_byte_in_counts_is_named_by_train(built, tmp_path, kind, name, damage):
    folder = tmp_path / kind
    shutil.copytree(built[kind], folder)
    damage(folder / name)
    model = tmp_path / "model"
    result = run_process("train", folder, "-o", model, "--dim", "4", "--epochs", "1", "-q", cwd=ROOT)
    assert_user_error(result, f"{folder / name}", f"checksums.{name}")
    assert_nothing_written(model)


@pytest.mark.parametrize("kind, name", [("shards", "vocab.tsv"), ("shards", "run-000000.keys.npy"),
                                        ("shards", "run-000000.values.npy"), ("counts", "cooccurrence.npz")])
def test_flipped_byte_in_a_merge_input_is_named_by_merge(built, tmp_path, kind, name):
    folder = tmp_path / kind
    shutil.copytree(built[kind], folder)
    if name == "vocab.tsv":
        _change_a_count(folder / name)
    else:
        _flip(folder / name, 0.5)
    other = built["counts"] if kind == "shards" else built["shards"]
    out = tmp_path / "out"
    result = run_process("merge", folder, other, "-o", out, "-q", cwd=ROOT)
    assert_user_error(result, name, f"checksums.{name}")
    assert_nothing_written(out)


def test_flipped_byte_in_the_token_cache(built, tmp_path):
    folder = tmp_path / "tokens"
    shutil.copytree(built["tokens"], folder)
    _flip(folder / "ids.npy", 0.9)
    out = tmp_path / "out"
    result = run_process("count", folder, "-o", out, *WS, cwd=ROOT)
    assert_user_error(result, "ids.npy")
    assert_nothing_written(out)


@pytest.fixture()
def checkpoint(built, tmp_path, monkeypatch):
    """A checkpoint left by a run interrupted after its first epoch, and the arguments to resume it."""
    import wordvec.train.checkpoint as ckpt

    real = ckpt.save_checkpoint

    def save_then_stop(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(ckpt, "save_checkpoint", save_then_stop)
    model = tmp_path / "model"
    args = train_args(built["corpus"], model, built["cache"], dim=4, epochs=3, extra=["--checkpoint-every", "1"])
    assert_clean_exit(run(*args), 130)
    monkeypatch.setattr(ckpt, "save_checkpoint", real)
    return Path(ckpt.default_checkpoint_dir(model)), args, model


def test_checkpoint_stores_checksums(checkpoint):
    folder, _, _ = checkpoint
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    assert sorted(state["checksums"]) == ["accum.npy", "vectors.npy"]


@pytest.mark.parametrize("name", ["vectors.npy", "accum.npy"])
def test_flipped_byte_in_a_checkpoint_is_named_on_resume(checkpoint, name):
    folder, args, model = checkpoint
    _flip(folder / name, 0.8)  # inside the float data: np.load alone would accept it
    result = run_process(*args, "--resume", cwd=ROOT)
    assert_user_error(result, name, f"state.json field checksums.{name}")
    assert_nothing_written(model)
    assert folder.is_dir()  # the checkpoint is kept for the user to look at


def test_intact_checkpoint_resumes(checkpoint):
    _, args, model = checkpoint
    assert_clean_exit(run_process(*args, "--resume", cwd=ROOT), 0)
    assert (model / "vectors.npy").is_file()


def test_python_api_names_file_and_field(built, tmp_path):
    from wordvec.corpora.cooccur import Cooccurrence

    folder = tmp_path / "counts"
    shutil.copytree(built["counts"], folder)
    _change_a_count(folder / "vocab.tsv")
    with pytest.raises(CorruptFileError, match=r"vocab\.tsv: content checksum differs from meta\.json field "
                                               r"checksums\.vocab\.tsv") as info:
        Cooccurrence.load(folder)
    assert "\n" not in str(info.value)


def test_counts_without_checksums_still_load(built, tmp_path):
    from wordvec.corpora.cooccur import Cooccurrence

    folder = tmp_path / "counts"
    shutil.copytree(built["counts"], folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    del meta["checksums"]
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert Cooccurrence.load(folder).matrix.nnz > 0


@pytest.mark.parametrize("entry, what", [
    ({"../meta.json": "crc32:00000000"}, "checksums"),
    ({"gone.npy": "crc32:00000000"}, "missing"),
    ({"vocab.tsv": "md5:00"}, "checksums.vocab.tsv"),
    ([], "checksums"),
])
def test_odd_checksum_entries_are_one_line_errors(built, tmp_path, entry, what):
    from wordvec.corpora.cooccur import Cooccurrence

    folder = tmp_path / "counts"
    shutil.copytree(built["counts"], folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["checksums"] = entry
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(CorruptFileError, match=what) as info:
        Cooccurrence.load(folder)
    assert "\n" not in str(info.value)
