"""The word2vec bridge: training from a token cache, gensim import, exact HS queries (SPEC c.1.3, c.3.1, c.7, c.8)."""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec.io.vocab import Vocabulary
from wordvec.query.embedding import Embedding
from wordvec.errors import InputError
from wordvec.word2vec.bridge import (
    hs_keywords,
    hs_log_prob_all,
    hs_predict,
    hs_related,
    load_gensim_model,
    train_word2vec,
    write_corpus_file,
)

FUNCTION_WORDS = ["的", "是", "在", "了", "和"]


class _Settings:
    def to_dict(self):
        return {"mode": "whitespace"}


class StandInCache:
    """The attributes of ``TokenCache`` that the bridge reads (vocab, ids, line_offsets, settings, meta)."""

    def __init__(self, lines):
        self.vocab = Vocabulary.from_counts(Counter(w for line in lines for w in line))
        index = self.vocab.index
        self.ids = np.array([index[w] for line in lines for w in line], dtype=np.uint32)
        self.line_offsets = np.concatenate([[0], np.cumsum([len(line) for line in lines])]).astype(np.int64)
        self.settings = _Settings()
        self.meta = {}


def synthetic_lines(n_lines=3000, seed=0):
    """Topic sentences: each line draws Zipf-distributed words of one of 12 topics, plus function words."""
    rng = np.random.default_rng(seed)
    topics = [[f"t{t}w{k}" for k in range(15)] for t in range(12)]
    lines = []
    for _ in range(n_lines):
        topic = topics[rng.integers(len(topics))]
        line = []
        for _ in range(int(rng.integers(5, 25))):
            if rng.random() < 0.35:
                line.append(FUNCTION_WORDS[rng.integers(len(FUNCTION_WORDS))])
            else:
                line.append(topic[min(int(rng.zipf(1.5)) - 1, 14)])
        lines.append(line)
    return lines


@pytest.fixture(scope="module")
def lines():
    return synthetic_lines()


@pytest.fixture(scope="module")
def cache(lines):
    return StandInCache(lines)


@pytest.fixture(scope="module")
def emb(cache):
    return Embedding(train_word2vec(cache, min_count=2, dim=16, window=4, epochs=5, workers=2))


def brute_log_prob(emb, i, o):
    """log p(o|i) node by node from the saved arrays (SPEC c.7 definition)."""
    syn1, pts, cds, lens = (emb.extras[k] for k in ("syn1", "hs_points", "hs_codes", "hs_lengths"))
    x = emb.vectors[i].astype(np.float64)
    total = 0.0
    for t in range(lens[o]):
        f = float(x @ syn1[pts[o, t]].astype(np.float64))
        z = -f if cds[o, t] else f
        total += -math.log1p(math.exp(-z)) if z >= 0 else z - math.log1p(math.exp(z))
    return total


# --- training ------------------------------------------------------------------------------------------
def test_trained_model_layout(emb, cache):
    vocab = cache.vocab.prune(2)
    assert emb.kind == "w2v"
    assert emb.words == vocab.words and np.array_equal(emb.counts, vocab.counts)
    V, d = emb.shape
    assert d == 16 and emb.vectors.dtype == np.float32
    assert emb.extras["syn1"].shape == (V - 1, d) and emb.extras["syn1"].dtype == np.float32
    lmax = emb.extras["hs_points"].shape[1]
    assert emb.extras["hs_points"].shape == (V, lmax) and emb.extras["hs_points"].dtype == np.int32
    assert emb.extras["hs_codes"].shape == (V, lmax) and emb.extras["hs_codes"].dtype == np.uint8
    assert emb.extras["hs_lengths"].dtype == np.int32 and emb.extras["hs_lengths"].max() == lmax
    assert emb.extras["hs_points"].max() < V - 1
    meta = emb.meta
    assert meta["total_tokens"] == vocab.total and meta["tokenizer"] == {"mode": "whitespace"}
    for key in ("sg", "hs", "negative", "window", "epochs", "sample", "min_count", "seed", "gensim_version"):
        assert key in meta
    assert (meta["sg"], meta["hs"], meta["negative"], meta["window"], meta["epochs"]) == (1, 1, 0, 4, 5)
    assert len(meta["loss_per_epoch"]) == 5 and len(meta["seconds_per_epoch"]) == 5
    # frequent words get short Huffman codes
    assert emb.extras["hs_lengths"][0] <= emb.extras["hs_lengths"][-1]


def test_probabilities_are_normalised(emb):
    rng = np.random.default_rng(7)
    for i in rng.choice(len(emb), 20, replace=False):
        assert abs(np.exp(hs_log_prob_all(emb, int(i))).sum() - 1.0) < 1e-4


