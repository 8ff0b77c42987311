"""Issue 7 battery, stage mismatches, corrupt intermediate files and other guards (corpora, wordvec.train).
What every case checks is said in tests/_bad_input_fixtures.py.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from _reliability_helpers import (
    assert_clean_exit,
    assert_nothing_written,
    assert_user_error,
    run,
    snapshot,
    stray_temps,
    tiny_corpus,
    train_args,
)
from _bad_input_fixtures import WS, _bad_utf8_file, base, copy_model, count  # noqa: F401  (pytest fixtures)

pytest.importorskip("wordvec.corpora.cooccur", reason="counting stage not available yet")


# --- stage mismatches and corrupt intermediate files -----------------------------------------------------
def test_counts_with_a_different_vocabulary(base, tmp_path):
    counts = tmp_path / "counts"
    shutil.copytree(base["counts"], counts)
    other = tmp_path / "other.txt"
    other.write_text("子 丑 寅\n卯 辰 巳\n" * 20, encoding="utf-8")
    assert_clean_exit(run("vocab", other, *WS, "--min-count", "1", "-o", tmp_path / "other_vocab.tsv",
                          "--cache-dir", tmp_path / "cache", "-q"), 0)
    shutil.copy(tmp_path / "other_vocab.tsv", counts / "vocab.tsv")
    model = tmp_path / "model"
    res = run("train", counts, "-o", model, "--dim", "4", "--epochs", "1", "-q")
    assert_user_error(res, "vocab.tsv", "different vocabulary")
    assert_nothing_written(model)


def test_resume_from_checkpoint_of_other_counts(base, tmp_path, monkeypatch):
    """A checkpoint made on corpus A must not be resumed on corpus B's counts."""
    import wordvec.train.checkpoint as checkpoint

    model = tmp_path / "model"
    real_save = checkpoint.save_checkpoint

    def save_then_interrupt(*args, **kwargs):
        real_save(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint, "save_checkpoint", save_then_interrupt)
    res = run(*train_args(base["corpus"], model, base["cache"], dim=4, epochs=5, extra=["--checkpoint-every", "1"]))
    err = assert_clean_exit(res, 130)
    assert "--resume" in err
    assert_nothing_written(model)
    ckpt = checkpoint.default_checkpoint_dir(model)
    assert os.path.isdir(ckpt)
    monkeypatch.setattr(checkpoint, "save_checkpoint", real_save)
    other = tiny_corpus(tmp_path / "other.txt", lines=200, seed=5)
    res = run(*train_args(other, model, tmp_path / "cache", dim=4, epochs=5, extra=["--checkpoint-every", "1",
                                                                                   "--resume"]))
    assert_user_error(res, "checkpoint", "other counts")
    assert_nothing_written(model)
    res = run(*train_args(base["corpus"], model, base["cache"], dim=6, epochs=5, extra=["--resume"]))
    assert_user_error(res, "checkpoint", "dim")
    assert os.path.isdir(ckpt)


def test_resume_without_checkpoint(base, tmp_path):
    res = run(*train_args(base["corpus"], tmp_path / "model", base["cache"], extra=["--resume"]))
    assert_user_error(res, "checkpoint", "--resume")
    assert_nothing_written(tmp_path / "model")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "delete"])
def test_corrupt_checkpoint(base, tmp_path, monkeypatch, damage):
    import wordvec.train.checkpoint as checkpoint

    model = tmp_path / "model"
    real_save = checkpoint.save_checkpoint

    def save_then_interrupt(*args, **kwargs):
        real_save(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoint, "save_checkpoint", save_then_interrupt)
    args = train_args(base["corpus"], model, base["cache"], dim=4, epochs=3, extra=["--checkpoint-every", "1"])
    assert_clean_exit(run(*args), 130)
    monkeypatch.setattr(checkpoint, "save_checkpoint", real_save)
    vectors = Path(checkpoint.default_checkpoint_dir(model)) / "accum.npy"
    if damage == "truncate":
        vectors.write_bytes(vectors.read_bytes()[:90])
    elif damage == "garbage":
        vectors.write_bytes(b"\x00" * 300)
    else:
        vectors.unlink()
    assert_user_error(run(*args, "--resume"), "checkpoint")
    assert_nothing_written(model)


