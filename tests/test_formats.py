"""word2vec text/binary and GloVe writers and the robust reader (issue 3 acceptance 4, issue 7 loaders)."""
from __future__ import annotations

import gzip
import os
import warnings

import numpy as np
import pytest

from wordvec.io.vocab import Vocabulary
from wordvec.query.embedding import Embedding
from wordvec.errors import CorruptFileError, InputError, WordvecError
from wordvec.io.formats import VectorFileWarning, load_vectors, save_glove, save_word2vec_format

WORDS = ["的", "中国", "北京", "word", "人民", "</s>", "经济", "发展"]


def make_emb(n=len(WORDS), d=5, seed=0):
    rng = np.random.default_rng(seed)
    words = WORDS[:n] if n <= len(WORDS) else [f"w{i}" for i in range(n)]
    vocab = Vocabulary(words, np.arange(len(words), 0, -1))
    return Embedding(rng.standard_normal((len(words), d)).astype(np.float32), vocab, {"kind": "pmi"})


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# --- round trips --------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary", "glove"])
def test_round_trip_exact(tmp_path, fmt):
    emb = make_emb()
    path = str(tmp_path / "v.out")
    if fmt == "glove":
        save_glove(emb, path)
    else:
        save_word2vec_format(emb, path, binary=fmt == "word2vec-binary")
    for format in ("auto", fmt):
        got = load_vectors(path, format=format)
        assert got.words == emb.words
        assert got.kind == "external"
        assert got.vectors.dtype == np.float32
        np.testing.assert_array_equal(got.vectors, emb.vectors)
        assert (got.counts == 0).all()
        assert got.meta["source_format"] == fmt


def test_text_layout(tmp_path):
    emb = make_emb(d=3)
    path = tmp_path / "v.txt"
    save_word2vec_format(emb, path)
    lines = path.read_text("utf-8").split("\n")
    assert lines[0] == f"{len(WORDS)} 3"
    assert lines[1].split(" ")[0] == "的" and len(lines[1].split(" ")) == 4
    assert lines[-1] == ""  # final newline
    glove = tmp_path / "g.txt"
    save_glove(emb, glove)
    assert glove.read_text("utf-8").split("\n")[0].split(" ")[0] == "的"


def test_binary_layout(tmp_path):
    emb = make_emb(d=2)
    path = tmp_path / "v.bin"
    save_word2vec_format(emb, path, binary=True)
    data = path.read_bytes()
    assert data.startswith(f"{len(WORDS)} 2\n".encode())
    first = data[len(f"{len(WORDS)} 2\n"):]
    assert first.startswith("的 ".encode())
    off = len("的 ".encode())
    np.testing.assert_array_equal(np.frombuffer(first[off:off + 8], "<f4"), emb.vectors[0])
    assert first[off + 8:off + 9] == b"\n"


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_our_export_with_same_neighbours(tmp_path, binary):
    from gensim.models import KeyedVectors

    emb = make_emb(n=60, d=16, seed=3)
    path = tmp_path / ("v.bin" if binary else "v.txt")
    save_word2vec_format(emb, path, binary=binary)
    kv = KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert kv.index_to_key == emb.words
    np.testing.assert_array_equal(kv.vectors, emb.vectors)
    unit = emb.unit_vectors
    for word in ["w0", "w7", "w33"]:
        sims = unit @ unit[emb.index(word)]
        sims[emb.index(word)] = -np.inf
        ours = [emb.words[i] for i in np.argsort(-sims, kind="stable")[:5]]
        assert [w for w, _ in kv.most_similar(word, topn=5)] == ours


@pytest.mark.parametrize("binary", [False, True])
def test_we_read_gensim_files(tmp_path, binary):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(4)
    kv.add_vectors(["甲", "乙", "丙"], np.arange(12, dtype=np.float32).reshape(3, 4) / 7)
    path = str(tmp_path / "g.w2v")
    kv.save_word2vec_format(path, binary=binary)  # gensim's binary has no newline after each vector
    got = load_vectors(path)
    assert got.words == ["甲", "乙", "丙"]
    np.testing.assert_array_equal(got.vectors, kv.vectors)


def test_crlf_bom_and_gzip(tmp_path):
    text = "\ufeff2 2\r\na 1 2\r\nb 3 4\r\n".encode("utf-8")
    got = load_vectors(write(tmp_path, "crlf.txt", text))
    assert got.words == ["a", "b"]
    np.testing.assert_array_equal(got.vectors, [[1, 2], [3, 4]])
    path = tmp_path / "v.txt.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(b"a 1 2\nb 3 4")  # GloVe, no final newline
    got = load_vectors(str(path))
    assert got.words == ["a", "b"] and got.meta["source_format"] == "glove"


# --- bad input ------------------------------------------------------------------------------------------
def one_line(err: Exception) -> str:
    message = str(err)
    assert "\n" not in message
    return message


def test_header_declares_more_rows(tmp_path):
    path = write(tmp_path, "short.txt", b"3 2\na 1 2\nb 3 4\n")
    with pytest.raises(CorruptFileError) as err:
        load_vectors(path)
    assert "declares 3 vectors but the file has 2" in one_line(err.value) and path in str(err.value)


def test_header_declares_fewer_rows(tmp_path):
    path = write(tmp_path, "long.txt", b"1 2\na 1 2\nb 3 4\n")
    with pytest.raises(CorruptFileError, match=r"long.txt:3: more rows than the header declares"):
        load_vectors(path)