def test_kernel_matches_brute_force_on_trained_model(emb):
    rng = np.random.default_rng(3)
    for i in rng.choice(len(emb), 4, replace=False):
        got = hs_log_prob_all(emb, int(i))
        for o in rng.choice(len(emb), 10, replace=False):
            assert abs(got[o] - brute_log_prob(emb, int(i), int(o))) < 1e-5  # float32 activations


def test_topics_are_learned(emb):
    # the most probable neighbours of a topic word are words of its own topic
    row = emb.vocab.index["t3w0"]
    scores = hs_related(emb, row, alpha=1.0)
    top = [emb.words[k] for k in np.argsort(-scores)[:8]]
    assert sum(w.startswith("t3w") for w in top) >= 6


def test_corpus_file_drops_pruned_words(cache, tmp_path):
    n_words = len(cache.vocab.prune(50))
    path = tmp_path / "corpus.txt"
    lines, tokens = write_corpus_file(cache, n_words, str(path))
    text = path.read_text(encoding="utf-8").splitlines()
    assert len(text) == lines
    assert sum(len(line.split(" ")) for line in text) == tokens == int(cache.vocab.counts[:n_words].sum())
    first = [cache.vocab.words[k] for k in cache.ids[: cache.line_offsets[1]] if k < n_words]
    assert text[0].split(" ") == first


def test_bad_training_arguments(cache):
    with pytest.raises(InputError, match="min_count"):
        train_word2vec(cache, min_count=10**9)
    with pytest.raises(InputError, match="dim"):
        train_word2vec(cache, dim=0)


# --- queries -----------------------------------------------------------------------------------------------
def test_keywords_equal_sum_of_log_probs(emb):
    words = ["t0w0", "是", "t0w3", "的", "t0w1", "t0w0", "不在词表"]
    ids = [emb.vocab.index.get(w, -1) for w in words]
    cand, scores = hs_keywords(emb, ids)
    known = [k for k in ids if k >= 0]
    assert sorted(cand.tolist()) == sorted(set(known))
    assert np.all(np.diff(scores) <= 0)
    for w, s in zip(cand, scores):
        want = hs_log_prob_all(emb, int(w))[known].sum()  # SPEC c.3.1: repeats and self included
        assert abs(s - want) < 1e-6
    cand2, scores2 = hs_keywords(emb, ids, include_self=False, unique=True)
    for w, s in zip(cand2, scores2):
        lp = hs_log_prob_all(emb, int(w))
        assert abs(s - sum(lp[k] for k in set(known) if k != w)) < 1e-6
    # function words rank last in a topic sentence
    assert {emb.words[k] for k in cand[-2:]} == {"是", "的"}


def test_keywords_of_empty_or_unknown_text(emb):
    cand, scores = hs_keywords(emb, [-1, len(emb) + 5])
    assert cand.size == 0 and scores.size == 0


def test_related_formula_and_alpha(emb):
    row = emb.vocab.index["t1w2"]
    lp = hs_log_prob_all(emb, row)
    np.testing.assert_allclose(hs_related(emb, row, alpha=0.0), lp)
    np.testing.assert_allclose(hs_related(emb, row, alpha=0.9), lp - 0.9 * np.log(emb.counts))
    with pytest.raises(InputError):
        hs_related(emb, len(emb))


def test_predict_formula(emb):
    ctx = [emb.vocab.index["t2w0"], emb.vocab.index["t2w1"], emb.vocab.index["的"]]
    ids, scores = hs_predict(emb, ctx, topn=5)
    log_p = np.log(emb.counts / emb.counts.sum())
    full = sum(hs_log_prob_all(emb, c) for c in ctx) - 2 * log_p  # SPEC c.8
    np.testing.assert_allclose(scores, np.sort(full)[::-1][:5], atol=1e-5)  # float32 GEMM vs GEMV
    assert ids.tolist() == np.argsort(-full, kind="stable")[:5].tolist()
    with pytest.raises(InputError):
        hs_predict(emb, [-1])


def test_embedding_query_surface_uses_exact_hs(emb):
    if not hasattr(Embedding, "keywords"):
        pytest.skip("Embedding query methods not available")
    result = emb.keywords(["t0w0", "是", "t0w3"], topn=None, method="pmi-sum")
    items = list(result)
    cand, scores = hs_keywords(emb, [emb.vocab.index[w] for w in ["t0w0", "是", "t0w3"]])
    assert [w for w, _ in items] == [emb.words[k] for k in cand]


