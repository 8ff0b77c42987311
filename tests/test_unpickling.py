"""Code execution from files: `import-gensim` reads gensim's pickles with a restricted unpickler.

Crafted pickles try os.system, subprocess, builtins.eval/exec, __reduce__ into other modules, protocol-0
INST, BUILD on a class and gensim's side-loaded sparse matrices. Each must be refused with one line and
nothing may run: the payload would create a sentinel file, which must not appear.
"""
from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from _reliability_helpers import assert_nothing_written, assert_user_error, run_process
from wordvec.errors import InputError
from wordvec.io.safe_pickle import KEYED_VECTORS, WORD2VEC, UnsafePickleError, safe_load, safe_loads

gensim = pytest.importorskip("gensim")


def _sentences():
    return [["甲", "乙", "丙", "丁"] * 5, ["戊", "己", "甲", "乙"] * 5] * 40


@pytest.fixture(scope="module")
def w2v(tmp_path_factory):
    from gensim.models import Word2Vec

    folder = tmp_path_factory.mktemp("gensim")
    model = Word2Vec(_sentences(), vector_size=8, min_count=1, hs=1, negative=0, sg=1, epochs=1, workers=1, seed=3)
    model.save(str(folder / "inline.model"))
    model.save(str(folder / "apart.model"), sep_limit=10)  # arrays in .npy files beside it
    model.wv.save(str(folder / "only.kv"))
    return folder, model