def test_ragged_row_names_file_and_line(tmp_path):
    path = write(tmp_path, "rag.txt", b"a 1 2 3\nb 1 2\nc 1 2 3\n")
    with pytest.raises(CorruptFileError, match=r"rag.txt:2: expected a word and 3 numbers, found 2"):
        load_vectors(path)
    path = write(tmp_path, "rag2.txt", b"3 3\na 1 2 3\nb 1 2 3 4\nc 1 2 3\n")
    with pytest.raises(CorruptFileError, match=r"rag2.txt:3:"):
        load_vectors(path)


def test_duplicate_words_keep_first_or_strict(tmp_path):
    path = write(tmp_path, "dup.txt", b"3 2\na 1 2\nb 3 4\na 5 6\n")
    with pytest.warns(VectorFileWarning, match="duplicate"):
        got = load_vectors(path)
    assert got.words == ["a", "b"]
    np.testing.assert_array_equal(got.vectors, [[1, 2], [3, 4]])
    with pytest.raises(CorruptFileError, match=r"dup.txt:4: duplicate word 'a'"):
        load_vectors(path, strict=True)


def test_non_utf8_words_replace_or_strict(tmp_path):
    path = write(tmp_path, "bad.txt", b"x\xff 1 2\n\xe4\xb8 3 4\n")
    with pytest.warns(VectorFileWarning, match="not valid UTF-8"):
        got = load_vectors(path)
    assert got.words == ["x\ufffd", "\ufffd"]
    with pytest.raises(CorruptFileError, match=r"bad.txt:1: word is not valid UTF-8"):
        load_vectors(path, strict=True)
    emb = make_emb(d=3)
    binary = tmp_path / "bad.bin"
    save_word2vec_format(emb, binary, binary=True)
    data = binary.read_bytes().replace("中国".encode(), b"\xff\xfe\xfd\xfc\xfb\xfa")
    binary.write_bytes(data)
    with pytest.warns(VectorFileWarning):
        assert load_vectors(str(binary)).words[1] == "\ufffd" * 6
    with pytest.raises(CorruptFileError, match="vector 2: word is not valid UTF-8"):
        load_vectors(str(binary), strict=True)


@pytest.mark.parametrize("cut", [2, 7, 30, 60])
def test_truncated_binary(tmp_path, cut):
    emb = make_emb(d=4)
    path = tmp_path / "t.bin"
    save_word2vec_format(emb, path, binary=True)
    data = path.read_bytes()
    path.write_bytes(data[:-cut])
    with pytest.raises(CorruptFileError, match="truncated") as err:
        load_vectors(str(path))
    one_line(err.value)
    with pytest.raises(CorruptFileError, match="truncated"):
        load_vectors(str(path), format="word2vec-binary")


def test_binary_with_extra_data(tmp_path):
    emb = make_emb(d=4)
    path = tmp_path / "x.bin"
    save_word2vec_format(emb, path, binary=True)
    path.write_bytes(path.read_bytes() + b"extra 1234567890123456")
    with pytest.raises(CorruptFileError, match="data after the"):
        load_vectors(str(path))


@pytest.mark.parametrize("value", [b"nan", b"inf", b"-inf", b"1e999"])
def test_nan_inf_values(tmp_path, value):
    path = write(tmp_path, "nan.txt", b"a 1 2\nb 3 " + value + b"\n")
    with pytest.raises(CorruptFileError, match=r"nan.txt:2: NaN or Inf"):
        load_vectors(path)


def test_nan_in_binary(tmp_path):
    emb = make_emb(d=4)
    path = tmp_path / "n.bin"
    save_word2vec_format(emb, path, binary=True)
    data = bytearray(path.read_bytes())
    start = data.index("北京 ".encode()) + len("北京 ".encode())
    data[start:start + 4] = np.array([np.nan], "<f4").tobytes()
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFileError, match="vector 3: NaN or Inf"):
        load_vectors(str(path))


def test_empty_missing_directory_and_non_vector_files(tmp_path):
    with pytest.raises(InputError, match="empty"):
        load_vectors(write(tmp_path, "empty.txt", b""))
    with pytest.raises(InputError, match="not found"):
        load_vectors(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="directory"):
        load_vectors(str(tmp_path))
    with pytest.raises(CorruptFileError, match=r"prose.txt:1: value b'world' is not a number"):
        load_vectors(write(tmp_path, "prose.txt", "hello world\n这 是 文本\n".encode()))
    with pytest.raises(CorruptFileError):
        load_vectors(write(tmp_path, "one.txt", b"justoneword\n"))
    with pytest.raises(CorruptFileError):
        load_vectors(write(tmp_path, "nul.bin", b"\x00\x01\x02\x03" * 50))
    with pytest.raises(CorruptFileError, match="expected a header"):
        load_vectors(write(tmp_path, "g.txt", b"a 1 2\n"), format="word2vec")
    with pytest.raises(InputError, match="unknown vector format"):
        load_vectors(write(tmp_path, "h.txt", b"a 1 2\n"), format="fasttext")
    with pytest.raises(CorruptFileError):
        load_vectors(write(tmp_path, "bad.gz", b"not gzip at all"))


def test_export_refuses_bad_words_and_nan_without_partial_file(tmp_path):
    emb = make_emb(d=2)
    emb.vocab.words[2] = "两 个"
    path = tmp_path / "out.txt"
    with pytest.raises(InputError, match="whitespace"):
        save_word2vec_format(emb, path)
    emb = make_emb(d=2)
    emb.vectors[1, 1] = np.nan
    with pytest.raises(CorruptFileError):
        save_glove(emb, path)
    assert os.listdir(tmp_path) == []


def test_all_errors_are_wordvec_errors(tmp_path):
    for data in (b"2 2\n", b"2 2\na 1\n", b"0 0\n", b"5 x\n", b"\n\n\n", b"1 1\nword\xff 0.5\n\n\nb 1\n"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                load_vectors(write(tmp_path, "f.txt", data))
            except WordvecError as err:
                one_line(err)
