"""Fuzzing (issue 7): random bytes and mutated valid files into the three vector loaders and the evaluation
parsers — only ``WordvecError`` subclasses may escape, and their messages are one line."""
from __future__ import annotations

import os
import tempfile
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordvec.io.vocab import Vocabulary
from wordvec.query.embedding import Embedding
from wordvec.errors import WordvecError
from wordvec.query.evaluate import evaluate_analogies, evaluate_word_pairs, read_analogies, read_word_pairs
from wordvec.io.formats import load_vectors, save_glove, save_word2vec_format

FORMATS = ["auto", "word2vec", "word2vec-binary", "glove"]
FUZZ = settings(max_examples=int(os.environ.get("WORDVEC_FUZZ_EXAMPLES", 150)), deadline=None, suppress_health_check=[HealthCheck.too_slow])
_DIR = tempfile.mkdtemp(prefix="wordvec-fuzz-")


def _valid_files() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    words = ["的", "中国", "a", "b", "经济", "x1"]
    emb = Embedding(rng.standard_normal((len(words), 3)).astype(np.float32), Vocabulary(words, [1] * len(words)))
    out = {}
    for name, writer in (
        ("w2v.txt", lambda p: save_word2vec_format(emb, p)),
        ("w2v.bin", lambda p: save_word2vec_format(emb, p, binary=True)),
        ("glove.txt", lambda p: save_glove(emb, p)),
    ):
        path = os.path.join(_DIR, "valid-" + name)
        writer(path)
        with open(path, "rb") as handle:
            out[name] = handle.read()
    out["pairs.txt"] = "老虎\t猫\t7.35\r\n书\t 纸\t7.46\r\n电脑\t键盘\t7.62".encode()
    out["analogy.txt"] = ": capital\n雅典 希腊 北京 中国\n: family\n男孩 女孩 兄弟 姐妹\n".encode()
    return out


VALID = _valid_files()
EMB = Embedding(np.eye(4, dtype=np.float32), Vocabulary(["老虎", "猫", "书", "北京"], [4, 3, 2, 1]))


def _write(data: bytes) -> str:
    path = os.path.join(_DIR, "case.bin")
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def _must_be_ours(call) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call()
        except WordvecError as err:
            assert "\n" not in str(err), str(err)


def _check_all(data: bytes) -> None:
    path = _write(data)
    for fmt in FORMATS:
        _must_be_ours(lambda: load_vectors(path, format=fmt))
        _must_be_ours(lambda: load_vectors(path, format=fmt, strict=True))
    for parse in (read_word_pairs, read_analogies):
        _must_be_ours(lambda: parse(path))
    _must_be_ours(lambda: evaluate_word_pairs(EMB, path))
    _must_be_ours(lambda: evaluate_analogies(EMB, path))


@st.composite
def mutated(draw):
    data = bytearray(VALID[draw(st.sampled_from(sorted(VALID)))])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "delete", "dup"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from([b" ", b"\n", b"\r\n", b"\t", b"nan", b"\xff", b"\x00", b"99999 3",
                                                  b"1e39", b"-", b":", b"#", b"\xef\xbb\xbf", b"0 0\n"]))
        elif op == "delete" and data:
            del data[pos:pos + draw(st.integers(1, 12))]
        elif op == "dup" and data:
            end = min(len(data), pos + draw(st.integers(1, 40)))
            data[pos:pos] = data[pos:end]
    return bytes(data)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes(data):
    _check_all(data)


@FUZZ
@given(mutated())
def test_mutated_valid_files(data):
    _check_all(data)


@FUZZ
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), max_size=8))
def test_random_text_lines(lines):
    _check_all("\n".join(lines).encode("utf-8"))


@FUZZ
@given(st.integers(0, 10**12), st.integers(0, 10**6), st.binary(max_size=200))
def test_headers_with_absurd_sizes(count, dim, body):
    _check_all(f"{count} {dim}\n".encode() + body)
