"""Issue 16: streaming import, compact vocabulary / instant open, blocked and batch search, ANN index."""
from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import subprocess
import sys

import numpy as np
import pytest

from wordvec.errors import CorruptFileError, InputError, WordvecError
from wordvec.io import importer, vector_stream  # noqa: F401
from wordvec.io.formats import load_vectors, save_glove, save_word2vec_format
from wordvec.io.importer import import_vectors
from wordvec.io.vectors import WordVectors
from wordvec.io.vocab_index import CompactVocabulary
from wordvec.query import bigsearch
from wordvec.query.embedding import Embedding

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORDS = ["北京", "New_York", "C++", "#tag", '"quoted', "中华人民共和国", "the", "a-b", "词语", "x"]


def _table(n: int = 300, dim: int = 8, seed: int = 0) -> WordVectors:
    rng = np.random.default_rng(seed)
    words = WORDS + [f"w{i}" for i in range(n - len(WORDS))]
    return WordVectors(rng.standard_normal((n, dim)).astype(np.float32), words)


def _write(tmp_path, name: str, data: bytes) -> str:
    path = str(tmp_path / name)
    with open(path, "wb") as out:
        out.write(data)
    return path


@pytest.mark.parametrize("kind", ["text", "binary", "glove"])
@pytest.mark.parametrize("suffix", ["", ".gz", ".bz2", ".xz"])
def test_round_trip_formats_and_compression(tmp_path, kind, suffix):
    wv = _table()
    plain = str(tmp_path / "v.vec")
    if kind == "glove":
        save_glove(wv, plain)
    else:
        save_word2vec_format(wv, plain, binary=kind == "binary")
    path = plain
    if suffix:
        opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}[suffix]
        path = plain + suffix
        with open(plain, "rb") as src, opener(path, "wb") as out:
            out.write(src.read())
    model = str(tmp_path / "m")
    report = import_vectors(path, model)
    assert report.format == {"text": "word2vec", "binary": "word2vec-binary", "glove": "glove"}[kind]
    assert (report.words, report.dim, report.duplicates) == (len(wv), wv.shape[1], 0)
    emb = Embedding.load(model, mmap=True)
    assert isinstance(emb.vocab, CompactVocabulary)
    assert emb.words == wv.words
    assert np.array_equal(np.asarray(emb.vectors), wv.vectors)
    ref = load_vectors(path)
    assert ref.words == emb.words and np.array_equal(ref.vectors, np.asarray(emb.vectors))
    plain_load = Embedding.load(model)  # the portable vocab.tsv agrees
    assert plain_load.words == wv.words and type(plain_load.vocab).__name__ == "Vocabulary"


def test_words_kept_exactly_and_lookups(tmp_path):
    wv = _table()
    path = str(tmp_path / "v.txt")
    save_word2vec_format(wv, path)
    import_vectors(path, str(tmp_path / "m"))
    emb = Embedding.load(str(tmp_path / "m"), mmap=True)
    for row, word in enumerate(WORDS):
        assert emb.index(word) == row and word in emb and emb.vocab.word_at(row) == word
    assert "new_york" not in emb and "" not in emb and 3 not in emb.vocab.index
    assert emb.vocab.index.get("nope", -1) == -1
    assert emb.vocab.checksum() == json.load(open(tmp_path / "m" / "meta.json"))["vocab_checksum"]
    assert np.array_equal(emb["C++"], wv["C++"])


def test_limit_reads_first_rows(tmp_path):
    wv = _table()
    for binary in (False, True):
        path = str(tmp_path / f"v{binary}")
        save_word2vec_format(wv, path, binary=binary)
        report = import_vectors(path, str(tmp_path / "m"), limit=25)
        emb = Embedding.load(str(tmp_path / "m"), mmap=True)
        assert report.limited and len(emb) == 25 and emb.words == wv.words[:25]
        assert np.array_equal(np.asarray(emb.vectors), wv.vectors[:25])
    report = import_vectors(path, str(tmp_path / "m"), limit=10**6)
    assert not report.limited and report.words == len(wv)
    with pytest.raises(InputError):
        import_vectors(path, str(tmp_path / "m2"), limit=0)


