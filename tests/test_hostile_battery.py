"""Our own hostile battery (issue 19, "What to build" 8): cases beyond the nine classes of the issue.

Inputs that are empty, doubled, looped or oddly ended; output and cache paths that cannot be folders; query
words that are empty, huge or cancel out; evaluation files with holes; model directories tampered with *and
re-sealed* (checksums recomputed, so only the structural checks can notice); checkpoints that are not folders.
Every case runs the real command in a process: the exit code, one stderr line (``error:`` for exit 1, click's
usage block for exit 2), no traceback, nothing left behind.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from _reliability_helpers import assert_clean_exit, assert_nothing_written, assert_user_error, run, \
    tiny_trained, train_args

ROOT = Path(__file__).resolve().parents[1]
WS = ["--tokenizer", "whitespace", "--min-count", "1", "--workers", "1", "-q"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return tiny_trained(tmp_path_factory.mktemp("hostile"))


def wordvec(*args, env=None, input=None, cwd=None):
    full = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "wordvec", *map(str, args)], capture_output=True, text=True,
                          env=full, input=input, cwd=cwd or ROOT, timeout=300)


def usage_error(result, *names):
    err = assert_clean_exit(result, 2)
    assert "Error:" in err and all(n in err for n in names), err


def count(base, tmp_path, *inputs, extra=(), env=None):
    out = tmp_path / "out"
    return wordvec("count", *inputs, "-o", out, *WS, "--cache-dir", base["cache"], *extra, env=env), out


# --- inputs -------------------------------------------------------------------------------------------------
def test_folder_of_empty_files(base, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"")
    (folder / "b.txt").write_bytes(b"")
    result, out = count(base, tmp_path, folder)
    assert_user_error(result, "no tokens")
    assert_nothing_written(out)


@pytest.mark.parametrize("content", [b"  \n\n\t\n", b"\n" * 10000, b"\xef\xbb\xbf\n"], ids=["blank", "newlines", "bom"])
def test_input_with_no_tokens(base, tmp_path, content):
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    result, out = count(base, tmp_path, path)
    assert_user_error(result, "no tokens")
    assert_nothing_written(out)


def test_dev_null_as_input(base, tmp_path):
    result, out = count(base, tmp_path, "/dev/null")
    assert_user_error(result, "no tokens", "/dev/null")


def test_a_file_given_twice_is_refused(base, tmp_path):
    result, out = count(base, tmp_path, base["corpus"], base["corpus"])
    assert_user_error(result, "given twice", "counted twice")
    assert_nothing_written(out)


def test_a_file_and_a_link_to_it(base, tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(base["corpus"])
    result, out = count(base, tmp_path, base["corpus"], link)
    assert_user_error(result, "same file", "link.txt")


def test_a_folder_and_a_file_inside_it(base, tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    shutil.copy(base["corpus"], folder / "a.txt")
    result, out = count(base, tmp_path, folder, folder / "a.txt")
    assert_user_error(result, "counted twice")


def test_cr_and_crlf_line_ends(base, tmp_path):
    path = tmp_path / "ends.txt"
    path.write_bytes("甲 乙\r\n丙 丁\r戊 己\n庚 辛".encode())
    result, out = count(base, tmp_path, path)
    assert_clean_exit(result, 0)
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["total_tokens"] == 8


def test_one_huge_line_is_cut_with_a_warning(base, tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(" ".join(["甲", "乙"] * 1_500_000), encoding="utf-8")  # 6 MB without a newline
    result, out = count(base, tmp_path, path)
    err = assert_clean_exit(result, 0)
    assert err.startswith("warning:") and err.count("\n") == 1, err
    assert (out / "meta.json").is_file()


def test_gzip_inside_gzip(base, tmp_path):
    path = tmp_path / "twice.txt.gz"
    path.write_bytes(gzip.compress(gzip.compress(base["corpus"].read_bytes())))
    result, out = count(base, tmp_path, path)
    assert_user_error(result, "twice.txt.gz", "binary")


def test_input_symlink_loop(base, tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    result, out = count(base, tmp_path, loop)
    assert_user_error(result, "loop")


def test_user_dictionary_that_is_a_folder(base, tmp_path):
    result, out = count(base, tmp_path, base["corpus"], extra=["--user-dict", tmp_path])
    assert_user_error(result, "user dictionary")


# --- outputs, caches, temporary folders -------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["count", "{c}", "-o", ""], ["similar", "", "甲"], ["export", "{m}", "-o", ""]])
def test_empty_paths_are_usage_errors(base, args):
    args = [a.replace("{c}", str(base["corpus"])).replace("{m}", str(base["model"])) for a in args]
    usage_error(wordvec(*args), "empty path")


def test_output_under_a_file(base, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = wordvec("count", base["corpus"], "-o", blocker / "sub", *WS, "--cache-dir", base["cache"])
    assert_user_error(result, "file")
    assert blocker.read_text(encoding="utf-8") == "x"


def test_output_is_a_dangling_symlink(base, tmp_path):
    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "nowhere" / "x")
    result = wordvec("count", base["corpus"], "-o", link, *WS, "--cache-dir", base["cache"])
    assert_user_error(result, "dangling")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("how", ["env", "option"])
def test_cache_folder_that_is_a_file(base, tmp_path, how):
    blocker = tmp_path / "cachefile"
    blocker.write_text("x", encoding="utf-8")
    out = tmp_path / "out"
    if how == "env":
        result = wordvec("count", base["corpus"], "-o", out, *WS, env={"WORDVEC_CACHE_DIR": str(blocker)})
    else:
        result = wordvec("count", base["corpus"], "-o", out, *WS, "--cache-dir", blocker / "x")
    assert_user_error(result, "cachefile")
    assert_nothing_written(out)
    assert blocker.read_text(encoding="utf-8") == "x"


def test_missing_tmpdir_falls_back_and_leaves_nothing(base, tmp_path):
    result, out = count(base, tmp_path, base["corpus"], extra=["--memory", "64K", "--window", "20"],
                        env={"TMPDIR": str(tmp_path / "missing")})
    assert_clean_exit(result, 0)
    assert (out / "meta.json").is_file()


# --- queries ----------------------------------------------------------------------------------------------------
def test_empty_word(base):
    assert_user_error(wordvec("similar", base["model"], ""), "not in vocabulary")


def test_huge_word_gives_a_short_line(base):
    result = wordvec("similar", base["model"], "甲" * 40000)
    line = assert_user_error(result, "not in vocabulary", "40000 characters")
    assert len(line) < 300


def test_a_word_on_both_sides_cancels_out(base):
    assert_user_error(wordvec("similar", base["model"], "甲", "--negative", "甲"), "甲", "cancel")


def test_a_megabyte_of_text_on_stdin(base):
    result = wordvec("keywords", base["model"], "-n", "3", "--json", input="甲乙丙丁 " * 250_000 + "\n")
    assert_clean_exit(result, 0)
    assert len(json.loads(result.stdout)) == 1


def test_text_of_punctuation_only(base):
    result = wordvec("keywords", base["model"], "，。！？", "--json")
    err = assert_clean_exit(result, 0)
    assert json.loads(result.stdout) == []  # one JSON line per text: this one has no keywords
    assert all(line.startswith("note:") for line in err.splitlines())


@pytest.mark.parametrize("args", [["analogy", "{m}", "甲", "甲", "甲", "--json"], ["pmi", "{m}", "甲", "甲", "--json"],
                                  ["sentsim", "{m}", "", "", "--json"], ["predict", "{m}", "甲", "甲", "--json"]])
def test_degenerate_queries_answer_finite_json(base, args):
    result = wordvec(*[a.replace("{m}", str(base["model"])) for a in args])
    assert_clean_exit(result, 0)
    json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))


@pytest.mark.parametrize("lines, code, what", [
    ("甲\t乙\t1\n丙\t丁\tnan\n", 1, ":2"),  # NaN is not a score (the first line may be a header)
    ("甲\t乙\t1\n丙\t丁\t1e999\n", 1, ":2"),
    ("word1\tword2\tscore\n", 1, "no word pairs"),
    ("甲\t乙\t1\n丙\t丁\t1\n甲\t丙\t1\n", 0, None),  # constant gold scores: spearman null, not NaN
])
def test_evaluation_files_with_holes(base, tmp_path, lines, code, what):
    path = tmp_path / "pairs.txt"
    path.write_text(lines, encoding="utf-8")
    result = wordvec("evaluate", base["model"], path, "--json")
    if code:
        assert_user_error(result, what)
    else:
        assert_clean_exit(result, 0)
        scores = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
        assert scores["pairs"]["spearman"] is None


# --- model directories tampered with and re-sealed ----------------------------------------------------------------
def _resealed(base, tmp_path, edit) -> Path:
    from wordvec.io.integrity import file_checksum

    folder = tmp_path / "model"
    shutil.copytree(base["model"], folder)
    edit(folder)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["checksums"] = {name: file_checksum(folder / name) for name in meta["checksums"]}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


def _vocab_edit(change):
    def edit(folder):
        lines = (folder / "vocab.tsv").read_text(encoding="utf-8").splitlines()
        change(lines)
        (folder / "vocab.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return edit


def _vectors_edit(change):
    def edit(folder):
        np.save(folder / "vectors.npy", change(np.load(folder / "vectors.npy")))
    return edit


def _nan(v):
    v = v.copy()
    v[1, 0] = np.nan
    return v


@pytest.mark.parametrize("edit, what", [
    (_vocab_edit(lambda ls: ls.__setitem__(2, ls[1].split("\t")[0] + "\t" + ls[2].split("\t")[1])), "duplicate"),
    (_vocab_edit(lambda ls: ls.__setitem__(3, "\t" + ls[3].split("\t")[1])), "vocab.tsv:4"),
    (_vocab_edit(lambda ls: ls.reverse()), "frequency order"),
    (_vectors_edit(lambda v: v[:-1]), "rows"),
    (_vectors_edit(lambda v: v.ravel()), "2-d"),
    (_vectors_edit(_nan), "NaN"),
    (_vectors_edit(lambda v: np.where(v > 0, np.inf, v).astype(np.float32)), "NaN or Inf"),
], ids=["duplicate-word", "empty-word", "order", "rows", "1-d", "nan", "inf"])
def test_resealed_model_is_still_checked(base, tmp_path, edit, what):
    folder = _resealed(base, tmp_path, edit)
    for args in (["similar", folder, "甲"], ["info", folder]):
        assert_user_error(wordvec(*args), what)


def test_vectors_npy_linked_to_dev_zero(base, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(base["model"], folder)
    (folder / "vectors.npy").unlink()
    (folder / "vectors.npy").symlink_to("/dev/zero")
    assert_user_error(wordvec("similar", folder, "甲"), "vectors.npy", "header")


def test_vectors_npy_is_a_folder(base, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(base["model"], folder)
    (folder / "vectors.npy").unlink()
    (folder / "vectors.npy").mkdir()
    assert_user_error(wordvec("similar", folder, "甲"), "vectors.npy")


def test_meta_json_that_links_to_itself(base, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(base["model"], folder)
    (folder / "meta.json").unlink()
    (folder / "meta.json").symlink_to("meta.json")
    assert_user_error(wordvec("similar", folder, "甲"), "meta.json")


def test_a_text_file_given_as_model(base):
    assert_user_error(wordvec("similar", base["corpus"], "甲"), "corpus.txt")


def test_checkpoint_that_is_a_file(base, tmp_path):
    model = tmp_path / "model"
    Path(str(model) + ".checkpoint").write_text("not a folder", encoding="utf-8")
    result = wordvec(*train_args(base["corpus"], model, base["cache"], extra=["--resume"]))
    assert_user_error(result, "checkpoint")
    assert_nothing_written(model)
