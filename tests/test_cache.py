"""The token cache: contents, reuse and rebuild, validation on load, and the bad-input battery of the
reading/tokenizing stage through `wordvec tokenize` / `wordvec vocab` (exit code, one line, no traceback,
nothing left on disk)."""
from __future__ import annotations

import io
import json
import os
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec.corpora.cache import TokenCache, build_token_cache, cache_key
from wordvec.corpora.reader import expand_inputs
from wordvec.corpora.tokenize import TokenizerSettings, tokenize_text
from wordvec.errors import CorruptFileError, InputError

CORPUS = "我爱北京天安门。\n天安门上太阳升。\n\n北京 是 首都 ， 我 爱 北京\n"


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(CORPUS, encoding="utf-8")
    return path


def leftovers(folder) -> list[str]:
    """Everything under ``folder`` (temporary or partial artifacts would show up here)."""
    return sorted(os.path.relpath(os.path.join(r, f), folder) for r, ds, fs in os.walk(folder) for f in fs + ds)


def test_cache_contents(corpus, tmp_path):
    cache = build_token_cache([str(corpus)], cache_dir=tmp_path / "c")
    lines = CORPUS.split("\n")[:-1]
    assert cache.n_lines == 4 and cache.ids.dtype == np.uint32 and cache.line_offsets.dtype == np.int64
    for k, line in enumerate(lines):
        assert cache.line_tokens(k) == tokenize_text(line)
    counts = cache.vocab.counts
    assert np.all(counts[:-1] >= counts[1:]) and cache.vocab.words[0] == "北京" and cache.vocab.total == cache.n_tokens
    assert sorted(os.listdir(cache.path)) == ["ids.npy", "line_offsets.npy", "meta.json", "vocab.tsv"]
    meta = json.loads((tmp_path / "c" / os.path.basename(cache.path) / "meta.json").read_text())
    assert meta["format"] == "wordvec-token-cache" and meta["version"] == 1
    assert meta["sources"][0]["path"] == os.path.realpath(corpus) and meta["sources"][0]["size"] == corpus.stat().st_size
    assert meta["tokenizer"] == TokenizerSettings().to_dict() and meta["n_tokens"] == cache.n_tokens
    loaded = TokenCache.load(cache.path)
    assert loaded.vocab == cache.vocab and np.array_equal(loaded.ids, cache.ids)
    assert np.array_equal(loaded.line_offsets, cache.line_offsets) and loaded.settings == cache.settings


def test_default_location_from_environment(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("WORDVEC_CACHE_DIR", str(tmp_path / "env"))
    cache = build_token_cache([str(corpus)])
    key = cache_key(expand_inputs([str(corpus)]), TokenizerSettings())
    assert cache.path == str(tmp_path / "env" / f"tokens-{key}")


def test_reuse_and_rebuild(corpus, tmp_path):
    root = tmp_path / "c"
    first = build_token_cache([str(corpus)], cache_dir=root)
    assert not first.reused
    again = build_token_cache([str(corpus)], cache_dir=root)
    assert again.reused and again.path == first.path and np.array_equal(again.ids, first.ids)
    # touching the file (new mtime) rebuilds in the same folder
    st = corpus.stat()
    os.utime(corpus, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    touched = build_token_cache([str(corpus)], cache_dir=root)
    assert not touched.reused and touched.path == first.path
    assert touched.meta["sources"][0]["mtime_ns"] == st.st_mtime_ns + 5_000_000_000
    assert build_token_cache([str(corpus)], cache_dir=root).reused
    # other settings: another cache
    chars = build_token_cache([str(corpus)], TokenizerSettings(mode="char"), cache_dir=root)
    assert not chars.reused and chars.path != first.path and "北" in chars.vocab
    # changed content (size) rebuilds
    with open(corpus, "a", encoding="utf-8") as handle:
        handle.write("新的一行\n")
    grown = build_token_cache([str(corpus)], cache_dir=root)
    assert not grown.reused and grown.n_lines == 5
    assert sorted(os.listdir(root)) == sorted({os.path.basename(first.path), os.path.basename(chars.path)})


def test_user_dict_change_rebuilds(corpus, tmp_path):
    user = tmp_path / "user.txt"
    user.write_text("天安门上 1000000\n", encoding="utf-8")
    settings = TokenizerSettings(user_dict=str(user))
    first = build_token_cache([str(corpus)], settings, cache_dir=tmp_path / "c")
    assert "天安门上" in first.vocab
    assert build_token_cache([str(corpus)], settings, cache_dir=tmp_path / "c").reused
    user.write_text("太阳升 1000000\n", encoding="utf-8")
    os.utime(user, ns=(0, user.stat().st_mtime_ns + 3_000_000_000))
    second = build_token_cache([str(corpus)], settings, cache_dir=tmp_path / "c")
    assert not second.reused and "太阳升" in second.vocab and "天安门上" not in second.vocab


def test_explicit_output_folder(corpus, tmp_path):
    out = tmp_path / "tokens"
    cache = build_token_cache([str(corpus)], output=out)
    assert cache.path == str(out) and build_token_cache([str(corpus)], output=out).reused
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="not a token cache"):
        build_token_cache([str(corpus)], output=precious)
    assert (precious / "notes.txt").read_text() == "keep me"


def test_stdin_is_never_cached(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(CORPUS.encode())))
    cache = build_token_cache(["-"], cache_dir=tmp_path / "c")
    assert cache.path is None and cache.n_lines == 4 and not (tmp_path / "c").exists()