def test_duplicates_keep_first_and_are_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(vector_stream, "BLOCK_ROWS", 4)  # duplicates inside one block and across blocks
    rows = ["a 1 0", "b 0 1", "a 5 5", "c 1 1", "d 2 2", "b 9 9", "a 7 7", "e 3 3", "e 4 4"]
    path = _write(tmp_path, "d.txt", ("\n".join(rows) + "\n").encode())
    report = import_vectors(path, str(tmp_path / "m"))
    emb = Embedding.load(str(tmp_path / "m"), mmap=True)
    assert emb.words == ["a", "b", "c", "d", "e"]
    assert report.duplicates == 4 and report.duplicate_example == "a"
    assert np.array_equal(np.asarray(emb.vectors), np.array([[1, 0], [0, 1], [1, 1], [2, 2], [3, 3]], np.float32))
    assert "4 duplicate words" in json.load(open(tmp_path / "m" / "meta.json"))["load_notes"][0]
    ref = load_vectors(path) if False else None  # the reader's policy is the same: first kept
    with pytest.raises(CorruptFileError, match=r"d\.txt:3: duplicate word 'a'"):
        import_vectors(path, str(tmp_path / "s"), strict=True)
    assert not os.path.exists(tmp_path / "s")
    assert ref is None


def test_bad_utf8_replaced_and_counted(tmp_path):
    path = _write(tmp_path, "u.txt", b"2 2\nok 1 2\nbad\xff 3 4\n")
    report = import_vectors(path, str(tmp_path / "m"))
    assert report.bad_utf8 == 1
    assert Embedding.load(str(tmp_path / "m"), mmap=True).words == ["ok", "bad\ufffd"]
    with pytest.raises(CorruptFileError, match="not valid UTF-8"):
        import_vectors(path, str(tmp_path / "s"), strict=True)


@pytest.mark.parametrize("data, message", [
    (b"2 3\na 1 2 3\nb 1 2\n", r"bad\.vec:3: expected a word and 3 numbers, found 2"),
    (b"2 3\na 1 2 3\nb 1 2 3 4\n", r"bad\.vec:3: expected a word and 3 numbers, found 4"),
    (b"2 3\na 1 2 3\nb 1 x 3\n", r"bad\.vec:3: value b'x' is not a number"),
    (b"2 3\na 1 2 3\nb 1 nan 3\n", r"bad\.vec:3: NaN or Inf"),
    (b"3 3\na 1 2 3\nb 1 2 3\n", r"header declares 3 vectors but the file has 2"),
    (b"1 3\na 1 2 3\nb 1 2 3\n", r"bad\.vec:3: more rows than the header declares"),
    (b"2 3\na 1 2 3\n\nb 1 2 3\n", r"bad\.vec:3: empty line between vectors"),
    (b"\x00\x01\x02", r"bad\.vec"),
])
def test_malformed_rows_one_line_errors_nothing_written(tmp_path, data, message):
    path = _write(tmp_path, "bad.vec", data)
    with pytest.raises(WordvecError, match=message) as err:
        import_vectors(path, str(tmp_path / "m"))
    assert "\n" not in str(err.value)
    assert not os.path.exists(tmp_path / "m")
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".m")]  # no temporary left behind


def test_binary_truncated_and_trailing_data(tmp_path):
    wv = _table(20, 4)
    path = str(tmp_path / "v.bin")
    save_word2vec_format(wv, path, binary=True)
    data = open(path, "rb").read()
    short = _write(tmp_path, "short.bin", data[:-30])
    with pytest.raises(CorruptFileError, match="truncated or damaged at vector 19 of 20"):
        import_vectors(short, str(tmp_path / "m"))
    extra = _write(tmp_path, "extra.bin", data + b"junk 1234")
    with pytest.raises(CorruptFileError, match="data after the 20 vectors"):
        import_vectors(extra, str(tmp_path / "m"))
    empty = _write(tmp_path, "empty.txt", b"")
    with pytest.raises(InputError, match="is empty"):
        import_vectors(empty, str(tmp_path / "m"))
    assert not os.path.exists(tmp_path / "m")


def test_replaces_previous_model_atomically(tmp_path):
    wv = _table()
    path = str(tmp_path / "v.txt")
    save_word2vec_format(wv, path)
    import_vectors(path, str(tmp_path / "m"), limit=5)
    bad = _write(tmp_path, "bad.txt", b"2 2\na 1 2\nb 1\n")
    with pytest.raises(CorruptFileError):
        import_vectors(bad, str(tmp_path / "m"))
    assert len(Embedding.load(str(tmp_path / "m"), mmap=True)) == 5  # the old model is intact
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    with pytest.raises(WordvecError, match="refusing to replace"):
        import_vectors(path, str(mine))