@pytest.mark.parametrize("damage", ["truncate-ids", "garbage-offsets", "meta-version", "vocab-edit"])
def test_corrupt_token_cache_as_input(base, tmp_path, damage):
    tokens = tmp_path / "tokens"
    shutil.copytree(base["tokens"], tokens)
    if damage == "truncate-ids":
        data = (tokens / "ids.npy").read_bytes()
        (tokens / "ids.npy").write_bytes(data[: len(data) - 16])
        named = "ids.npy"
    elif damage == "garbage-offsets":
        (tokens / "line_offsets.npy").write_bytes(b"garbage" * 20)
        named = "line_offsets.npy"
    elif damage == "meta-version":
        meta = json.loads((tokens / "meta.json").read_text(encoding="utf-8"))
        meta["version"] = 99
        (tokens / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        named = "meta.json"
    else:
        text = (tokens / "vocab.tsv").read_text(encoding="utf-8")
        (tokens / "vocab.tsv").write_text(text.replace("\t", "x\t", 1), encoding="utf-8")
        named = "vocab.tsv"
    res, out = count(tmp_path, tokens)
    assert_user_error(res, named)
    assert_nothing_written(out)
    assert_user_error(run("vocab", tokens, "-q"), named)


def test_corrupt_keyed_token_cache_is_rebuilt(tmp_path):
    """A damaged cache under --cache-dir is rebuilt from the text, giving the same counts as a clean run."""
    corpus = tiny_corpus(tmp_path / "c.txt", lines=80)
    cache = tmp_path / "cache"
    first = run("vocab", corpus, *WS, "--min-count", "1", "--cache-dir", cache, "--json")
    assert_clean_exit(first, 0)
    (folder,) = [p for p in cache.iterdir() if p.name.startswith("tokens-")]
    (folder / "ids.npy").write_bytes((folder / "ids.npy").read_bytes()[:-12])
    again = run("vocab", corpus, *WS, "--min-count", "1", "--cache-dir", cache, "--json")
    assert_clean_exit(again, 0)
    assert json.loads(again.stdout) == json.loads(first.stdout)
    assert stray_temps(cache) == []


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "asymmetric", "nan"])
def test_corrupt_cooccurrence_npz(base, tmp_path, damage):
    import scipy.sparse as sp

    counts = tmp_path / "counts"
    shutil.copytree(base["counts"], counts)
    npz = counts / "cooccurrence.npz"
    if damage == "truncate":
        npz.write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])
    elif damage == "garbage":
        npz.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    elif damage == "empty":
        npz.write_bytes(b"")
    else:
        matrix = sp.load_npz(npz).tocsr()
        matrix.data = matrix.data.copy()
        coo = matrix.tocoo()
        k = int(np.flatnonzero(coo.row != coo.col)[0])  # an off-diagonal cell
        where = matrix.indptr[coo.row[k]] + np.flatnonzero(matrix.indices[matrix.indptr[coo.row[k]]:
                                                                          matrix.indptr[coo.row[k] + 1]] == coo.col[k])[0]
        matrix.data[where] = np.nan if damage == "nan" else matrix.data[where] + 7
        sp.save_npz(npz, matrix)
    model = tmp_path / "model"
    res = run("train", counts, "-o", model, "--dim", "4", "--epochs", "1", "--threads", "1", "-q")
    assert_user_error(res, "cooccurrence.npz")
    assert_nothing_written(model)


def test_merge_of_incompatible_counts(base, tmp_path):
    other = tmp_path / "counts5"
    assert_clean_exit(run("count", base["corpus"], "-o", other, *WS, "--min-count", "1", "--window", "5",
                          "--cache-dir", base["cache"], "-q"), 0)
    out = tmp_path / "merged"
    assert_user_error(run("merge", base["counts"], other, "-o", out), "window")
    assert_nothing_written(out)



# --- other guards ----------------------------------------------------------------------------------------
def test_divergence_saves_nothing(base, tmp_path):
    model = tmp_path / "model"
    res = run(*train_args(base["corpus"], model, base["cache"], epochs=3, extra=["--lr", "1e30"]))
    assert_user_error(res, "diverged", "--lr")
    assert_nothing_written(model)


