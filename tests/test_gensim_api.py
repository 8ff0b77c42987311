"""gensim's KeyedVectors names on ``Embedding``: each compared with gensim 4 on the same vectors (1e-6)."""
from __future__ import annotations

import numpy as np
import pytest

from wordvec.errors import InputError, UnknownWordError
from wordvec.query.embedding import Embedding

KeyedVectors = pytest.importorskip("gensim.models").KeyedVectors

TOL = 1e-6


@pytest.fixture(scope="module")
def pair():
    """The same 300 random 16-dim vectors as a gensim KeyedVectors and as an Embedding."""
    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(300)] + ["北京", "上海"]
    vectors = rng.normal(size=(len(words), 16)).astype(np.float32)
    kv = KeyedVectors(16)
    kv.add_vectors(words, vectors)
    return kv, Embedding(kv.vectors, kv.index_to_key)


def _same_pairs(ours, theirs):
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=TOL)


def test_plain_constructor_from_kv_and_names(pair):
    kv, emb = pair
    assert emb.index_to_key == kv.index_to_key
    assert emb.key_to_index == kv.key_to_index
    assert emb.vector_size == kv.vector_size
    assert emb.get_index("w5") == kv.get_index("w5")
    assert emb.get_index("nope", -1) == kv.get_index("nope", -1) == -1
    assert emb.has_index_for("北京") and not emb.has_index_for("nope")
    for word in ("w0", "北京"):
        np.testing.assert_allclose(emb.get_vector(word), kv.get_vector(word), atol=TOL)
        np.testing.assert_allclose(emb.get_vector(word, norm=True), kv.get_vector(word, norm=True), atol=TOL)
    np.testing.assert_allclose(emb.get_normed_vectors(), kv.get_normed_vectors(), atol=TOL)


def test_similar_by_word_key_and_vector(pair):
    kv, emb = pair
    _same_pairs(emb.similar_by_word("w3", topn=15), kv.similar_by_word("w3", topn=15))
    _same_pairs(emb.similar_by_key("北京", topn=5), kv.similar_by_key("北京", topn=5))
    _same_pairs(emb.similar_by_word("w3", topn=7, restrict_vocab=50),
                kv.similar_by_word("w3", topn=7, restrict_vocab=50))
    query = np.random.default_rng(1).normal(size=16).astype(np.float32) * 3
    _same_pairs(emb.similar_by_vector(query, topn=12), kv.similar_by_vector(query, topn=12))
    # a word's own vector: gensim does not exclude it, neither do we
    _same_pairs(emb.similar_by_vector(kv["w9"], topn=3), kv.similar_by_vector(kv["w9"], topn=3))
    assert emb.similar_by_vector(kv["w9"], topn=1)[0][0] == "w9"


def test_distance_distances(pair):
    kv, emb = pair
    assert abs(emb.distance("w1", "w2") - kv.distance("w1", "w2")) < TOL
    assert abs(emb.distance("w1", "w1")) < TOL
    np.testing.assert_allclose(emb.distances("w4"), kv.distances("w4"), atol=TOL)
    others = ["w7", "北京", "w100"]
    np.testing.assert_allclose(emb.distances("w4", others), kv.distances("w4", others), atol=TOL)
    vec = np.linspace(-1, 1, 16).astype(np.float32)
    np.testing.assert_allclose(emb.distances(vec, others), kv.distances(vec, others), atol=TOL)
    np.testing.assert_allclose(Embedding.cosine_similarities(vec, kv.vectors[:5]),
                               KeyedVectors.cosine_similarities(vec, kv.vectors[:5]), atol=TOL)


def test_closer_than_and_rank(pair):
    kv, emb = pair
    for a, b in (("w0", "w1"), ("北京", "上海"), ("w10", "w250"), ("w3", "w3")):
        assert emb.closer_than(a, b) == kv.closer_than(a, b)
        assert emb.rank(a, b) == kv.rank(a, b)
    nearest = kv.most_similar("w0", topn=1)[0][0]
    assert emb.rank("w0", nearest) == 1


def test_doesnt_match_and_centrality(pair):
    kv, emb = pair
    for words in (["w1", "w2", "w3", "w4"], ["北京", "上海", "w8"], ["w5"]):
        assert emb.doesnt_match(words) == kv.doesnt_match(words)
        ours, theirs = emb.rank_by_centrality(words), kv.rank_by_centrality(words)
        assert [w for _, w in ours] == [w for _, w in theirs]
        np.testing.assert_allclose([s for s, _ in ours], [s for s, _ in theirs], atol=TOL)
    with pytest.warns(UserWarning, match="nope"):
        assert emb.doesnt_match(["w1", "w2", "nope", "w3"]) == kv.doesnt_match(["w1", "w2", "w3"])
    with pytest.raises(InputError), pytest.warns(UserWarning):
        emb.doesnt_match(["nope"])


def test_n_similarity(pair):
    kv, emb = pair
    for a, b in ((["w1", "w2"], ["w3"]), (["北京"], ["上海", "w9", "w9"]), (["w4"], ["w4"])):
        assert abs(emb.n_similarity(a, b) - float(kv.n_similarity(a, b))) < TOL
    with pytest.raises(InputError):
        emb.n_similarity([], ["w1"])
    with pytest.raises(UnknownWordError):
        emb.n_similarity(["nope"], ["w1"])


def test_save_word2vec_format_reads_back_in_gensim(pair, tmp_path):
    kv, emb = pair
    for binary in (False, True):
        path = tmp_path / f"v{int(binary)}.txt"
        emb.save_word2vec_format(path, binary=binary)
        back = KeyedVectors.load_word2vec_format(str(path), binary=binary)
        assert back.index_to_key == kv.index_to_key
        np.testing.assert_allclose(back.vectors, kv.vectors, atol=0)
    path = tmp_path / "glove.txt"
    emb.save_word2vec_format(path, write_header=False)
    back = KeyedVectors.load_word2vec_format(str(path), no_header=True)
    np.testing.assert_allclose(back.vectors, kv.vectors, atol=0)
    with pytest.raises(InputError, match="counts"):
        emb.save_word2vec_format(tmp_path / "x.txt", fvocab=tmp_path / "x.vocab")


def test_save_word2vec_format_fvocab_matches_gensim(tmp_path):
    from gensim.models import Word2Vec

    sentences = [["a", "b", "c", "a"], ["b", "c", "d"], ["a", "e", "b"]] * 10
    model = Word2Vec(sentences, vector_size=8, min_count=1, epochs=1, workers=1, seed=3)
    emb = Embedding.from_keyedvectors(model.wv)
    emb.save_word2vec_format(tmp_path / "ours.txt", fvocab=tmp_path / "ours.vocab")
    model.wv.save_word2vec_format(str(tmp_path / "theirs.txt"), fvocab=str(tmp_path / "theirs.vocab"))
    assert (tmp_path / "ours.vocab").read_text("utf-8") == (tmp_path / "theirs.vocab").read_text("utf-8")
    ours = KeyedVectors.load_word2vec_format(str(tmp_path / "ours.txt"), fvocab=str(tmp_path / "ours.vocab"))
    assert ours.index_to_key == model.wv.index_to_key
    assert [ours.get_vecattr(w, "count") for w in ours.index_to_key] == \
           [model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key]
