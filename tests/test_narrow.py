"""The narrow-window table behind `similar` (issue 12, wordvec.train.narrow): built from the same tokens as the
PMI model, equal to the SVD of the PPMI of the directional neighbour counts (checked against plain twins), stored and checked with the model,
absent (with a note) when the model is trained from counts, and read by the default `similar`."""
from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp
from click.testing import CliRunner

from wordvec.cli.main import cli
from wordvec.corpora.pipeline import cache_from_sentences
from wordvec.errors import CorruptFileError, InputError
from wordvec.query.embedding import Embedding
from wordvec.query.methods import pair_scorer, resolve
from wordvec.train.narrow import EIG, EXTRA, directional_counts
from wordvec.train.pmi import PMITrainer
from wordvec.train.svd import randomized_svd

WORDS = "甲 乙 丙 丁 戊 己 庚 辛 壬 癸 子 丑 寅 卯 辰 巳 午 未 申 酉".split()
SMALL = dict(dim=6, epochs=2, seed=3, threads=1)


@pytest.fixture(scope="module")
def sentences():
    rng = np.random.default_rng(1)
    out = []
    for _ in range(400):
        group = WORDS[:10] if rng.random() < 0.5 else WORDS[10:]
        out.append([str(w) for w in rng.choice(group, size=int(rng.integers(3, 12)))])
    return out


@pytest.fixture(scope="module")
def corpus_file(sentences, tmp_path_factory):
    path = tmp_path_factory.mktemp("narrow") / "tiny.txt"
    path.write_text("\n".join(" ".join(s) for s in sentences) + "\n", encoding="utf-8")
    return str(path)


def twin_counts(sentences, words, window):
    """Plain-Python directional counts: rows words, columns left neighbours then right neighbours, 1/d."""
    index = {w: k for k, w in enumerate(words)}
    n = len(words)
    out = np.zeros((n, 2 * n))
    for sentence in sentences:
        for i, w in enumerate(sentence):
            for d in range(1, window + 1):
                if i - d >= 0:
                    out[index[w], index[sentence[i - d]]] += 1 / d
                if i + d < len(sentence):
                    out[index[w], n + index[sentence[i + d]]] += 1 / d
    return out


def test_directional_counts_equal_the_plain_twin(sentences):
    cache = cache_from_sentences(sentences)
    emb_vocab = cache.vocab
    for window in (1, 2, 3):
        got = directional_counts(cache, emb_vocab, window).toarray()
        assert np.allclose(got, twin_counts(sentences, list(emb_vocab.words), window))


def test_the_table_is_the_svd_of_the_ppmi_of_the_directional_counts(sentences, tmp_path):
    trainer = PMITrainer(**SMALL, narrow_window=2).fit(sentences, tokenizer="whitespace", min_count=1,
                                                       cache_dir=str(tmp_path))
    emb = trainer.embedding_
    table = emb.extras[EXTRA]
    assert table.shape == (len(emb), 6) and table.dtype == np.float32
    assert emb.meta["narrow"]["window"] == 2 and emb.meta["narrow"]["share"] == 0.5
    assert emb.meta["narrow"]["eig"] == EIG == 0.0
    x = twin_counts(sentences, emb.words, 2)
    pc = x.sum(0) ** 0.75
    pc /= pc.sum()
    with np.errstate(divide="ignore"):
        ppmi = np.maximum(0, np.log(x) - np.log(x.sum(1, keepdims=True)) - np.log(pc))
    u = np.linalg.svd(ppmi)[0][:, :6]
    # eig 0: the table is U itself, up to the sign of each column; compare the projections
    assert np.allclose(table @ table.T, u @ u.T, atol=1e-4)
    assert "narrow table" in trainer.stage_seconds_ and trainer.notes_ == []