def test_output_is_an_existing_file(base, tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me\n", encoding="utf-8")
    before = snapshot(target)
    assert_user_error(run(*train_args(base["corpus"], target, base["cache"])), "taken")
    res, _ = count(tmp_path, base["corpus"], extra=["-o", str(target)])
    assert_user_error(res, "taken")
    assert_nothing_written(target, previous=before)


def test_failed_train_keeps_previous_model(base, tmp_path):
    model = copy_model(base, tmp_path)
    before = snapshot(model)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert_user_error(run(*train_args(empty, model, tmp_path / "cache")), "empty")
    assert_nothing_written(model, previous=before)


def test_bad_option_values_are_usage_errors(base, tmp_path):
    for extra in (["--dim", "0"], ["--epochs", "-1"], ["--memory", "lots"]):
        res = run(*train_args(base["corpus"], tmp_path / "model", base["cache"]), *extra)
        assert_clean_exit(res, 2)
    assert_nothing_written(tmp_path / "model")


def test_bad_memory_is_a_usage_error_in_count(base, tmp_path):
    assert_clean_exit(run("count", base["corpus"], "-o", tmp_path / "c", "--memory", "lots"), 2)


def test_artifacts_honour_umask(base):
    old = os.umask(0o022)
    os.umask(old)
    model = base["model"]
    assert (model.stat().st_mode & 0o777) == 0o777 & ~old
    for name in ("vectors.npy", "vocab.tsv", "meta.json"):
        assert ((model / name).stat().st_mode & 0o777) == 0o666 & ~old, name
    assert (base["w2v"].stat().st_mode & 0o777) == 0o666 & ~old


def test_training_that_cannot_fit_in_memory_is_refused(base, tmp_path):
    model = tmp_path / "model"
    res = run(*train_args(base["corpus"], model, base["cache"], dim=4_000_000_000, epochs=1))
    assert "--dim" in assert_clean_exit(res, 2)  # beyond the option's range (issue 19): a usage error
    assert_nothing_written(model)


@pytest.mark.parametrize("name", ["cut.txt.gz", "fake.txt.xz", "fake.txt.bz2"])
def test_broken_compressed_input(tmp_path, name):
    import gzip

    path = tmp_path / name
    if name.endswith(".gz"):
        data = gzip.compress(("甲 乙 丙 丁\n" * 20000).encode())
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_text("甲 乙 丙 丁\n" * 100, encoding="utf-8")  # plain text under a compressed name
    res, out = count(tmp_path, path)
    assert_user_error(res, name)
    assert_nothing_written(out)


def test_missing_user_dict(base, tmp_path):
    res, out = count(tmp_path, base["corpus"], extra=["--tokenizer", "jieba", "--user-dict",
                                                             str(tmp_path / "nodict.txt")])
    assert_user_error(res, "nodict.txt")
    assert_nothing_written(out)


def test_empty_stdin(tmp_path):
    out = tmp_path / "out"
    res = run("count", "-", "-o", out, *WS, "--min-count", "1", "-q", input="")
    assert_user_error(res, "stdin", "empty")
    assert_nothing_written(out)


@pytest.mark.parametrize("content", [None, b"", b"\x00\xff" * 500, "甲\t乙\t很多\n".encode()],
                         ids=["missing", "empty", "binary", "not-a-number"])
def test_bad_evaluation_dataset(base, tmp_path, content):
    path = tmp_path / "pairs.txt"
    if content is not None:
        path.write_bytes(content)
    assert_user_error(run("evaluate", base["model"], path), "pairs.txt")


def test_export_onto_a_directory(base, tmp_path):
    (tmp_path / "folder").mkdir()
    assert_clean_exit(run("export", base["model"], "-o", tmp_path / "folder"), 2)  # click: a file was asked
    assert list((tmp_path / "folder").iterdir()) == []


@pytest.mark.parametrize("command", ["train", "count", "merge", "train-dot"])
def test_output_folder_with_user_files_is_not_deleted(base, tmp_path, monkeypatch, command):
    data = tmp_path / "data"
    data.mkdir()
    corpus = data / "corpus.txt"
    corpus.write_bytes(base["corpus"].read_bytes())
    (data / "notes.txt").write_text("precious\n", encoding="utf-8")
    before = snapshot(data)
    if command == "train":
        res = run(*train_args(corpus, data, tmp_path / "cache", dim=4, epochs=1))
    elif command == "train-dot":
        monkeypatch.chdir(data)
        res = run(*train_args("corpus.txt", ".", tmp_path / "cache", dim=4, epochs=1))
    elif command == "count":
        res = run("count", corpus, "-o", data, *WS, "--min-count", "1", "--cache-dir", tmp_path / "cache", "-q")
    else:
        res = run("merge", base["counts"], "-o", data, "-q")
    assert_user_error(res, "data" if command != "train-dot" else "")
    assert snapshot(data) == before


def test_keywords_stdin_invalid_utf8(base):
    done = subprocess.run([sys.executable, "-m", "wordvec", "keywords", str(base["model"])],
                          input="甲 乙\n".encode() + b"\xff\xfe \xe4\xb8\x99\n", capture_output=True, timeout=120)
    err = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    assert done.returncode in (0, 1)
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith(("error:", "warning:", "note:")) for line in lines), err