class _Call:
    """Pickles as a call of ``func(*args)``: the classic payload."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _payloads(sentinel: str) -> dict[str, bytes]:
    import builtins
    import importlib
    import shutil

    touch = f"touch {sentinel}"
    code = f"open({sentinel!r}, 'w').close()"
    return {
        "os.system": pickle.dumps(_Call(os.system, touch)),
        "subprocess.Popen": pickle.dumps(_Call(subprocess.Popen, ["touch", sentinel])),
        "subprocess.check_call": pickle.dumps(_Call(subprocess.check_call, ["touch", sentinel])),
        "builtins.eval": pickle.dumps(_Call(builtins.eval, code)),
        "builtins.exec": pickle.dumps(_Call(builtins.exec, code)),
        "builtins.open": pickle.dumps(_Call(builtins.open, sentinel, "w")),
        "shutil.copy": pickle.dumps(_Call(shutil.copy, __file__, sentinel)),
        "importlib": pickle.dumps(_Call(importlib.import_module, "this")),
        "protocol 0": pickle.dumps(_Call(os.system, touch), protocol=0),
        "INST opcode": b"(S'" + touch.encode() + b"'\nios\nsystem\n.",
        "nested in a dict": pickle.dumps({"wv": [1, 2, _Call(os.system, touch)]}),
        "inside a Word2Vec state": _word2vec_with(_Call(os.system, touch)),
    }


def _word2vec_with(evil) -> bytes:
    """A real-looking Word2Vec pickle whose state carries ``evil``."""
    from gensim.models import Word2Vec

    model = Word2Vec(vector_size=4, min_count=1, hs=1, negative=0)
    model.evil = evil
    return pickle.dumps(model, protocol=4)


@pytest.mark.parametrize("name", list(_payloads("/x")))
def test_payload_refused_and_nothing_runs(tmp_path, name):
    sentinel = tmp_path / "RAN"
    data = _payloads(str(sentinel))[name]
    path = tmp_path / "evil.model"
    path.write_bytes(data)
    with pytest.raises(UnsafePickleError, match="refusing to load") as info:
        safe_load(path)
    assert "\n" not in str(info.value)
    assert not sentinel.exists()
    from wordvec.word2vec.bridge import load_gensim_model

    with pytest.raises(InputError):
        load_gensim_model(path)
    assert not sentinel.exists()


def test_the_refusal_names_what_was_asked_for(tmp_path):
    with pytest.raises(UnsafePickleError, match="system"):
        safe_loads(pickle.dumps(_Call(os.system, "true")))


def test_refused_before_the_module_is_imported():
    module = "wordvec_never_imported_module"
    data = b"c" + module.encode() + b"\nrun\n."
    with pytest.raises(UnsafePickleError, match=module):
        safe_loads(data)
    assert module not in sys.modules


def test_allowed_class_may_not_be_called_with_arguments():
    from gensim.models import Word2Vec

    # Word2Vec(corpus_file=...) would read and train on any file; only the bare re-creation is allowed
    with pytest.raises(UnsafePickleError, match="Word2Vec"):
        safe_loads(pickle.dumps(_Call(Word2Vec, [["a", "b"]] * 10)))


def test_allowed_class_may_not_be_an_argument():
    from gensim.models import Word2Vec
    from numpy.random._pickle import __bit_generator_ctor as ctor

    with pytest.raises(UnsafePickleError, match="Word2Vec"):
        safe_loads(pickle.dumps(_Call(ctor, Word2Vec)))


def test_build_on_a_class_refused():
    from gensim.models import KeyedVectors

    # GLOBAL KeyedVectors, state ({}, {'load': hash}), BUILD: would monkey-patch the class
    data = (b"\x80\x04cgensim.models.keyedvectors\nKeyedVectors\n}}\x8c\x04load\x94cbuiltins\nhash\n"
            b"s\x86b.")
    before = KeyedVectors.load
    with pytest.raises(UnsafePickleError, match="change"):
        safe_loads(data)
    assert KeyedVectors.load == before


def test_persistent_ids_refused():
    buffer = io.BytesIO()

    class _Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            return "x" if obj == "secret" else None

    _Pickler(buffer).dump(["secret"])
    with pytest.raises(UnsafePickleError, match="persistent"):
        safe_loads(buffer.getvalue())


def test_side_loaded_sparse_matrices_refused(tmp_path, w2v):
    """gensim would unpickle `NAME.attr` unrestricted for each name in __scipys."""
    folder, model = w2v
    from gensim.models import Word2Vec

    sentinel = tmp_path / "RAN"
    crafted = Word2Vec(vector_size=4, min_count=1, hs=1, negative=0)
    setattr(crafted, "__scipys", ["evil"])
    path = tmp_path / "sparse.model"
    path.write_bytes(pickle.dumps(crafted, protocol=4))
    (tmp_path / "sparse.model.evil").write_bytes(pickle.dumps(_Call(os.system, f"touch {sentinel}")))
    from wordvec.word2vec.bridge import load_gensim_model

    with pytest.raises(UnsafePickleError, match="sparse"):
        load_gensim_model(path)
    assert not sentinel.exists()


def test_array_names_that_leave_the_folder_refused(tmp_path):
    from gensim.models import Word2Vec
    from wordvec.word2vec.bridge import load_gensim_model

    crafted = Word2Vec(vector_size=4, min_count=1, hs=1, negative=0)
    setattr(crafted, "__numpys", ["../../etc/x"])
    path = tmp_path / "names.model"
    path.write_bytes(pickle.dumps(crafted, protocol=4))
    with pytest.raises(UnsafePickleError, match="numpys"):
        load_gensim_model(path)


@pytest.mark.parametrize("name", ["inline.model", "apart.model"])
def test_real_models_load_the_same_as_gensim(w2v, name):
    folder, model = w2v
    from gensim.models import Word2Vec
    from wordvec.word2vec.bridge import from_gensim_model, load_gensim_model

    ours = load_gensim_model(folder / name)
    theirs = from_gensim_model(Word2Vec.load(str(folder / name)))
    assert ours.words == theirs.words
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    for key in theirs.extras:
        np.testing.assert_array_equal(ours.extras[key], theirs.extras[key])


def test_keyed_vectors_list_reads_kv_files(w2v):
    folder, model = w2v
    kv = safe_load(folder / "only.kv", allowed=KEYED_VECTORS)
    assert list(kv.index_to_key) == list(model.wv.index_to_key)
    with pytest.raises(UnsafePickleError):  # a Word2Vec file is not a KeyedVectors file
        safe_load(folder / "inline.model", allowed=KEYED_VECTORS)
    assert "gensim.models.word2vec.Word2Vec" in WORD2VEC


def test_cli_refuses_crafted_model_and_runs_nothing(tmp_path):
    sentinel = tmp_path / "RAN"
    path = tmp_path / "evil.model"
    path.write_bytes(pickle.dumps(_Call(os.system, f"touch {sentinel}")))
    out = tmp_path / "model"
    result = run_process("import-gensim", path, "-o", out)
    line = assert_user_error(result, "refusing", "evil.model")
    assert "not a gensim model" not in line
    assert not sentinel.exists()
    assert_nothing_written(out)


def test_help_warns_about_pickles():
    result = run_process("import-gensim", "--help")
    assert result.returncode == 0
    assert "pickle" in result.stdout and "trust" in result.stdout
