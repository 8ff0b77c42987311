"""gensim's native files and KeyedVectors both ways: .kv, Word2Vec (HS and negative sampling), FastText,
arrays saved beside the file, round trips, and pickles that try to run code."""
from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec.errors import InputError, WordvecError
from wordvec.io.gensim_files import from_keyedvectors, load_gensim_object, to_keyedvectors
from wordvec.query.embedding import Embedding
from wordvec.word2vec.bridge import load_gensim_model

gensim_models = pytest.importorskip("gensim.models")
KeyedVectors, Word2Vec, FastText = gensim_models.KeyedVectors, gensim_models.Word2Vec, gensim_models.FastText

SENTENCES = [["北京", "上海", "天津", "的"], ["上海", "天津", "广州"], ["北京", "广州", "深圳", "的", "上海"]] * 20


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A negative-sampling and an HS Word2Vec, a FastText, each saved (model and .kv) in one folder."""
    folder = tmp_path_factory.mktemp("gensim")
    out = {}
    for name, cls, kwargs in (("ns", Word2Vec, {}), ("hs", Word2Vec, {"hs": 1, "negative": 0}),
                              ("ft", FastText, {}), ("fths", FastText, {"hs": 1, "negative": 0})):
        model = cls(SENTENCES, vector_size=8, min_count=1, epochs=2, workers=1, seed=5, **kwargs)
        model.save(str(folder / f"{name}.model"))
        model.wv.save(str(folder / f"{name}.kv"))
        out[name] = model
    return folder, out


def test_embedding_load_reads_every_gensim_file(models):
    folder, trained = models
    for name in ("ns", "hs", "ft", "fths"):
        wv = trained[name].wv
        model_kind = {"ns": "w2v-ns", "hs": "w2v", "ft": "w2v-ns", "fths": "w2v"}[name]
        for suffix, kind in ((".kv", "external"), (".model", model_kind)):
            emb = Embedding.load(folder / f"{name}{suffix}")
            assert emb.kind == kind, (name, suffix)
            for word in wv.index_to_key:
                np.testing.assert_allclose(emb[word], wv[word], atol=1e-6)
            counts = dict(zip(emb.words, emb.counts.tolist()))
            assert counts == {w: wv.get_vecattr(w, "count") for w in wv.index_to_key}
            assert emb.meta["counts_available"] is True
    ns = Embedding.load(folder / "ns.model")
    assert ns.most_similar("北京", topn=3) == Embedding.from_keyedvectors(trained["ns"].wv).most_similar("北京", topn=3)
    assert ns.meta["negative"] == 5 and ns.meta["hs"] == 0


def test_negative_sampling_model_says_which_readouts_need_hs(models):
    folder, _ = models
    ns = Embedding.load(folder / "ns.model")
    for call in (lambda: ns.most_related("北京"), lambda: ns.keywords(["北京", "上海"]),
                 lambda: ns.predict(["北京"])):
        with pytest.raises(WordvecError, match="negative sampling only .*hs=1"):
            call()
    with pytest.raises(WordvecError, match="needs a PMI model"):
        ns.pmi("北京", "上海")
    hs = Embedding.load(folder / "hs.model")
    assert len(hs.most_related("北京", topn=3)) == 3  # the HS readouts work


def test_import_gensim_cli_accepts_ns_hs_and_kv(models, tmp_path):
    from wordvec.cli.main import cli

    folder, _ = models
    runner = CliRunner()
    for name, kind in (("ns.model", "w2v-ns"), ("hs.model", "w2v"), ("ns.kv", "external")):
        out = tmp_path / name.replace(".", "_")
        result = runner.invoke(cli, ["import-gensim", str(folder / name), "-o", str(out), "--json"])
        assert result.exit_code == 0, result.output
        assert f'"kind": "{kind}"' in result.output
        assert Embedding.load(out).kind == kind
    result = runner.invoke(cli, ["related", str(tmp_path / "ns_model"), "北京"])
    assert result.exit_code == 1 and "negative sampling only" in result.output
    assert result.output.strip().count("\n") == 0


def test_keyedvectors_round_trip_both_ways(models):
    _, trained = models
    wv = trained["ns"].wv
    emb = Embedding.from_keyedvectors(wv)
    assert emb.index_to_key == wv.index_to_key and emb.kind == "external"
    back = emb.to_keyedvectors()
    assert back.index_to_key == wv.index_to_key
    np.testing.assert_array_equal(back.vectors, wv.vectors)
    assert [back.get_vecattr(w, "count") for w in back.index_to_key] == \
           [wv.get_vecattr(w, "count") for w in wv.index_to_key]
    assert back.most_similar("北京", topn=3) == wv.most_similar("北京", topn=3)
    again = Embedding.from_keyedvectors(back)
    np.testing.assert_array_equal(again.vectors, emb.vectors)
    assert again.words == emb.words and np.array_equal(again.counts, emb.counts)
    # an Embedding without counts: a KeyedVectors without the count attribute
    plain = Embedding(np.eye(3, dtype=np.float32), ["a", "b", "c"]).to_keyedvectors()
    assert "count" not in plain.expandos and plain.index_to_key == ["a", "b", "c"]
    assert Embedding.from_keyedvectors(plain).meta["counts_available"] is False
    assert Embedding.from_gensim(trained["hs"]).kind == "w2v"
    assert Embedding.from_gensim(wv).kind == "external"


def test_wordvec_model_to_kv_file_and_back(tmp_path):
    rng = np.random.default_rng(0)
    emb = Embedding(rng.normal(size=(5, 4)).astype(np.float32), ["甲", "乙", "丙", "丁", "戊"])
    emb.to_keyedvectors().save(str(tmp_path / "x.kv"))
    back = Embedding.load(tmp_path / "x.kv")
    np.testing.assert_array_equal(back.vectors, emb.vectors)
    assert back.words == emb.words


def test_large_arrays_saved_beside_the_file_and_mmap(tmp_path):
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(3000)]
    kv = KeyedVectors(10)
    kv.add_vectors(words, rng.normal(size=(len(words), 10)).astype(np.float32))
    kv.save(str(tmp_path / "big.kv"), sep_limit=1000)  # arrays of >= 1000 values go beside the file
    assert (tmp_path / "big.kv.vectors.npy").exists()
    loaded = load_gensim_object(tmp_path / "big.kv", mmap="r")
    assert isinstance(loaded.vectors, np.memmap)
    emb = Embedding.load(tmp_path / "big.kv")
    np.testing.assert_array_equal(emb.vectors, kv.vectors)
    os.remove(tmp_path / "big.kv.vectors.npy")
    with pytest.raises(InputError, match="missing"):
        Embedding.load(tmp_path / "big.kv")


def test_compressed_kv(tmp_path):
    kv = KeyedVectors(3)
    kv.add_vectors(["a", "b"], np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float32))
    kv.save(str(tmp_path / "small.kv.gz"))
    np.testing.assert_array_equal(Embedding.load(tmp_path / "small.kv.gz").vectors, kv.vectors)


# --- pickles that are not gensim files ------------------------------------------------------------------------
class _RunsCode:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _Evaluates:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (eval, (f"open({self.marker!r}, 'w').write('x')",))


def _gensim_shaped(payload) -> bytes:
    """A KeyedVectors pickle with ``payload`` hidden in one of its attributes."""
    kv = KeyedVectors(2)
    kv.add_vectors(["a", "b"], np.eye(2, dtype=np.float32))
    kv.lifecycle_events = [payload]
    return pickle.dumps(kv, protocol=4)


@pytest.mark.parametrize("make", [
    lambda m: pickle.dumps(_RunsCode(m), protocol=4),
    lambda m: pickle.dumps(_Evaluates(m), protocol=2),
    lambda m: _gensim_shaped(_RunsCode(m)),
    lambda m: _gensim_shaped(_Evaluates(m)),
    # hand-written protocol-0 pickle calling subprocess.call via the INST opcode
    lambda m: f"(S'touch'\nS'{m}'\nlp0\nisubprocess\ncall\n.".encode(),
    lambda m: b"\x80\x04" + f"csubprocess\ncall\n(S'touch'\nS'{m}'\nl\x85R.".encode(),
], ids=["os.system", "eval", "in-kv-os.system", "in-kv-eval", "inst-subprocess", "global-subprocess"])
def test_malicious_pickle_is_refused_and_runs_nothing(tmp_path, make):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.kv"
    path.write_bytes(make(str(marker)))
    with pytest.raises(WordvecError) as err:  # protocol 0 is not even taken for a pickle: a bad vector file
        Embedding.load(path)
    assert "\n" not in str(err.value)
    with pytest.raises(InputError):
        load_gensim_model(path)
    assert not marker.exists(), "the pickle ran code"


def test_malicious_pickle_via_cli_is_one_line_error(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.model"
    path.write_bytes(_gensim_shaped(_RunsCode(str(marker))))
    code = ("import sys; from wordvec.cli.main import main; sys.argv=['wordvec','similar',sys.argv[1],'a']; main()")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(__file__))})
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
    assert "os.system" in proc.stderr or "posix.system" in proc.stderr
    assert not marker.exists()


def test_other_pickles_and_garbage_get_a_message(tmp_path):
    cases = {
        "list.pkl": pickle.dumps([1, 2, 3], protocol=4),
        "truncated.kv": _gensim_shaped("fine")[:40],
        "numpy.pkl": pickle.dumps(np.zeros(3), protocol=4),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError) as err:
            load_gensim_object(tmp_path / name)
        assert name in str(err.value) and "\n" not in str(err.value)
    from gensim.models.keyedvectors import Vocab  # a gensim class we do not convert

    (tmp_path / "vocab.pkl").write_bytes(pickle.dumps(Vocab(count=3, index=0), protocol=4))
    with pytest.raises(InputError, match="Vocab"):
        load_gensim_object(tmp_path / "vocab.pkl")


def test_from_keyedvectors_refuses_empty_and_non_string_keys():
    with pytest.raises(InputError, match="no vectors"):
        from_keyedvectors(KeyedVectors(3))
    kv = KeyedVectors(2)
    kv.add_vectors([0, 1], np.eye(2, dtype=np.float32))
    with pytest.raises(InputError, match="not strings"):
        from_keyedvectors(kv)
    assert to_keyedvectors(Embedding(np.eye(2, dtype=np.float32), ["x", "y"])).vector_size == 2


# --- every kind of file we cannot read says what it is ------------------------------------------------------------
def _write_unreadable(tmp_path):
    np.save(tmp_path / "array.npy", np.zeros(3))
    np.savez(tmp_path / "arrays.npz", x=np.zeros(3))
    (tmp_path / "data.json").write_text('{"a": 1}', encoding="utf-8")
    (tmp_path / "model.bin").write_bytes(np.array([793712314, 12], dtype="<i4").tobytes() + b"\0" * 64)
    (tmp_path / "table.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    counts = tmp_path / "counts"
    counts.mkdir()
    (counts / "meta.json").write_text('{"format": "wordvec-cooccurrence", "version": 1}', encoding="utf-8")
    cache = tmp_path / "tokens"
    cache.mkdir()
    (cache / "meta.json").write_text('{"format": "wordvec-token-cache", "version": 1}', encoding="utf-8")
    (tmp_path / "v.txt.wordvec.json").write_text('{"format": "wordvec-export-sidecar"}', encoding="utf-8")
    return {"array.npy": "NumPy array", "arrays.npz": "zip archive", "data.json": "JSON",
            "model.bin": "fastText binary", "table.h5": "HDF5", "counts": "wordvec count", "tokens": "token cache",
            "v.txt.wordvec.json": "sidecar"}


def test_unreadable_files_say_what_they_are(tmp_path):
    from wordvec.cli.main import cli

    for name, what in _write_unreadable(tmp_path).items():
        with pytest.raises(InputError, match=what):
            Embedding.load(tmp_path / name)
        result = CliRunner().invoke(cli, ["similar", str(tmp_path / name), "北京"])
        assert result.exit_code == 1 and what in result.output and result.output.count("\n") == 1, name


def test_glove_file_starting_with_a_bracket_word_still_loads(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_text("[ 0.1 0.2\n] 0.3 0.4\n", encoding="utf-8")
    assert Embedding.load(path).words == ["[", "]"]


def test_restricted_load_equals_gensims_own_load(models):
    from wordvec.word2vec.bridge import from_gensim_model

    folder, _ = models
    for name, cls in (("hs", Word2Vec), ("fths", FastText), ("ns", Word2Vec)):
        ours = Embedding.load(folder / f"{name}.model")
        theirs = Embedding(from_gensim_model(cls.load(str(folder / f"{name}.model"))))
        assert ours.words == theirs.words and ours.kind == theirs.kind
        np.testing.assert_array_equal(ours.vectors, theirs.vectors)
        assert sorted(ours.extras) == sorted(theirs.extras)
        for key in ours.extras:
            np.testing.assert_array_equal(ours.extras[key], theirs.extras[key])
