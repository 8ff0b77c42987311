"""Similarity readouts (wordvec.query.readouts, wordvec.query.methods): the maths of the spectral tables, and
that neighbours, pair scores and `evaluate --similarity` score the same function (issue 12)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec.cli.main import cli
from wordvec.errors import InputError
from wordvec.io.vocab import Vocabulary
from wordvec.query.embedding import Embedding
from wordvec.query.evaluate import evaluate_analogies, evaluate_word_pairs
from wordvec.query.methods import DEFAULT_PMI_METHOD, NEIGHBOUR_METHODS, PAIR_METHODS, pair_scorer, resolve, unit_table
from wordvec.query.readouts import ReadoutSettings, SpectralReadout

WORDS = [f"w{i}" for i in range(40)]


def toy(kind="pmi", seed=0, dim=6, narrow=True, share=0.65):
    rng = np.random.default_rng(seed)
    vectors = (rng.standard_normal((len(WORDS), dim)) * np.linspace(3, 0.5, dim) + 0.7).astype(np.float32)
    meta, extras = {"kind": kind}, {}
    if narrow and kind == "pmi":
        extras["narrow"] = rng.standard_normal((len(WORDS), dim + 2)).astype(np.float32)
        meta["narrow"] = {"window": 2, "dim": dim + 2, "share": share, "cds": 0.75, "eig": 0.5}
    return Embedding(vectors, Vocabulary(WORDS, np.arange(len(WORDS), 0, -1) * 10), meta, extras)


def test_plain_settings_are_cosine():
    emb = toy()
    unit = SpectralReadout(emb.vectors, ReadoutSettings(power=0.5, remove=0, centre=False)).unit
    assert np.allclose(unit @ unit.T, emb.unit_vectors @ emb.unit_vectors.T, atol=1e-6)


def test_whitened_table_has_identity_covariance_and_centred_cosine_is_direct():
    v = toy().vectors.astype(np.float64)
    white = SpectralReadout(v, ReadoutSettings(power=0.0)).transform(v)
    assert np.allclose(white.T @ white / len(v), np.eye(v.shape[1]), atol=1e-8)
    centred = SpectralReadout(v, ReadoutSettings(power=0.5)).unit
    c = v - v.mean(0)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    assert np.allclose(centred @ centred.T, c @ c.T, atol=1e-10)


def test_remove_drops_top_principal_directions():
    v = toy().vectors.astype(np.float64)
    readout = SpectralReadout(v, ReadoutSettings(power=0.5, remove=2))
    c = v - v.mean(0)
    top = np.linalg.svd(c, full_matrices=False)[2][:2]
    assert np.allclose(readout.matrix[:, :2], 0)  # the two largest directions get weight 0
    expected = c - (c @ top.T) @ top
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(readout.unit @ readout.unit.T, expected @ expected.T, atol=1e-8)


def test_rows_estimates_from_the_frequent_rows_and_bad_settings():
    v = toy().vectors.astype(np.float64)
    readout = SpectralReadout(v, ReadoutSettings(power=0.5, rows=10))
    assert np.allclose(readout.mean, v[:10].mean(0))
    for bad in (ReadoutSettings(power=5.0), ReadoutSettings(remove=6), ReadoutSettings(rows=1)):
        with pytest.raises(InputError):
            SpectralReadout(v, bad)
    with pytest.raises(InputError):
        SpectralReadout(v[:1])


@pytest.mark.parametrize("method", [m for m in NEIGHBOUR_METHODS])
def test_neighbour_scores_equal_pair_scores(method):
    emb = toy()
    score = pair_scorer(emb, method, context_words=20)
    result = emb.most_similar("w3", topn=8, method=method, context_words=20)
    assert len(result) == 8 and "w3" not in [w for w, _ in result]
    for word, value in result:
        assert value == pytest.approx(score(3, emb.vocab.index[word]), abs=1e-6)
        assert emb.similarity("w3", word, method=method, context_words=20) == pytest.approx(value, abs=1e-6)
    scores = [v for _, v in result]
    assert scores == sorted(scores, reverse=True)


def test_related_pair_scores_equal_most_related():
    emb = toy()
    score = pair_scorer(emb, "related")
    for word, value in emb.most_related("w5", topn=5):
        assert value == pytest.approx(score(5, emb.vocab.index[word]), rel=1e-6)  # float32 table


def test_default_is_by_kind_and_names_are_checked():
    assert resolve(toy("pmi"), "default") == "blend"
    assert resolve(toy("pmi", narrow=False), "default") == DEFAULT_PMI_METHOD
    assert resolve(toy("external"), "default") == "cosine"
    assert resolve(toy("w2v"), "default") == "cosine"
    emb = toy()
    assert emb.most_similar("w1", topn=4) == emb.most_similar("w1", topn=4, method=resolve(emb, "default"))
    with pytest.raises(InputError):
        emb.most_similar("w1", method="nope")
    with pytest.raises(InputError):
        emb.most_similar("w1", method="related")  # a pair readout, not a neighbour list
    assert "related" in PAIR_METHODS


def test_vector_queries_and_negatives_go_through_the_transform():
    emb = toy()
    by_word = emb.most_similar(["w2"], ["w7"], topn=5, method="whiten")
    by_vector = emb.most_similar([emb.vectors[2]], [emb.vectors[7]], topn=7, method="whiten")
    assert [w for w, _ in by_word] == [w for w, _ in by_vector if w not in ("w2", "w7")][:5]
    with pytest.raises(InputError):
        emb.most_similar([np.zeros(3)], method="whiten")


def write_pairs(tmp_path):
    path = tmp_path / "pairs.txt"
    rng = np.random.default_rng(3)
    lines = [f"w{a}\tw{b}\t{rng.uniform(0, 10):.2f}" for a, b in rng.integers(0, 40, (30, 2)) if a != b]
    path.write_text("\n".join(lines + ["w1\tunknown\t3"]) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("method", PAIR_METHODS)
def test_evaluate_scores_the_query_function(tmp_path, method):
    from scipy.stats import spearmanr

    emb = toy()
    path = write_pairs(tmp_path)
    result = evaluate_word_pairs(emb, path, similarity=method, context_words=20)
    pairs = [line.split("\t") for line in open(path, encoding="utf-8").read().split("\n") if line]
    gold, model = [], []
    for a, b, g in pairs:
        if a in emb.vocab.index and b in emb.vocab.index:
            gold.append(float(g))
            model.append(emb.similarity(a, b, method=method, context_words=20))
    assert result.covered == len(gold)
    assert result.spearman == pytest.approx(spearmanr(gold, model)[0], abs=1e-6)


def test_evaluate_default_of_a_non_pmi_model_is_plain_cosine(tmp_path):
    emb = toy("external")
    path = write_pairs(tmp_path)
    assert evaluate_word_pairs(emb, path).spearman == evaluate_word_pairs(emb, path, similarity="cosine").spearman


def test_analogies_use_the_readout_table(tmp_path):
    emb = toy()
    rng = np.random.default_rng(5)
    questions = rng.integers(0, 40, (25, 4))
    questions = [q for q in questions if len(set(q[:3].tolist())) == 3]
    path = tmp_path / "a.txt"
    path.write_text(": s\n" + "".join(" ".join(f"w{i}" for i in q) + "\n" for q in questions), encoding="utf-8")
    for method in ("cosine", "whiten", "abtt"):
        table = unit_table(emb, method).astype(np.float64)
        correct = 0
        for a, b, c, d in questions:
            q = table[b] - table[a] + table[c]
            scores = table @ (q / np.linalg.norm(q))
            scores[[a, b, c]] = -np.inf
            correct += int(np.argmax(scores)) == d
        result = evaluate_analogies(emb, str(path), similarity=method)
        assert result.covered == len(questions) and result.correct == correct


def test_cli_evaluate_similarity_agrees_with_python(tmp_path):
    emb = toy()
    model = tmp_path / "model"
    emb.save(model)
    path = write_pairs(tmp_path)
    for method in ("default", "whiten", "related", "profile"):
        out = CliRunner().invoke(cli, ["evaluate", str(model), path, "--similarity", method, "--context-words", "20",
                                       "--json"])
        assert out.exit_code == 0, out.output
        value = json.loads(out.output)["pairs"]["spearman"]
        loaded = Embedding.load(model)
        assert value == pytest.approx(evaluate_word_pairs(loaded, path, similarity=method,
                                                          context_words=20).spearman, abs=1e-6)
    bad = CliRunner().invoke(cli, ["evaluate", str(model), path, "--similarity", "nope"])
    assert bad.exit_code == 2
    analogy = tmp_path / "an.txt"
    analogy.write_text(": s\nw0 w1 w2 w3\n", encoding="utf-8")
    out = CliRunner().invoke(cli, ["evaluate", str(model), str(analogy), "--similarity", "related"])
    assert out.exit_code == 1 and "analogy" in out.output


def test_cli_similar_methods(tmp_path):
    emb = toy()
    model = tmp_path / "model"
    emb.save(model)
    for method in NEIGHBOUR_METHODS:
        out = CliRunner().invoke(cli, ["similar", str(model), "w4", "--method", method, "--context-words", "20",
                                       "--json"])
        assert out.exit_code == 0, out.output
        got = [(d["word"], d["score"]) for d in json.loads(out.output)]
        want = Embedding.load(model).most_similar("w4", method=method, context_words=20)
        assert [w for w, _ in got] == [w for w, _ in want]


def _unit(a):
    a = np.asarray(a, dtype=np.float64)
    return a / np.linalg.norm(a, axis=1, keepdims=True)


@pytest.mark.parametrize("share", [0.0, 0.3, 0.65, 1.0])
def test_blend_is_the_weighted_sum_of_centred_and_narrow_cosines(share):
    emb = toy(share=share)
    v = emb.vectors.astype(np.float64)
    centred = _unit(v - v.mean(0))
    narrow = _unit(emb.extras["narrow"])
    expected = (1 - share) * centred @ centred.T + share * narrow @ narrow.T
    score = pair_scorer(emb, "blend")
    got = np.array([[score(i, j) for j in range(len(WORDS))] for i in range(len(WORDS))])
    assert np.allclose(got, expected, atol=1e-5)
    assert np.allclose(pair_scorer(emb, "narrow")(3, 7), narrow[3] @ narrow[7], atol=1e-6)
    top = emb.most_similar("w3", topn=5)  # the default readout of a PMI model with a narrow table
    order = [WORDS[j] for j in np.argsort(-expected[3]) if j != 3][:5]
    assert [w for w, _ in top] == order


def test_narrow_readouts_need_the_table_and_words():
    plain = toy(narrow=False)
    for method in ("narrow", "blend"):
        with pytest.raises(InputError, match="narrow-window table"):
            plain.most_similar("w1", method=method)
    emb = toy()
    with pytest.raises(InputError, match="raw vectors"):
        emb.most_similar(positive=[emb.vectors[2]], method="narrow")
    # a raw vector in blend reads the PMI part only: its neighbours are ranked by (1-s)·centred of the vector
    vec = emb.vectors[2].astype(np.float64)
    v = emb.vectors.astype(np.float64)
    c = _unit(v - v.mean(0))
    q = (vec - v.mean(0)) / np.linalg.norm(vec - v.mean(0))
    got = emb.most_similar(positive=[emb.vectors[2]], topn=4, method="blend")
    blend = pair_scorer(emb, "blend")
    assert [w for w, _ in got] == [WORDS[j] for j in np.argsort(-(c @ q))[:4]]
    for word, value in got:
        assert value == pytest.approx(np.sqrt(1 - 0.65) * float(c[WORDS.index(word)] @ q), abs=1e-5)
    assert blend(2, 2) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_blend_rows_with_a_zero_part_stay_unit_or_zero(share):
    emb = toy(share=share)
    emb.extras["narrow"][5] = 0.0  # a word without narrow neighbours
    table = unit_table(emb, "blend")
    norms = np.linalg.norm(table.astype(np.float64), axis=1)
    assert np.isfinite(table).all()
    expected = np.ones(len(WORDS))
    if share == 1.0:
        expected[5] = 0.0  # only the narrow part counts, and it is 0
    assert np.allclose(norms, expected, atol=1e-5)
    assert np.allclose(table[5, :6], unit_table(emb, "centred")[5] * (share < 1.0), atol=1e-5)