def test_invalid_utf8_in_evaluation_file(base, tmp_path):
    path = tmp_path / "pairs.txt"
    path.write_bytes("甲\t乙\t5\n".encode() + b"\xff\t\xe4\xb8\x99\t3\n")
    assert_user_error(run("evaluate", base["model"], path), "pairs.txt:2", "UTF-8")


def test_line_cap_keeps_whitespace_tokens_whole(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_text("aaaa bbbb cccc dddd eeee\n", encoding="utf-8")
    res = run("vocab", path, *WS, "--max-line-chars", "7", "--min-count", "1", "--cache-dir", tmp_path / "c", "--json")
    assert_clean_exit(res, 0)
    assert sorted(item["word"] for item in json.loads(res.stdout)) == ["aaaa", "bbbb", "cccc", "dddd", "eeee"]


def test_export_to_a_named_pipe(base, tmp_path):
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        res = run("export", base["model"], "-o", fifo)
        data = b""
        while True:
            try:
                chunk = os.read(reader, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the named pipe was replaced by a regular file"
    assert_clean_exit(res, 0)
    assert data == base["w2v"].read_bytes()


@pytest.mark.slow  # importing gensim alone takes ~6 s on the loaded CI machine
@pytest.mark.parametrize("content", [b"garbage\n", b"", bytes(range(256)) * 8], ids=["text", "empty", "binary"])
def test_import_gensim_of_a_non_gensim_file(tmp_path, content):
    path = tmp_path / "not.model"
    path.write_bytes(content)
    out = tmp_path / "imported"
    assert_user_error(run("import-gensim", path, "-o", out), "not.model")
    assert_nothing_written(out)


def test_duplicate_words_in_vector_file(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("3 3\n甲 0.1 0.2 0.3\n甲 0.1 0.2 0.4\n乙 0.4 0.5 0.6\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    assert_user_error(run("export", path, "-o", out, "--strict"), "dup.txt:3", "duplicate")
    assert_nothing_written(out)
    err = assert_clean_exit(run("export", path, "-o", out), 0)
    assert any(line.startswith("warning:") and "duplicate" in line for line in err.splitlines()), err
    assert out.read_text(encoding="utf-8").splitlines()[0] == "2 3"


@pytest.mark.parametrize("command", ["count", "train"])
def test_invalid_utf8_is_reported_by_count_and_train(tmp_path, command):
    bad = _bad_utf8_file(tmp_path)
    if command == "count":
        res, _ = count(tmp_path, bad)
    else:
        res = run(*train_args(bad, tmp_path / "model", tmp_path / "cache", dim=4, epochs=1))
    err = assert_clean_exit(res, 0)
    assert any(line.startswith("warning:") and "UTF-8" in line and "bad.txt:51" in line for line in err.splitlines())


def test_train_strict_refuses_invalid_utf8(tmp_path):
    bad = _bad_utf8_file(tmp_path)
    res = run(*train_args(bad, tmp_path / "model", tmp_path / "cache", dim=4, epochs=1), "--strict")
    assert_user_error(res, "bad.txt:51", "UTF-8")
    assert_nothing_written(tmp_path / "model")


def test_train_on_counts_with_conflicting_window(base, tmp_path):
    model = tmp_path / "model"
    res = run("train", base["counts"], "-o", model, "--window", "7", "--dim", "4", "--epochs", "1", "-q")
    _, _, err = res.exit_code, res.stdout, res.stderr
    assert res.exit_code in (1, 2) and "--window" in err, err
    assert_nothing_written(model)