def test_corrupt_compact_vocabulary_refused(tmp_path):
    wv = _table()
    path = str(tmp_path / "v.txt")
    save_word2vec_format(wv, path)
    model = tmp_path / "m"
    import_vectors(path, str(model))
    words = (model / "vocab.words").read_bytes()
    (model / "vocab.words").write_bytes(words.replace(b"\xe5\x8c\x97", b"\xe5\x8c\x98", 1))  # same size
    with pytest.raises(CorruptFileError, match="checksum differs"):
        Embedding.load(str(model), mmap=True)
    (model / "vocab.words").write_bytes(words[:-3])
    with pytest.raises(CorruptFileError, match="sizes differ"):
        Embedding.load(str(model), mmap=True)
    (model / "vocab.words").write_bytes(words)
    os.remove(model / "vocab_hash.npy")
    with pytest.raises(CorruptFileError, match="vocab_hash.npy is missing"):
        Embedding.load(str(model), mmap=True)


def _clustered(n: int, dim: int, clusters: int, seed: int = 0) -> WordVectors:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim))
    vecs = centres[rng.integers(0, clusters, n)] + 0.6 * rng.standard_normal((n, dim))
    return WordVectors(vecs.astype(np.float32), [f"w{i}" for i in range(n)])


@pytest.fixture()
def model_dir(tmp_path):
    wv = _clustered(20_000, 32, 200)
    path = str(tmp_path / "v.bin")
    save_word2vec_format(wv, path, binary=True)
    import_vectors(path, str(tmp_path / "m"))
    return str(tmp_path / "m"), wv


def test_blocked_exact_and_batch_equal_plain_search(model_dir, monkeypatch):
    model, wv = model_dir
    plain = Embedding(wv)
    monkeypatch.setattr(bigsearch, "BLOCKED_MIN_BYTES", 0)
    monkeypatch.setattr(bigsearch, "BLOCK", 3000)  # several blocks
    emb = Embedding.load(model, mmap=True)
    assert bigsearch.wants_blocked(emb)
    for query in (["w1"], ["w2", "w3"]):
        got = emb.most_similar(query, negative=["w9"], topn=7)
        want = plain.most_similar(query, negative=["w9"], topn=7)
        assert [w for w, _ in got] == [w for w, _ in want]
        assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-5)
    assert [w for w, _ in emb.most_similar("w1", restrict_vocab=500)] == \
        [w for w, _ in plain.most_similar("w1", restrict_vocab=500)]
    assert "unit_vectors" not in emb.__dict__  # no full unit copy was made
    words = [f"w{i}" for i in range(0, 400, 7)]
    batch = emb.most_similar_batch(words, topn=5)
    assert [[w for w, _ in r] for r in batch] == [[w for w, _ in plain.most_similar(w, topn=5)] for w in words]


