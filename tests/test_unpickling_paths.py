"""One restricted unpickler for every gensim file, and crafted pickles aimed at the parts around it.

tests/test_unpickling.py tries the classic payloads; these try the seams: a call into any importable module,
allowed helpers given a class to build, slot states that would reach a property, gensim's side-file lists,
FastText files, deep nesting, and the command line for each payload (real processes: exit 1, one line, no
traceback, and the sentinel the payload would create never appears).
"""
from __future__ import annotations

import ast
import os
import pickle
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from _reliability_helpers import assert_nothing_written, assert_user_error, run_process
from wordvec.errors import InputError
from wordvec.io.gensim_files import load_gensim_object
from wordvec.io.safe_pickle import GENSIM, UnsafePickleError, safe_loads

gensim_models = pytest.importorskip("gensim.models")
ROOT = Path(__file__).resolve().parents[1]


class _Call:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _kv_with(attribute: str, value) -> bytes:
    kv = gensim_models.KeyedVectors(2)
    kv.add_vectors(["a", "b"], np.eye(2, dtype=np.float32))
    setattr(kv, attribute, value)
    return pickle.dumps(kv, protocol=4)


def test_only_one_unpickler_in_the_product():
    """Every Unpickler subclass of the package lives in wordvec/io/safe_pickle.py."""
    found = []
    for folder in ("wordvec", "corpora", "cli"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and any("Unpickler" in ast.unparse(b) for b in node.bases):
                    found.append(str(path.relative_to(ROOT)))
                if isinstance(node, ast.Attribute) and node.attr in ("load", "loads") and \
                        ast.unparse(node.value) in ("pickle", "cPickle", "_pickle"):
                    found.append(f"{path.relative_to(ROOT)}: pickle.{node.attr}")
    assert found == ["wordvec/io/safe_pickle.py"], found


def test_a_call_into_any_of_our_own_modules_is_refused(tmp_path):
    import shutil

    keep = tmp_path / "keep"
    keep.mkdir()
    from wordvec.io import atomic

    for payload in (_Call(shutil.rmtree, str(keep)), _Call(atomic.save_json, str(tmp_path / "RAN"), {})):
        with pytest.raises(UnsafePickleError, match="refusing"):
            safe_loads(pickle.dumps(payload, protocol=4), GENSIM)
    assert keep.is_dir() and not (tmp_path / "RAN").exists()


def test_defaultdict_factory_that_is_a_gensim_class_is_refused():
    data = pickle.dumps(defaultdict(gensim_models.Word2Vec), protocol=4)
    with pytest.raises(UnsafePickleError, match="Word2Vec"):
        safe_loads(data, GENSIM)


def test_random_state_helper_given_a_gensim_class_is_refused():
    from numpy.random._pickle import __randomstate_ctor as ctor

    with pytest.raises(UnsafePickleError, match="KeyedVectors"):
        safe_loads(pickle.dumps(_Call(ctor, gensim_models.KeyedVectors), protocol=4), GENSIM)


def test_a_slot_state_on_a_gensim_object_is_refused():
    # NEWOBJ KeyedVectors, then BUILD with (None, {"index2word": [...]}): setattr would run the property setter
    kv = b"\x80\x04cgensim.models.keyedvectors\nKeyedVectors\n)\x81"
    data = kv + b"N}\x8c\nindex2word\x94]\x8c\x01x\x94as\x86b."
    with pytest.raises(UnsafePickleError, match="slot state"):
        safe_loads(data, GENSIM)


@pytest.mark.parametrize("attribute, value, what", [
    ("__recursive_saveloads", ["vectors"], "should be a gensim object"),
    ("__ignoreds", ["../x"], "__ignoreds"),
    ("__numpys", "vectors", "__numpys"),
    ("__scipys", ["vectors"], "sparse"),
])
def test_side_file_lists_are_checked(tmp_path, attribute, value, what):
    path = tmp_path / "odd.kv"
    path.write_bytes(_kv_with(attribute, value))
    with pytest.raises(UnsafePickleError, match=what):
        load_gensim_object(path)


def test_deep_nesting_is_refused_in_one_line(tmp_path):
    deep: list = []
    for _ in range(200):
        deep = [deep]
    path = tmp_path / "deep.kv"
    path.write_bytes(_kv_with("lifecycle_events", deep))
    with pytest.raises(UnsafePickleError, match="nested too deeply") as info:
        load_gensim_object(path)
    assert "\n" not in str(info.value)


def test_fasttext_model_with_a_payload_is_refused(tmp_path):
    sentinel = tmp_path / "RAN"
    model = gensim_models.FastText(vector_size=4, min_count=1)
    model.evil = _Call(os.system, f"touch {sentinel}")
    path = tmp_path / "evil.model"
    path.write_bytes(pickle.dumps(model, protocol=4))
    with pytest.raises(UnsafePickleError, match="system"):
        load_gensim_object(path)
    assert not sentinel.exists()


def test_a_gensim_class_we_do_not_convert_is_named(tmp_path):
    from gensim.models.word2vec import Word2VecVocab

    path = tmp_path / "vocab.model"
    path.write_bytes(pickle.dumps(Word2VecVocab(), protocol=4))
    with pytest.raises(InputError, match="Word2VecVocab"):
        load_gensim_object(path)


def test_a_truncated_real_model_is_a_damaged_file(tmp_path):
    model = gensim_models.Word2Vec([["a", "b", "c"]] * 20, vector_size=4, min_count=1, workers=1)
    model.save(str(tmp_path / "w.model"))
    data = (tmp_path / "w.model").read_bytes()
    (tmp_path / "w.model").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="damaged") as info:
        load_gensim_object(tmp_path / "w.model")
    assert not isinstance(info.value, UnsafePickleError)


