"""The shared foundation: vocabulary order and files, atomic writes, the model directory, the Embedding container."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec import Embedding
from wordvec.io.atomic import atomic_directory, atomic_output, save_json
from wordvec.cli.main import cli
from wordvec.corpora import Vocabulary
from wordvec.errors import CorruptFileError, InputError, UnknownWordError, WordvecError


def toy_vocab() -> Vocabulary:
    return Vocabulary.from_counts({"我": 2, "爱": 2, "北京": 3, "天安门": 2, "广场": 1})


def test_vocabulary_order_ties_by_word_spec_a5():
    vocab = toy_vocab()
    assert vocab.words == ["北京", "天安门", "我", "爱", "广场"]
    assert vocab.total == 10
    assert vocab.prune(min_count=2).words == ["北京", "天安门", "我", "爱"]
    assert vocab.prune(max_vocab=2).words == ["北京", "天安门"]
    assert vocab["我"] == 2 and "广场" in vocab and "上海" not in vocab
    with pytest.raises(UnknownWordError):
        vocab["上海"]


def test_vocabulary_roundtrip_and_corruption(tmp_path):
    vocab = toy_vocab()
    vocab.save(tmp_path / "vocab.tsv")
    assert Vocabulary.load(tmp_path / "vocab.tsv") == vocab
    (tmp_path / "bad.tsv").write_text("北京\tthree\n", encoding="utf-8")
    with pytest.raises(CorruptFileError, match="bad.tsv:1"):
        Vocabulary.load(tmp_path / "bad.tsv")
    (tmp_path / "latin.tsv").write_bytes(b"\xff\xfe\t3\n")
    with pytest.raises(CorruptFileError, match="not UTF-8"):
        Vocabulary.load(tmp_path / "latin.tsv")
    with pytest.raises(InputError):
        Vocabulary.load(tmp_path / "missing.tsv")


def test_atomic_output_leaves_nothing_on_error(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(RuntimeError):
        with atomic_output(target) as handle:
            handle.write(b"half")
            raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []
    save_json(target, {"a": 1})
    assert json.loads(target.read_text()) == {"a": 1}


def test_atomic_directory_keeps_old_on_error(tmp_path):
    target = tmp_path / "model"
    with atomic_directory(target) as tmp:
        open(os.path.join(tmp, "x"), "w").write("old")
        open(os.path.join(tmp, "meta.json"), "w").write("{}")
    with pytest.raises(KeyboardInterrupt):
        with atomic_directory(target) as tmp:
            open(os.path.join(tmp, "x"), "w").write("new")
            raise KeyboardInterrupt
    assert sorted(os.listdir(tmp_path)) == ["model"]
    assert (target / "x").read_text() == "old"
    (target / "meta.json").unlink()
    with pytest.raises(WordvecError, match="did not write"):
        with atomic_directory(target):
            pass
    assert (target / "x").read_text() == "old"


def test_embedding_roundtrip_and_validation(tmp_path):
    rng = np.random.default_rng(0)
    emb = Embedding(rng.normal(size=(5, 3)).astype(np.float32), toy_vocab(), {"kind": "pmi"},
                    {"syn1": np.ones((4, 3), np.float32)})
    emb.save(tmp_path / "m")
    back = Embedding.load(tmp_path / "m")
    assert back.words == emb.words and np.array_equal(back.vectors, emb.vectors)
    assert back.kind == "pmi" and back.shape == (5, 3) and len(back) == 5 and list(back)[0] == "北京"
    assert np.array_equal(back.extras["syn1"], emb.extras["syn1"])
    assert back["北京"].shape == (3,) and back[["我", "爱"]].shape == (2, 3)
    assert np.allclose(np.linalg.norm(back.unit_vectors, axis=1), 1, atol=1e-6)
    with pytest.raises(UnknownWordError, match="北京"):
        back["北"]
    mapped = Embedding.load(tmp_path / "m", mmap=True)
    assert np.array_equal(mapped.vectors, emb.vectors)

    # a truncated vectors.npy and a future format version are one-line errors
    data = (tmp_path / "m" / "vectors.npy").read_bytes()
    (tmp_path / "m" / "vectors.npy").write_bytes(data[:-7])
    with pytest.raises(CorruptFileError, match="vectors.npy"):
        Embedding.load(tmp_path / "m")
    emb.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    meta["format_version"] = 99
    (tmp_path / "m" / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CorruptFileError, match="upgrade wordvec"):
        Embedding.load(tmp_path / "m")
    with pytest.raises(CorruptFileError, match="NaN"):
        Embedding(np.full((5, 3), np.nan), toy_vocab()).save(tmp_path / "nan")
    assert not (tmp_path / "nan").exists()


def test_cli_version_and_help():
    runner = CliRunner()
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and "wordvec" in result.output
    assert runner.invoke(cli, ["--help"]).exit_code == 0
