"""One estimator shape (issue 18 item 4) and training from Python (issue 14 item 2): the parameters of every
trainer come from its ``__init__``, ``set_params`` checks names and values, ``repr`` shows what was changed,
``fit`` takes counts or any corpus, callbacks are called, ``wordvec.train`` equals ``wordvec train``."""
from __future__ import annotations

import inspect

import numpy as np
import pytest
from click.testing import CliRunner

import wordvec
from wordvec.corpora.cache import build_token_cache
from wordvec.corpora.counter import count_cooccurrences
from wordvec.corpora.pipeline import cache_from_sentences, corpus_cache
from wordvec.corpora.tokenize import TokenizerSettings
from wordvec.errors import InputError
from wordvec.query.embedding import Embedding
from wordvec.train.base import Estimator
from wordvec.train.pmi import PMIEmbedding, PMITrainer
from wordvec.train.svd import PPMISVD
from wordvec.word2vec.bridge import Word2VecTrainer

WORDS = "甲 乙 丙 丁 戊 己 庚 辛 壬 癸 子 丑 寅 卯".split()
TRAINERS = [PMITrainer, PPMISVD, Word2VecTrainer]
SMALL = dict(dim=4, epochs=3, seed=5, threads=1)


@pytest.fixture(scope="module")
def sentences():
    rng = np.random.default_rng(0)
    out = []
    for _ in range(300):
        group = WORDS[:7] if rng.random() < 0.5 else WORDS[7:]
        out.append([str(w) for w in rng.choice(group, size=int(rng.integers(3, 10)))])
    return out