def _cli_payloads(sentinel: str) -> dict[str, bytes]:
    import builtins

    code = f"open({sentinel!r}, 'w').close()"
    return {
        "os.system": pickle.dumps(_Call(os.system, f"touch {sentinel}"), protocol=2),
        "subprocess": pickle.dumps(_Call(subprocess.call, ["touch", sentinel]), protocol=4),
        "eval": pickle.dumps(_Call(builtins.eval, code), protocol=4),
        "exec-in-kv": _kv_with("lifecycle_events", [_Call(builtins.exec, code)]),
        # getattr(__import__("os"), "system")("touch ..."), written by hand
        "getattr-chain": (b"\x80\x02cbuiltins\ngetattr\n(cbuiltins\n__import__\n(X\x02\x00\x00\x00ostRX\x06\x00\x00"
                          b"\x00systemtR(X" + len(f"touch {sentinel}").to_bytes(4, "little")
                          + f"touch {sentinel}".encode() + b"tR."),
    }


@pytest.mark.parametrize("name", list(_cli_payloads("/x")))
@pytest.mark.parametrize("command", ["import-gensim", "similar"])
def test_cli_runs_no_payload(tmp_path, name, command):
    sentinel = tmp_path / "RAN"
    path = tmp_path / "evil.model"
    path.write_bytes(_cli_payloads(str(sentinel))[name])
    out = tmp_path / "out"
    args = ["import-gensim", path, "-o", out] if command == "import-gensim" else ["similar", path, "a"]
    result = run_process(*args, cwd=ROOT)
    assert_user_error(result, "refusing", "evil.model")
    assert not sentinel.exists()
    assert_nothing_written(out)


def test_random_states_of_old_numpy_pickles_load():
    """numpy < 1.17 pickled a RandomState as ``numpy.random.__RandomState_ctor()`` then its state (gensim 3)."""
    from numpy.random import RandomState

    state = RandomState(7).get_state()
    data = (b"\x80\x02cnumpy.random\n__RandomState_ctor\n)R" + pickle.dumps(state, protocol=2)[2:-1] + b"b.")
    loaded = safe_loads(data, GENSIM)
    assert isinstance(loaded, RandomState) and loaded.randint(1000) == RandomState(7).randint(1000)


@pytest.mark.parametrize("cls", ["Word2Vec", "FastText", "KeyedVectors"])
def test_protocol_2_files_load_like_gensim_loads_them(tmp_path, cls):
    """gensim 3 saved with pickle protocol 2: Python 2 module names (__builtin__) and bytes written as
    _codecs.encode(text, "latin1")."""
    from wordvec.word2vec.bridge import load_gensim_model

    sentences = [["甲", "乙", "丙", "丁"], ["乙", "丙", "戊"]] * 30
    if cls == "KeyedVectors":
        obj = gensim_models.Word2Vec(sentences, vector_size=4, min_count=1, workers=1, seed=1).wv
    else:
        obj = getattr(gensim_models, cls)(sentences, vector_size=4, min_count=1, workers=1, seed=1, hs=1,
                                          negative=0)
    path = tmp_path / "old.model"
    obj.save(str(path), pickle_protocol=2)
    assert b"_codecs" in path.read_bytes() and b"__builtin__" in path.read_bytes()
    ours = load_gensim_model(path)
    theirs = type(obj).load(str(path))
    vectors = theirs.vectors if cls == "KeyedVectors" else theirs.wv.vectors
    words = theirs.index_to_key if cls == "KeyedVectors" else theirs.wv.index_to_key
    assert sorted(ours.words) == sorted(words)
    for word in words:
        np.testing.assert_array_equal(ours.vectors[ours.words.index(word)], vectors[words.index(word)])


@pytest.mark.parametrize("data, what", [
    (b"\x80\x02c_codecs\nencode\nX\x02\x00\x00\x00abX\x05\x00\x00\x00rot13\x86R.", "_codecs.encode"),
    (b"\x80\x02c__builtin__\nbytes\nJ\x00\x00\x00\x7f\x85R.", "builtins.bytes"),  # would allocate 2 GB
])
def test_allowed_helpers_only_with_the_arguments_pickle_writes(data, what):
    with pytest.raises(UnsafePickleError, match=what):
        safe_loads(data, GENSIM)