# --- model directory round trip ------------------------------------------------------------------------------
@pytest.mark.parametrize("mmap", [False, True])
def test_model_dir_round_trip(emb, tmp_path, mmap):
    emb.save(tmp_path / "m")
    back = Embedding.load(tmp_path / "m", mmap=mmap)
    assert back.kind == "w2v" and back.words == emb.words
    for name in ("syn1", "hs_points", "hs_codes", "hs_lengths"):
        assert np.array_equal(back.extras[name], emb.extras[name])
        assert back.extras[name].dtype == emb.extras[name].dtype
    np.testing.assert_array_equal(hs_log_prob_all(back, 5), hs_log_prob_all(emb, 5))
    assert back.meta["epochs"] == 5 and back.meta["tokenizer"] == {"mode": "whitespace"}


def test_pmi_model_has_no_hs_weights(emb):
    plain = Embedding(emb.vectors, emb.vocab, {"kind": "pmi"})
    with pytest.raises(InputError, match="hierarchical-softmax"):
        hs_log_prob_all(plain, 0)


# --- gensim import ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gensim_model(lines, tmp_path_factory):
    from gensim.models import Word2Vec

    model = Word2Vec(lines, vector_size=16, window=4, min_count=2, sg=1, hs=1, negative=0, epochs=5, workers=1,
                     seed=3)
    path = tmp_path_factory.mktemp("gensim") / "w2v.model"
    model.save(str(path))
    return model, path


def test_gensim_model_loads_with_same_neighbours(gensim_model):
    model, path = gensim_model
    emb = load_gensim_model(path)
    assert emb.kind == "w2v" and emb.meta["counts_available"] and emb.meta["source"] == "gensim"
    assert sorted(emb.words) == sorted(model.wv.index_to_key)
    assert emb.words == Vocabulary.from_counts(
        {w: model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key}).words
    for word in ("t0w0", "t5w3", "的"):
        want = model.wv.most_similar(word, topn=5)
        if hasattr(emb, "most_similar"):
            got = list(emb.most_similar(word, topn=5))
        else:
            unit = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
            sims = unit @ unit[emb.index(word)]
            sims[emb.index(word)] = -np.inf
            got = [(emb.words[k], float(sims[k])) for k in np.argsort(-sims)[:5]]
        assert [w for w, _ in got] == [w for w, _ in want]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in want], atol=1e-5)


def test_gensim_paths_are_carried_over(gensim_model):
    model, path = gensim_model
    emb = load_gensim_model(path)
    i, o = "t4w1", "t4w2"
    x = model.wv[i].astype(np.float64)
    want = 0.0
    for p, c in zip(model.wv.get_vecattr(o, "point"), model.wv.get_vecattr(o, "code")):
        f = float(x @ model.syn1[p])
        want += -np.logaddexp(0, -f if c == 0 else f)
    assert abs(hs_log_prob_all(emb, emb.index(i))[emb.index(o)] - want) < 1e-6
    rng = np.random.default_rng(0)
    for k in rng.choice(len(emb), 5, replace=False):
        assert abs(np.exp(hs_log_prob_all(emb, int(k))).sum() - 1) < 1e-4


def test_import_gensim_cli(gensim_model, tmp_path):
    from wordvec.cli.main import cli

    _, path = gensim_model
    out = tmp_path / "imported"
    result = CliRunner().invoke(cli, ["import-gensim", str(path), "-o", str(out), "--tokenizer", "whitespace"])
    assert result.exit_code == 0, result.output
    back = Embedding.load(out)
    assert back.kind == "w2v" and back.meta["tokenizer"]["mode"] == "whitespace"
    bad = CliRunner().invoke(cli, ["import-gensim", str(tmp_path / "missing.model"), "-o", str(tmp_path / "x")])
    assert bad.exit_code == 1
    assert bad.output.strip().count("\n") == 0 and "not found" in bad.output
    assert not (tmp_path / "x").exists()


def test_bad_gensim_inputs(lines, tmp_path):
    from gensim.models import Word2Vec

    with pytest.raises(InputError, match="not found"):
        load_gensim_model(tmp_path / "nope.model")
    junk = tmp_path / "junk.model"
    junk.write_bytes(b"this is not a pickle\n" * 10)
    with pytest.raises(InputError, match="not a gensim model"):
        load_gensim_model(junk)
    with pytest.raises(InputError, match="directory"):
        load_gensim_model(tmp_path)
    ns = Word2Vec(lines[:300], vector_size=8, min_count=2, sg=1, hs=0, negative=5, epochs=1, workers=1)
    ns.save(str(tmp_path / "ns.model"))
    ns.wv.save(str(tmp_path / "kv.model"))
    ns.wv.save_word2vec_format(str(tmp_path / "vec.txt"))
    with pytest.raises(InputError, match="not a gensim model") as err:
        load_gensim_model(tmp_path / "vec.txt")
    assert "\n" not in str(err.value)