@pytest.fixture(scope="module")
def corpus_file(sentences, tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "tiny.txt"
    path.write_text("\n".join(" ".join(s) for s in sentences) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture()
def cache_dir(tmp_path):
    return str(tmp_path / "cache")


# --- parameters -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", TRAINERS)
def test_params_come_from_the_signature_and_round_trip(cls):
    names = [n for n in inspect.signature(cls.__init__).parameters if n != "self"]
    est = cls()
    assert list(est.get_params()) == names == list(cls.param_names())
    assert est.get_params() == cls.param_defaults()
    changed = cls(**dict(est.get_params(), dim=7))
    assert cls(**changed.get_params()).get_params() == changed.get_params()
    assert cls().set_params(**changed.get_params()).get_params() == changed.get_params()
    assert isinstance(est, Estimator) and est.set_params() is est


def test_pmi_alias_and_presets():
    assert PMIEmbedding is PMITrainer and wordvec.PMIEmbedding is wordvec.PMITrainer is PMITrainer
    seed = PMITrainer.from_preset("seed", dim=8, lr=None)
    assert seed.lr == 0.1 and seed.dim == 8 and seed.both_orientations is True
    with pytest.raises(InputError, match="unknown preset"):
        PMITrainer.from_preset("best")


@pytest.mark.parametrize("cls, name, value", [
    (PMITrainer, "dim", 0), (PMITrainer, "epochs", -1), (PMITrainer, "lr", 0), (PMITrainer, "lr", float("nan")),
    (PMITrainer, "cds", 1.5), (PMITrainer, "dtype", "float16"), (PMITrainer, "threads", 0),
    (PMITrainer, "truncate", "yes"), (PMITrainer, "independence_weight", float("inf")), (PMITrainer, "dim", True),
    (PMITrainer, "seed", "one"), (PMITrainer, "neg_weight", 0), (PPMISVD, "dim", 2.5), (PPMISVD, "cds", 0),
    (Word2VecTrainer, "window", 0), (Word2VecTrainer, "sample", 1.0), (Word2VecTrainer, "workers", 0),
    (Word2VecTrainer, "negative", -1),
])
def test_set_params_refuses_bad_values_by_name(cls, name, value):
    est = cls()
    before = est.get_params()
    with pytest.raises(InputError) as info:
        est.set_params(**{"seed" if name != "seed" else "dim": 3, name: value})
    message = str(info.value)
    assert message.startswith(f"{name} must be ") and "\n" not in message and "--" not in message
    assert est.get_params() == before  # nothing changed, not even the valid seed


@pytest.mark.parametrize("cls", TRAINERS)
def test_set_params_refuses_unknown_names(cls):
    with pytest.raises(InputError, match=r"has no parameter 'vector_size': use one of dim"):
        cls().set_params(vector_size=10)


def test_parameters_checked_together_and_at_fit(sentences):
    with pytest.raises(InputError, match="min_alpha must be <= alpha"):
        Word2VecTrainer().set_params(min_alpha=0.5)
    est = PMITrainer(dim=0)  # __init__ does no work: the check comes at fit
    with pytest.raises(InputError, match="^dim must be an integer >= 1"):
        est.fit(sentences, min_count=1)


def test_repr_shows_the_changed_parameters(sentences):
    assert repr(PMITrainer()) == "PMITrainer()"
    assert repr(PMITrainer(dim=64, seed=1)) == "PMITrainer(dim=64, seed=1)"
    assert repr(PMITrainer.from_preset("seed")) == ("PMITrainer(lr=0.1, alpha=0.75, both_orientations=True, cds=1.0, "
                                                    "independence_weight=0.0, narrow_window=0)")
    assert repr(PPMISVD(eig=1.0)) == "PPMISVD(eig=1.0)" and repr(Word2VecTrainer()) == "Word2VecTrainer()"
    fitted = PMITrainer(**SMALL).fit(sentences, window=3, min_count=1)
    assert repr(fitted).endswith("# fitted: 14 words")


# --- fit on any corpus ------------------------------------------------------------------------------------
def _file_counts(path, cache_dir, window=3):
    cache = build_token_cache([path], TokenizerSettings(mode="whitespace"), cache_dir=cache_dir, workers=1)
    return count_cooccurrences(cache, min_count=1, window=window, threads=1)


def test_fit_on_sentences_equals_fit_on_counts(sentences, corpus_file, cache_dir):
    from_counts = PMITrainer(**SMALL).fit(_file_counts(corpus_file, cache_dir))
    from_sentences = PMITrainer(**SMALL).fit(sentences, window=3, min_count=1)  # no "'list' has no .matrix"
    assert np.array_equal(from_sentences.embedding_.vectors, from_counts.embedding_.vectors)
    assert from_sentences.embedding_.words == from_counts.embedding_.words
    assert from_sentences.loss_ == from_counts.loss_
    # a generator of tuples is a corpus too, and so are raw strings read with a tokenizer
    from_tuples = PMITrainer(**SMALL).fit((tuple(s) for s in sentences), window=3, min_count=1)
    assert np.array_equal(from_tuples.embedding_.vectors, from_counts.embedding_.vectors)
    lines = [" ".join(s) for s in sentences]
    from_text = PMITrainer(**SMALL).fit(lines, tokenizer="whitespace", window=3, min_count=1)
    assert np.array_equal(from_text.embedding_.vectors, from_counts.embedding_.vectors)
    one_string = PMITrainer(**SMALL).fit(["\n".join(lines) + "\n"], tokenizer="whitespace", window=3, min_count=1)
    assert np.array_equal(one_string.embedding_.vectors, from_counts.embedding_.vectors)
    svd_a = PPMISVD(dim=3, seed=1).fit(sentences, window=3, min_count=1)
    svd_b = PPMISVD(dim=3, seed=1).fit(_file_counts(corpus_file, cache_dir))
    assert np.array_equal(svd_a.embedding_.vectors, svd_b.embedding_.vectors)


def test_wordvec_train_equals_the_command_line(sentences, corpus_file, cache_dir, tmp_path):
    from wordvec.cli.main import cli

    model = tmp_path / "cli"
    args = ["train", corpus_file, "-o", str(model), "--tokenizer", "whitespace", "--dim", "4", "--epochs", "3",
            "--window", "3", "--min-count", "1", "--threads", "1", "--seed", "5", "--cache-dir", cache_dir, "-q"]
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    expected = Embedding.load(model).vectors
    for corpus in (corpus_file, [corpus_file], sentences, [" ".join(s) for s in sentences]):
        emb = wordvec.train(corpus, tokenizer="whitespace", window=3, min_count=1, cache_dir=cache_dir, **SMALL)
        assert isinstance(emb, Embedding) and emb.kind == "pmi"
        assert np.array_equal(emb.vectors, expected)
    counts = _file_counts(corpus_file, cache_dir)
    assert np.array_equal(wordvec.train(counts, **SMALL).vectors, expected)
    svd = wordvec.train(sentences, "svd", dim=3, seed=1, window=3, min_count=1)
    assert svd.kind == "svd" and svd.shape == (14, 3)


def test_counting_options_cannot_change_counts(corpus_file, cache_dir):
    counts = _file_counts(corpus_file, cache_dir)
    with pytest.raises(InputError, match="^window cannot change counts already made"):
        PMITrainer(**SMALL).fit(counts, window=5)
    with pytest.raises(InputError, match="unknown option 'windows'"):
        PMITrainer(**SMALL).fit(counts, windows=5)


def test_wordvec_train_refuses_what_it_does_not_know(sentences):
    with pytest.raises(InputError, match="has no parameter 'vector_size'"):
        wordvec.train(sentences, vector_size=4)
    with pytest.raises(InputError, match="unknown method 'glove'"):
        wordvec.train(sentences, "glove")
    with pytest.raises(InputError, match="preset applies to method='pmi' only"):
        wordvec.train(sentences, "svd", preset="seed")
    with pytest.raises(InputError, match="has no parameter 'checkpoint'"):
        wordvec.train(sentences, "svd", checkpoint="x")


@pytest.mark.parametrize("corpus, message", [
    ("missing-file.txt", "input not found"), (["missing-file.txt"], "input not found"),
    ([["a", 1]], "not a string token"), ([["a b", "c"]], "contains whitespace"), ([["a", ""]], "empty"),
    ([["a"], "b c"], "give one kind"), (["b c", ["a"]], "give one kind"), ([b"abc"], "bytes"),
    ([], "no tokens"), ([[]], "no tokens"), (42, "cannot read a corpus from a int"), ([3], "give a list of str"),
])
def test_bad_corpora(corpus, message):
    with pytest.raises(InputError, match=message):
        corpus_cache(corpus)


def test_raw_strings_are_text_not_paths():
    cache = corpus_cache(["今天 天气 好", "天气 好"], TokenizerSettings(mode="whitespace"))
    assert cache.vocab.words == ["天气", "好", "今天"] and cache.n_lines == 2 and cache.path is None
    assert cache.settings.mode == "whitespace"
    tokens = cache_from_sentences([["x", "y"], ["y"]])
    assert tokens.settings.mode == "whitespace" and tokens.line_tokens(0) == ["x", "y"]


# --- callbacks and checkpoints ------------------------------------------------------------------------------
def test_callbacks_are_called(sentences):
    seen = []
    pmi = PMITrainer(**SMALL).fit(sentences, lambda *a: seen.append(a), window=3, min_count=1)
    assert [step for step, _, _ in seen] == [1, 2, 3] and [loss for _, loss, _ in seen] == pmi.loss_
    seen.clear()
    svd = PPMISVD(dim=3, seed=1).fit(sentences, lambda *a: seen.append(a), window=3, min_count=1)
    assert len(seen) == 1 and seen[0][0] == 1 and seen[0][1] == svd.residual_ and 0 < svd.residual_ < 1
    stages = []
    PPMISVD(dim=3, seed=1).fit(sentences, progress=lambda *a: stages.append(a[0]), window=3, min_count=1)
    assert "counting" in stages


def test_word2vec_trainer(sentences, tmp_path):
    pytest.importorskip("gensim")
    seen, stages = [], []
    est = Word2VecTrainer(dim=4, epochs=2, min_count=1, workers=1, seed=3, tmp_dir=str(tmp_path))
    assert est.fit(sentences, lambda *a: seen.append(a), progress=lambda *a: stages.append(a[0])) is est
    assert [step for step, _, _ in seen] == [1, 2] and "word2vec" in stages
    emb = est.embedding_
    assert emb.meta["kind"] == "w2v" and emb.meta["workers"] == 1 and "tmp_dir" not in emb.meta
    again = wordvec.train(sentences, "w2v", dim=4, epochs=2, min_count=1, workers=1, seed=3)
    assert np.array_equal(again.vectors, emb.vectors) and again.extras.keys() == emb.extras.keys()


def test_checkpoint_and_resume_from_the_library(sentences, tmp_path):
    full = PMITrainer(**dict(SMALL, epochs=4)).fit(sentences, window=3, min_count=1)
    ckpt = str(tmp_path / "ckpt")
    PMITrainer(**dict(SMALL, epochs=2)).fit(sentences, window=3, min_count=1, checkpoint=ckpt, checkpoint_every=1)
    events = []
    resumed = PMITrainer(**dict(SMALL, epochs=4)).fit(sentences, window=3, min_count=1, checkpoint=ckpt, resume=True,
                                                      progress=lambda *a: events.append(a))
    assert ("resumed", 2, 4) in events and resumed.resumed_epoch_ == 2
    assert np.array_equal(resumed.embedding_.vectors, full.embedding_.vectors)
    with pytest.raises(InputError, match="need checkpoint"):
        PMITrainer(**SMALL).fit(sentences, window=3, min_count=1, resume=True)


# --- the command line passes what the user typed --------------------------------------------------------------
def test_cli_shown_defaults_are_the_library_defaults():
    from wordvec.cli.train_commands import train

    shown = {p.name: p.default for p in train.params if getattr(p, "show_default", False)}
    assert shown["dim"] == PMITrainer().dim == PPMISVD().dim == Word2VecTrainer().dim
    assert shown["min_count"] == Word2VecTrainer().min_count == inspect.signature(count_cooccurrences).parameters[
        "min_count"].default
    assert shown["dtype"] == PMITrainer().dtype and shown["negative_samples"] == Word2VecTrainer().negative
    assert shown["preset"] == "default"


def test_cli_refuses_options_of_another_method(corpus_file, tmp_path):
    from wordvec.cli.main import cli

    res = CliRunner().invoke(cli, ["train", corpus_file, "-o", str(tmp_path / "m"), "--method", "svd", "--lr", "0.1"])
    assert res.exit_code == 2 and "--lr does not apply to --method svd" in res.output


def test_raw_strings_are_tokenized_like_the_command_line(tmp_path):
    """Raw strings go through the command line's default tokenizer (jieba, HMM off) and its line rules."""
    from wordvec.cli.main import cli

    texts = ["北京是中国的首都，上海是一个大城市。", "今天天气很好，我们去公园散步。", "中国的首都是北京。"] * 30
    path = tmp_path / "zh.txt"
    path.write_text("\r\n".join(texts) + "\r\n", encoding="utf-8")
    model = tmp_path / "cli"
    args = ["train", str(path), "-o", str(model), "--dim", "4", "--epochs", "2", "--window", "3", "--min-count", "1",
            "--threads", "1", "--seed", "2", "--cache-dir", str(tmp_path / "cache"), "--workers", "1", "-q"]
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    expected = Embedding.load(model)
    emb = wordvec.train(texts, dim=4, epochs=2, window=3, min_count=1, threads=1, seed=2)
    assert emb.words == expected.words and np.array_equal(emb.vectors, expected.vectors)
    assert emb.meta["tokenizer"] == expected.meta["tokenizer"] and emb.meta["tokenizer"]["mode"] == "jieba"