def test_randomized_svd_matches_the_dense_svd():
    rng = np.random.default_rng(0)
    low = rng.standard_normal((300, 8)) @ np.diag([50, 40, 30, 20, 10, 8, 6, 5]) @ rng.standard_normal((8, 300))
    dense = low + 0.05 * rng.standard_normal((300, 300))
    u, s = randomized_svd(sp.csr_matrix(dense), 6, seed=1)
    u_ref, s_ref, _ = np.linalg.svd(dense)
    assert np.allclose(s, s_ref[:6], rtol=1e-3)
    # the same subspace: projections agree
    assert np.allclose(u @ u.T, u_ref[:, :6] @ u_ref[:, :6].T, atol=1e-3)


def test_seed_preset_and_narrow_window_0_have_no_table(sentences, tmp_path):
    for trainer in (PMITrainer.from_preset("seed", **SMALL), PMITrainer(**SMALL, narrow_window=0)):
        emb = trainer.fit(sentences, tokenizer="whitespace", min_count=1, cache_dir=str(tmp_path)).embedding_
        assert EXTRA not in emb.extras and "narrow" not in emb.meta
        assert resolve(emb, "default") == "centred"


def test_bad_narrow_values_name_the_parameter():
    for bad in (dict(narrow_window=-1), dict(narrow_window=1.5), dict(narrow_share=1.5),
                dict(narrow_share=float("nan"))):
        with pytest.raises(InputError, match=next(iter(bad))):
            PMITrainer(**bad).check_params()


def test_model_round_trip_and_a_damaged_table_is_refused(sentences, tmp_path):
    emb = PMITrainer(**SMALL).fit(sentences, tokenizer="whitespace", min_count=1,
                                  cache_dir=str(tmp_path / "c")).embedding_
    emb.save(tmp_path / "m")
    back = Embedding.load(tmp_path / "m")
    assert np.array_equal(back.extras[EXTRA], emb.extras[EXTRA])
    assert resolve(back, "default") == "blend" and back.meta["narrow"] == emb.meta["narrow"]
    path = tmp_path / "m" / "extra_narrow.npy"
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="extra_narrow.npy"):
        Embedding.load(tmp_path / "m")


def test_cli_train_from_text_blends_and_from_counts_notes_the_missing_table(corpus_file, tmp_path):
    runner = CliRunner()
    cache = ["--cache-dir", str(tmp_path / "c")]
    common = ["--dim", "6", "--epochs", "2", "--seed", "3", "--threads", "1", "--min-count", "1",
              "--tokenizer", "whitespace", *cache]
    out = runner.invoke(cli, ["train", corpus_file, "-o", str(tmp_path / "m"), "--narrow-share", "0.4", *common])
    assert out.exit_code == 0, out.output
    emb = Embedding.load(tmp_path / "m")
    assert emb.meta["narrow"]["share"] == 0.4 and resolve(emb, "default") == "blend"
    res = runner.invoke(cli, ["similar", str(tmp_path / "m"), WORDS[0], "--topn", "5", "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.output)
    got = got.get("results", got) if isinstance(got, dict) else got
    words = [item["word"] if isinstance(item, dict) else item[0] for item in got]
    assert words == [w for w, _ in emb.most_similar(WORDS[0], topn=5)]
    score = pair_scorer(emb, "blend")
    assert score(0, 1) == pytest.approx(emb.similarity(emb.words[0], emb.words[1]), abs=1e-6)

    assert runner.invoke(cli, ["count", corpus_file, "-o", str(tmp_path / "counts"), "--min-count", "1",
                               "--tokenizer", "whitespace", *cache]).exit_code == 0
    out = runner.invoke(cli, ["train", str(tmp_path / "counts"), "-o", str(tmp_path / "m2"), "--dim", "6",
                              "--epochs", "2", "--seed", "3", "--threads", "1"])
    assert out.exit_code == 0, out.output
    assert "note: no narrow-window table" in out.output
    assert resolve(Embedding.load(tmp_path / "m2"), "default") == "centred"
    res = runner.invoke(cli, ["similar", str(tmp_path / "m2"), WORDS[0], "--method", "narrow"])
    assert res.exit_code != 0 and "narrow-window table" in res.output and "Traceback" not in res.output