def test_cli_import_and_errors(tmp_path):
    wv = _table()
    path = str(tmp_path / "v.txt")
    save_word2vec_format(wv, path)
    env = dict(os.environ, PYTHONPATH=ROOT)
    run = lambda *args: subprocess.run([sys.executable, "-m", "wordvec", *args], capture_output=True, text=True,
                                       env=env)
    proc = run("import", path, "-o", str(tmp_path / "m"), "--limit", "50", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["words"] == 50
    proc = run("similar", str(tmp_path / "m"), "北京", "-n", "3")
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 5
    bad = _write(tmp_path, "bad.txt", b"2 2\na 1 2\nb 1\n")
    proc = run("import", bad, "-o", str(tmp_path / "x"))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "bad.txt:3" in proc.stderr
    assert not os.path.exists(tmp_path / "x")
    proc = run("import", path, "-o", str(tmp_path / "x"), "--limit", "-3")
    assert proc.returncode == 2
    proc = run("similar", str(tmp_path / "m"), "北京", "--approximate")
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "wordvec index" in proc.stderr or "faiss-cpu" in proc.stderr


def test_missing_faiss_says_what_to_install(model_dir, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_faiss(name, *args, **kwargs):
        if name == "faiss":
            raise ImportError("no faiss")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_faiss)
    from wordvec.query import ann

    with pytest.raises(WordvecError, match=r"pip install 'wordvec\[ann\]'"):
        ann.build_index(model_dir[0])


# --- approximate index (needs faiss-cpu) ------------------------------------------------------------------
def _recall(emb: Embedding, words: list[str]) -> float:
    hits = []
    for word in words:
        exact = {w for w, _ in emb.most_similar(word, topn=10)}
        approx = {w for w, _ in emb.most_similar(word, topn=10, approximate=True)}
        hits.append(len(exact & approx) / 10)
    return float(np.mean(hits))


def test_index_recall_and_exact_scores(model_dir):
    pytest.importorskip("faiss")
    from wordvec.query.ann import build_index

    model, wv = model_dir
    meta = build_index(model)
    assert meta["rows"] == 20_000 and os.path.getsize(os.path.join(model, "ann.faiss")) == meta["index_bytes"]
    emb = Embedding.load(model, mmap=True)
    words = [f"w{i}" for i in range(0, 20_000, 97)]
    assert _recall(emb, words) >= 0.95
    unit = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    for word in words[:20]:
        res = emb.most_similar(word, topn=10, approximate=True)
        assert len(res) == 10 and word not in [w for w, _ in res]
        for w, score in res:
            assert w in emb
            assert score == pytest.approx(float(unit[wv.index(w)] @ unit[wv.index(word)]), abs=1e-6)
    assert all(wv.index(w) < 300 for w, _ in emb.most_similar("w5", restrict_vocab=300, approximate=True))


def test_indexer_hook_has_gensim_shape(model_dir):
    pytest.importorskip("faiss")
    from wordvec.query.ann import AnnIndex, build_index

    model, wv = model_dir
    build_index(model, quality="high")
    emb = Embedding.load(model, mmap=True)
    index = AnnIndex.load(model, emb)
    pairs = index.most_similar(np.asarray(emb["w3"]), 5)
    assert pairs[0][0] == "w3" and pairs[0][1] == pytest.approx(1.0, abs=1e-6)  # gensim: the word itself first

    class Stub:  # any gensim-style indexer
        def most_similar(self, vector, num_neighbors):
            return [("w3", 1.0), ("w4", 0.5), ("w5", 0.25)][:num_neighbors]

    assert Embedding(wv).most_similar("w3", topn=2, indexer=Stub()) == [("w4", 0.5), ("w5", 0.25)]


def test_stale_or_corrupt_index_refused(model_dir, tmp_path):
    pytest.importorskip("faiss")
    from wordvec.query.ann import build_index

    model, wv = model_dir
    build_index(model, quality="fast")
    index_file = os.path.join(model, "ann.faiss")
    data = open(index_file, "rb").read()
    with open(index_file, "r+b") as handle:
        handle.seek(len(data) // 2)
        handle.write(b"\x00garbage\x00")
    with pytest.raises(CorruptFileError, match="damaged"):
        Embedding.load(model, mmap=True).most_similar("w1", approximate=True)
    with open(index_file, "wb") as handle:
        handle.write(data)
    assert Embedding.load(model, mmap=True).most_similar("w1", approximate=True)
    # the model's vectors change (re-imported from other vectors): the index is refused
    other = _clustered(20_000, 32, 200, seed=9)
    path = str(tmp_path / "other.bin")
    save_word2vec_format(other, path, binary=True)
    import_vectors(path, model + "_new")
    for name in ("ann.faiss", "ann.json"):
        os.replace(os.path.join(model, name), os.path.join(model + "_new", name))
    with pytest.raises(CorruptFileError, match="built for other vectors"):
        Embedding.load(model + "_new", mmap=True).most_similar("w1", approximate=True)
    with open(os.path.join(model + "_new", "ann.json"), "w") as handle:
        handle.write("{not json")
    with pytest.raises(CorruptFileError, match="ann.json is damaged"):
        Embedding.load(model + "_new", mmap=True).most_similar("w1", approximate=True)


def test_cli_index_and_approximate(model_dir):
    pytest.importorskip("faiss")
    model, _ = model_dir
    env = dict(os.environ, PYTHONPATH=ROOT)
    run = lambda *args: subprocess.run([sys.executable, "-m", "wordvec", *args], capture_output=True, text=True,
                                       env=env)
    proc = run("index", model, "--json", "-q")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["type"] == "IVF-SQ8"
    approx = run("similar", model, "w1", "--approx", "--json")
    exact = run("similar", model, "w1", "--json")
    assert approx.returncode == 0 and exact.returncode == 0
    a, e = json.loads(approx.stdout), json.loads(exact.stdout)
    assert len({r["word"] for r in a} & {r["word"] for r in e}) >= 8
    proc = run("index", model, "--cells", "999999")
    assert proc.returncode == 1 and "nlist must be between" in proc.stderr


# --- the text-row kernel and its plain twin ------------------------------------------------------------------
def _kernel_parse(lines: list[bytes], dim: int):
    from wordvec.io._kernels import parse_rows

    out = np.zeros((len(lines), dim), dtype=np.float32)
    return parse_rows(np.frombuffer(b"".join(lines), dtype=np.uint8), len(lines), dim, out), out


def _twin(lines: list[bytes], dim: int) -> np.ndarray:
    return np.array([np.array(line.split()[1:], dtype=np.float32) for line in lines], dtype=np.float32)


def test_parse_kernel_matches_numpy_on_many_spellings():
    pytest.importorskip("numba")
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.standard_normal(3000) * 10.0 ** rng.integers(-8, 8, 3000),
                             [0.0, -0.0, 1.0, -1.0, 3.4e37, 1e-30, 123456789.0]]).astype(np.float32)
    spellings = ["%.9g", "%.6f", "%.5e", "%.8E", "%.3g", "%+.4f", "%g"]
    dim = 7
    lines = []
    for k in range(0, len(values) - dim, dim):
        row = values[k:k + dim]
        lines.append(("w%d\t" % k + " ".join(spellings[(k + j) % len(spellings)] % v for j, v in
                                            enumerate(row)) + (" \r\n" if k % 2 else "\n")).encode())
    lines += [b"a 1 2. .5 -0 +3 1e2 7E-1\n", b"  b  0.000 00012 5e+0 -.25 1.5e-21 9e22 4\n"]
    status, got = _kernel_parse(lines, dim)
    assert status == 0
    assert np.array_equal(got, _twin(lines, dim))
    assert np.array_equal(np.signbit(got), np.signbit(_twin(lines, dim)))  # -0 keeps its sign