# --- the real token cache --------------------------------------------------------------------------------------
def test_train_from_real_token_cache(lines, tmp_path):
    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.tokenize import TokenizerSettings

    text = tmp_path / "corpus.txt"
    text.write_text("\n".join(" ".join(line) for line in lines[:1500]) + "\n", encoding="utf-8")
    cache = build_token_cache([str(text)], TokenizerSettings(mode="whitespace"), cache_dir=tmp_path / "cache",
                              workers=1)
    emb = train_word2vec(cache, min_count=3, dim=8, epochs=2, workers=2)
    vocab = cache.vocab.prune(3)
    assert emb.words == vocab.words and np.array_equal(emb.counts, vocab.counts)
    assert emb.meta["tokenizer"] == TokenizerSettings(mode="whitespace").to_dict()
    assert emb.meta["total_tokens"] == vocab.total
    assert abs(np.exp(hs_log_prob_all(emb, 0)).sum() - 1) < 1e-4


@pytest.mark.slow
def test_zh_small_keywords_put_stopwords_last(shared_data, tmp_path):
    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.tokenize import TokenizerSettings, tokenize_text

    cache = build_token_cache([str(shared_data("corpora/zh_small.txt.xz"))], TokenizerSettings())
    emb = train_word2vec(cache, min_count=5, dim=64, epochs=3)
    tokens = tokenize_text("太阳是一颗恒星", TokenizerSettings())
    cand, _ = hs_keywords(emb, [emb.vocab.index.get(t, -1) for t in tokens])
    assert emb.words[int(cand[-1])] == "是"


def test_progress_reports_thousandths_of_epochs(cache, capfd):
    import logging

    calls = []
    logger = logging.getLogger("gensim.models.word2vec")
    level, propagate = logger.level, logger.propagate
    train_word2vec(cache, min_count=2, dim=8, epochs=3, workers=1, progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, 3000) and calls[-1] == (3000, 3000)
    assert all(t == 3000 for _, t in calls)
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))
    assert (logger.level, logger.propagate) == (level, propagate)
    out, err = capfd.readouterr()
    assert "PROGRESS" not in out + err


def test_gensim_progress_log_is_translated():
    import logging

    from wordvec.word2vec.bridge import _progress_from_gensim_log

    calls = []
    logger = logging.getLogger("gensim.models.word2vec")
    with _progress_from_gensim_log(4, lambda d, t: calls.append((d, t))):
        logger.info("EPOCH %i - PROGRESS: at %.2f%% words, %.0f words/s, in_qsize %i, out_qsize %i",
                    1, 50.0, 1e5, -1, 0)
        logger.info("something else %s", "x")
    assert calls == [(1500, 4000)]


def test_damaged_hs_arrays_raise_one_line_error(emb):
    from wordvec.errors import CorruptFileError

    extras = dict(emb.extras)
    points = extras["hs_points"].copy()
    points[3, 0] = len(emb) + 10
    extras["hs_points"] = points
    broken = Embedding(emb.vectors, emb.vocab, emb.meta, extras)
    with pytest.raises(CorruptFileError, match="out of range"):
        hs_log_prob_all(broken, 0)
    extras["hs_points"] = emb.extras["hs_points"]
    extras["syn1"] = emb.extras["syn1"][:-1]
    with pytest.raises(CorruptFileError, match="syn1"):
        hs_keywords(Embedding(emb.vectors, emb.vocab, emb.meta, extras), [0, 1])


def test_shuffled_corpus_file_has_the_same_lines(cache, tmp_path):
    n_words = len(cache.vocab.prune(2))
    plain, shuffled = tmp_path / "a.txt", tmp_path / "b.txt"
    assert write_corpus_file(cache, n_words, str(plain)) == write_corpus_file(cache, n_words, str(shuffled), 1)
    a = plain.read_text(encoding="utf-8").splitlines()
    b = shuffled.read_text(encoding="utf-8").splitlines()
    assert a != b and sorted(a) == sorted(b)


def test_full_disk_while_writing_the_corpus_file(cache, tmp_path, monkeypatch):
    import errno

    import wordvec.word2vec.bridge as w2v
    from wordvec.errors import ResourceError

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(w2v, "write_corpus_file", full)
    with pytest.raises(ResourceError, match="disk full"):
        train_word2vec(cache, min_count=2, dim=8, epochs=1, tmp_dir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone


def test_words_with_whitespace_are_refused(tmp_path):
    cache = StandInCache([["a b", "c", "c", "a b"], ["c", "d", "d"]])
    with pytest.raises(InputError, match="whitespace"):
        write_corpus_file(cache, len(cache.vocab), str(tmp_path / "c.txt"))
