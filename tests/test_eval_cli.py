"""`wordvec evaluate` and `wordvec export` through click's CliRunner."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec.cli.main import cli
from wordvec.io.vocab import Vocabulary
from wordvec.query.embedding import Embedding
from wordvec.io.formats import load_vectors, save_word2vec_format

WORDS = ["man", "woman", "king", "queen", "france", "paris", "italy", "rome", "中国", "北京"]


@pytest.fixture
def model_dir(tmp_path):
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((len(WORDS), 6)).astype(np.float32)
    vectors[3] = vectors[2] - vectors[0] + vectors[1]  # queen = king - man + woman
    emb = Embedding(vectors, Vocabulary(WORDS, np.arange(len(WORDS), 0, -1)), {"kind": "pmi"})
    path = tmp_path / "model"
    emb.save(path)
    return str(path)


@pytest.fixture
def datasets(tmp_path):
    pairs = tmp_path / "pairs.txt"
    pairs.write_bytes("man\twoman\t8\r\nking\t queen\t9\r\nparis\trome\t5\r\n中国\t北京\t7\r\nfoo\tbar\t1".encode())
    analogy = tmp_path / "analogy.txt"
    analogy.write_text(": royal\nman woman king queen\nman woman king prince\n", encoding="utf-8")
    return str(pairs), str(analogy)


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_evaluate_table(model_dir, datasets):
    result = run("evaluate", model_dir, *datasets, "-q")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().split("\n")
    assert lines[0].split()[:4] == ["dataset", "kind", "spearman", "pearson"]
    assert lines[2].startswith("pairs") and "4" in lines[2].split() and "5" in lines[2].split()
    assert lines[3].startswith("analogy") and "1.0000" in lines[3]


def test_evaluate_json_contract(model_dir, datasets):
    result = run("evaluate", model_dir, *datasets, "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert set(data) == {"pairs", "analogy"}
    assert data["pairs"]["covered"] == 4 and data["pairs"]["total"] == 5
    assert data["pairs"]["missing"] == ["foo", "bar"] and isinstance(data["pairs"]["spearman"], float)
    assert data["analogy"]["accuracy"] == 1.0 and data["analogy"]["covered"] == 1 and data["analogy"]["total"] == 2
    wrong = json.loads(run("evaluate", model_dir, datasets[1], "--json", "--oov", "wrong").output)
    assert wrong["analogy"]["accuracy"] == 0.5 and wrong["analogy"]["oov"] == "wrong"


def test_evaluate_on_vector_file_and_options(model_dir, datasets, tmp_path):
    exported = tmp_path / "v.bin"
    assert run("export", model_dir, "-o", str(exported), "--format", "word2vec-binary").exit_code == 0
    result = run("evaluate", str(exported), datasets[0], "--json", "--restrict-vocab", "4", "--case-sensitive")
    data = json.loads(result.output)["pairs"]
    assert data["covered"] == 2  # man/woman, king/queen are in the 4 most frequent words


@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary", "glove"])
def test_export_round_trip(model_dir, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    result = run("export", model_dir, "-o", str(out), "--format", fmt)
    assert result.exit_code == 0
    got = load_vectors(str(out))
    original = Embedding.load(model_dir)
    assert got.words == original.words
    np.testing.assert_array_equal(got.vectors, original.vectors)
    if fmt != "glove":
        from gensim.models import KeyedVectors

        kv = KeyedVectors.load_word2vec_format(str(out), binary=fmt == "word2vec-binary")
        np.testing.assert_array_equal(kv.vectors, original.vectors)
        unit = original.unit_vectors
        sims = unit @ unit[0]
        sims[0] = -np.inf
        assert kv.most_similar("man", topn=3)[0][0] == original.words[int(np.argmax(sims))]


def test_user_errors_are_one_line_exit_1_and_leave_nothing(model_dir, datasets, tmp_path):
    runner = CliRunner()
    cases = [
        ["evaluate", str(tmp_path / "nope"), datasets[0]],
        ["evaluate", model_dir, str(tmp_path / "missing.txt")],
        ["export", str(tmp_path / "nope"), "-o", str(tmp_path / "x.txt")],
    ]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"2 3\nfoo 1 2 3\n")
    cases.append(["export", str(bad), "-o", str(tmp_path / "y.txt")])
    cases.append(["evaluate", str(bad), datasets[0]])
    for args in cases:
        result = runner.invoke(cli, args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output.startswith("error: ") and result.output.count("\n") == 1, result.output
        assert "Traceback" not in result.output
    assert not os.path.exists(tmp_path / "x.txt") and not os.path.exists(tmp_path / "y.txt")
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]


def test_usage_error_exit_2(model_dir, tmp_path):
    assert CliRunner().invoke(cli, ["export", model_dir, "-o", str(tmp_path)]).exit_code == 2  # -o is a folder
    assert CliRunner().invoke(cli, ["evaluate", model_dir]).exit_code == 2
    assert CliRunner().invoke(cli, ["export", model_dir, "-o", "x", "--format", "npy"]).exit_code == 2


def test_builtin_dataset_names(tmp_path):
    from gensim.test.utils import datapath

    with open(datapath("wordsim353.tsv"), encoding="utf-8") as handle:
        words = sorted({w.lower() for line in handle if not line.startswith("#") for w in line.split("\t")[:2]})
    rng = np.random.default_rng(0)
    emb = Embedding(rng.standard_normal((len(words), 4)).astype(np.float32), Vocabulary(words, [1] * len(words)))
    path = tmp_path / "v.txt"
    save_word2vec_format(emb, path)
    data = json.loads(run("evaluate", str(path), "wordsim353", "--json").output)
    assert data["wordsim353"]["covered"] == data["wordsim353"]["total"] == 353


def test_cli_agrees_with_gensim_on_exported_gensim_model(tmp_path):
    from gensim.models import Word2Vec
    from gensim.test.utils import datapath

    with open(datapath("wordsim353.tsv"), encoding="utf-8") as handle:
        pairs = [line.split("\t")[:2] for line in handle if not line.startswith("#")]
    with open(datapath("questions-words.txt"), encoding="utf-8") as handle:
        sentences = [line.split() for line in handle if not line.startswith(":")][::4]
    sentences += [[w.lower() for w in pair] * 2 for pair in pairs[:300]]
    kv = Word2Vec(sentences, vector_size=24, window=3, min_count=1, workers=1, seed=2, epochs=3, sg=1).wv
    path = tmp_path / "g.bin"
    kv.save_word2vec_format(str(path), binary=True)
    data = json.loads(run("evaluate", str(path), "wordsim353", "questions-words", "--json").output)
    _, spearman, _ = kv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    score, _ = kv.evaluate_word_analogies(datapath("questions-words.txt"))
    assert abs(data["wordsim353"]["spearman"] - spearman.statistic) < 1e-6
    assert data["questions-words"]["accuracy"] == pytest.approx(score, abs=1e-12)


def test_vector_file_repairs_warn_on_one_line_and_strict_fails(datasets, tmp_path):
    vectors = tmp_path / "dup.txt"
    vectors.write_bytes(b"man 1 0\nwoman 0 1\nman 1 1\nking 1 0.5\nqueen 0.5 1\n")
    result = CliRunner().invoke(cli, ["evaluate", str(vectors), datasets[0], "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["pairs"]["covered"] == 2
    assert [line for line in result.stderr.splitlines() if line.startswith("warning:")] == [
        line for line in result.stderr.splitlines()] and "duplicate" in result.stderr
    strict = CliRunner().invoke(cli, ["export", str(vectors), "-o", str(tmp_path / "o.txt"), "--strict"])
    assert strict.exit_code == 1 and "duplicate word 'man'" in strict.output
    assert not (tmp_path / "o.txt").exists()