@pytest.mark.parametrize("line", [b"a 1 2\n", b"a 1 2 3 4\n", b"a 1 x 3\n", b"a 1 nan 3\n", b"a 1 inf 3\n",
                                  b"a 1.5x 2 3\n", b"a 1 2 1234567890123456\n", b"a 1 2 1e23\n", b"a 1 2 1e\n",
                                  b"a 1 2 0x10\n", b"a 1 2 3 \x0c4\n", b"a\x0cb 1 2 3\n", b"a 1 - 3\n"])
def test_parse_kernel_hands_unusual_rows_back(line):
    pytest.importorskip("numba")
    assert _kernel_parse([b"ok 1 2 3\n", line], 3)[0] == 1


def test_import_same_with_and_without_kernel(tmp_path, monkeypatch):
    wv = _table(500, 6)
    path = str(tmp_path / "v.txt")
    save_word2vec_format(wv, path)
    import_vectors(path, str(tmp_path / "a"))
    monkeypatch.setattr(vector_stream, "ACCELERATE", False)
    import_vectors(path, str(tmp_path / "b"))
    a, b = Embedding.load(str(tmp_path / "a"), mmap=True), Embedding.load(str(tmp_path / "b"), mmap=True)
    assert a.words == b.words and np.array_equal(np.asarray(a.vectors), np.asarray(b.vectors))
    assert np.array_equal(np.asarray(a.vectors), wv.vectors)


def test_imported_model_saved_again_loads(tmp_path):
    wv = _table()
    path = str(tmp_path / "v.txt")
    save_word2vec_format(wv, path)
    import_vectors(path, str(tmp_path / "m"))
    emb = Embedding.load(str(tmp_path / "m"), mmap=True)
    emb.save(str(tmp_path / "copy"))
    again = Embedding.load(str(tmp_path / "copy"), mmap=True)
    assert again.words == wv.words and np.array_equal(np.asarray(again.vectors), wv.vectors)