def test_strict_on_reuse_still_fails(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes("好的文本\n".encode() * 20 + b"x\xffy\n")
    cache = build_token_cache([str(path)], cache_dir=tmp_path / "c")
    assert cache.report.bad_bytes == 1 and cache.report.first_bad == f"{path}:21"
    with pytest.raises(InputError, match=r"bad\.txt:21: invalid UTF-8"):
        build_token_cache([str(path)], cache_dir=tmp_path / "c", strict=True)


def test_progress_reaches_total(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text(CORPUS * 200, encoding="utf-8")
    calls = []
    build_token_cache([str(path)], cache_dir=tmp_path / "c", workers=1, progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1] == (path.stat().st_size, path.stat().st_size)


def _corrupt_cases():
    def truncate(d):
        data = (d / "ids.npy").read_bytes()
        (d / "ids.npy").write_bytes(data[: len(data) - 7])

    def out_of_range(d):
        ids = np.load(d / "ids.npy")
        ids[0] = 10_000
        np.save(d / "ids.npy", ids)

    def wrong_dtype(d):
        np.save(d / "ids.npy", np.load(d / "ids.npy").astype(np.int64))

    def offsets_backwards(d):
        off = np.load(d / "line_offsets.npy")
        off[1], off[2] = off[2], off[1]
        np.save(d / "line_offsets.npy", off)

    def vocab_edited(d):
        text = (d / "vocab.tsv").read_text(encoding="utf-8")
        (d / "vocab.tsv").write_text(text.replace("北京", "南京", 1), encoding="utf-8")

    def future_version(d):
        meta = json.loads((d / "meta.json").read_text())
        meta["version"] = 99
        (d / "meta.json").write_text(json.dumps(meta))

    def meta_garbage(d):
        (d / "meta.json").write_text("{not json")

    def missing_ids(d):
        (d / "ids.npy").unlink()

    return [(truncate, "ids.npy"), (out_of_range, "ids.npy"), (wrong_dtype, "ids.npy"),
            (offsets_backwards, "line_offsets.npy"), (vocab_edited, "vocab.tsv"), (future_version, "meta.json"),
            (meta_garbage, "meta.json"), (missing_ids, "ids.npy")]


@pytest.mark.parametrize("damage,name", _corrupt_cases(), ids=lambda x: getattr(x, "__name__", x))
def test_corrupt_cache_is_named_and_rebuilt(corpus, tmp_path, damage, name):
    out = tmp_path / "tokens"
    good = build_token_cache([str(corpus)], output=out)
    damage(out)
    with pytest.raises(CorruptFileError) as err:
        TokenCache.load(out)
    message = str(err.value)
    assert name in message and "\n" not in message
    rebuilt = build_token_cache([str(corpus)], output=out)  # a damaged cache is rebuilt, not trusted
    assert not rebuilt.reused and np.array_equal(rebuilt.ids, good.ids)
    assert TokenCache.load(out).vocab == good.vocab


def test_empty_input_leaves_nothing(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("")
    (tmp_path / "in" / "blank.txt").write_text(" \n\u3000\n\n")
    with pytest.raises(InputError, match="no tokens in"):
        build_token_cache([str(tmp_path / "in")], cache_dir=tmp_path / "c")
    assert leftovers(tmp_path / "c") == [] if (tmp_path / "c").exists() else True


# --- the command line -----------------------------------------------------------------------------------
def _cli():
    from wordvec.cli.main import WordvecGroup, cli
    from wordvec.cli.tokenize_commands import COMMANDS

    if "tokenize" in cli.commands:
        return cli
    group = WordvecGroup(name="wordvec")
    for command in COMMANDS:
        group.add_command(command)
    return group


def run(*args, input=None):
    return CliRunner().invoke(_cli(), [str(a) for a in args], input=input)


def test_cli_tokenize_and_vocab(corpus, tmp_path):
    result = run("tokenize", corpus, "--cache-dir", tmp_path / "c", "-q")
    assert result.exit_code == 0, result.output
    assert "tokenized: 4 lines" in result.stdout
    again = run("tokenize", corpus, "--cache-dir", tmp_path / "c", "--json")
    info = json.loads(again.stdout)
    assert info["reused"] and info["lines"] == 4 and info["types"] > 5
    vocab = run("vocab", corpus, "--cache-dir", tmp_path / "c", "--min-count", "2")
    assert vocab.exit_code == 0 and vocab.stdout.splitlines()[0] == "北京\t3"
    assert all(int(line.split("\t")[1]) >= 2 for line in vocab.stdout.splitlines())
    as_json = json.loads(run("vocab", corpus, "--cache-dir", tmp_path / "c", "--min-count", "1", "-n", "2",
                             "--json").stdout)
    assert as_json == [{"word": "北京", "count": 3}, {"word": "。", "count": 2}]  # ties by word (SPEC a.2)
    saved = run("vocab", info["path"], "--min-count", "1", "-o", tmp_path / "v.tsv")  # a cache folder as input
    assert saved.exit_code == 0
    assert (tmp_path / "v.tsv").read_text(encoding="utf-8").splitlines()[0] == "北京\t3"


def test_cli_stdin_and_options(tmp_path):
    result = run("tokenize", "-", "--tokenizer", "tagged", "--split-alnum", "--json", input="迈向/v 2026/m\n")
    info = json.loads(result.stdout)
    assert result.exit_code == 0 and info["path"] is None and info["tokens"] == 5
    assert info["tokenizer"]["mode"] == "tagged" and info["tokenizer"]["split_alnum"]


def _check_error(result, pattern, cache_root=None):
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert pattern in result.stderr and "Traceback" not in result.output
    if cache_root is not None and os.path.exists(cache_root):
        assert leftovers(cache_root) == []


def test_cli_bad_inputs_one_line_errors(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    (tmp_path / "empty.txt").write_bytes(b"")
    _check_error(run("tokenize", tmp_path / "empty.txt", "--cache-dir", root), "no tokens in", root)
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 40)
    _check_error(run("tokenize", tmp_path / "blob.bin", "--cache-dir", root), "looks binary or not UTF-8", root)
    (tmp_path / "nul.txt").write_bytes(b"a\x00b\x00c\x00\n")
    _check_error(run("tokenize", tmp_path / "nul.txt", "--cache-dir", root), "looks binary", root)
    _check_error(run("tokenize", tmp_path / "missing.txt", "--cache-dir", root), "input not found", root)
    (tmp_path / "void").mkdir()
    _check_error(run("tokenize", tmp_path / "void", "--cache-dir", root), "has no text files", root)
    (tmp_path / "bad.txt").write_bytes("正常的中文\n".encode() * 5 + b"\xc3\x28 bad\n")
    _check_error(run("tokenize", tmp_path / "bad.txt", "--strict", "--cache-dir", root), "bad.txt:6: invalid UTF-8",
                 root)
    _check_error(run("vocab", tmp_path / "missing.txt", "--cache-dir", root), "input not found", root)
    _check_error(run("tokenize", tmp_path / "bad.txt", "--user-dict", tmp_path / "nodict.txt", "--cache-dir", root),
                 "user dictionary not found", root)
    out = tmp_path / "never"
    _check_error(run("tokenize", tmp_path / "empty.txt", "-o", out), "no tokens in")
    assert not out.exists() and not [p for p in os.listdir(tmp_path) if p.startswith(".never")]
    (tmp_path / "gbk_dict.txt").write_bytes("词语 5\n".encode("gbk"))
    _check_error(run("tokenize", tmp_path / "bad.txt", "--user-dict", tmp_path / "gbk_dict.txt", "--cache-dir", root),
                 "cannot read user dictionary", root)
    # an unreadable file (simulated: chmod 000 does not stop root)
    (tmp_path / "locked.txt").write_text("文本\n")
    import wordvec.corpora.reader as reader

    monkeypatch.setattr(reader.os, "access", lambda path, mode: not str(path).endswith("locked.txt"))
    _check_error(run("tokenize", tmp_path / "locked.txt", "--cache-dir", root), "permission denied", root)


def test_cli_invalid_utf8_counted_recovery(tmp_path):
    (tmp_path / "bad.txt").write_bytes("正常的中文\n".encode() * 5 + b"\xc3\x28 bad\n")
    result = run("tokenize", tmp_path / "bad.txt", "--cache-dir", tmp_path / "c")
    assert result.exit_code == 0
    assert "warning: 1 invalid UTF-8 bytes replaced by U+FFFD (first at" in result.stderr
    assert "bad.txt:6" in result.stderr


def test_cli_fifty_megabyte_line(tmp_path):
    """A 50 MB file that is a single line (whitespace tokenizer, to keep the test fast): split at the line cap
    (after the last space before it) and reported; whitespace tokens stay whole."""
    path = tmp_path / "one_line.txt"
    chunk = ("数据 data " * 2000).encode()
    with open(path, "wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            handle.write(chunk)
    result = run("tokenize", path, "--tokenizer", "whitespace", "--json", "-o", tmp_path / "tok")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    chars = len(path.read_text(encoding="utf-8"))
    assert info["report"]["long_lines"] == 1 and -(-chars // 1_000_000) <= info["lines"] <= chars // 999_000 + 1
    assert info["report"]["extra_pieces"] == info["lines"] - 1 and info["types"] == 2  # "数据", "data": none cut
    assert "lines longer than the line cap" in result.stderr
