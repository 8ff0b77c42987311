"""The two jieba engines give identical tokens (issue 13): rjieba behind ``--tokenizer jieba``, the Python
package behind ``--tokenizer jieba-py``.

The inline cases always run; the line-by-line comparison over all of zh_small needs ../shared/data.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import shared_file
from wordvec.corpora import engines
from wordvec.corpora._parallel import tokenize_files
from wordvec.corpora.cache import build_token_cache, cache_key
from wordvec.corpora.tokenize import TokenizerSettings, make_tokenizer, resolve, tokenize_text
from wordvec.errors import InputError

# adds words (with and without a frequency), re-weights dictionary words up and down, repeats a word, tags;
# the repeated 的 lines make the Python engine's total (which never subtracts the old frequency) far larger
# than the exact one jieba-rs keeps, which is what the placeholder word makes up for
USER_DICT = """\ufeff凯特琳 10 nz
石墨烯材料 5
新华社记者
经济建设 n
人民日报社 500 nt
中国 5
发展 3
发展 80000 v

江泽民主席 20 nr
的 100000000
的 100000000
的 100000000
无主 2
"""

SENTENCES = [
    "石墨烯材料和凯特琳在北京天安门",
    "新华社记者报道，中国经济建设和发展取得新成就。",
    "人民日报社发表评论，江泽民主席会见了客人。",
    "加拿大银行注销无主户头政府增收千万加元",  # these four segment differently without the placeholder
    "巴以就以军重新部署达成妥协",
    "工人自报“免检岗”",
    "供给丰足价格回落居民满意菜篮子十年有成",
    "他来到了网易杭研大厦，访问www.example.com和3-4岁的版本1.2.3，a+b#c&d_e%f-g，x.5和a.b，50%的",
    "中㐀国人 中\u9fe0国 共3,000元 C++语言 ab..12中 a.1.2中 3.14.15中 -5中 5.5%中",
]


def _both(text_or_lines, hmm: bool, user_dict=None):
    rust = make_tokenizer(TokenizerSettings(mode="jieba", hmm=hmm, user_dict=user_dict))
    python = make_tokenizer(TokenizerSettings(mode="jieba-py", hmm=hmm, user_dict=user_dict))
    return [rust(t) for t in text_or_lines], [python(t) for t in text_or_lines]


@pytest.mark.parametrize("hmm", [False, True])
def test_inline_identical_without_user_dict(hmm):
    rust, python = _both(SENTENCES, hmm)
    assert rust == python
    # the cases the re-split exists for: jieba-rs alone joins these with the HMM on
    raw = engines.get_rjieba(None).cut(SENTENCES[7], True)
    if hmm:
        assert "www.example.com" in raw and "www.example.com" not in rust[7] and "www" in rust[7]


@pytest.mark.parametrize("hmm", [False, True])
def test_inline_identical_with_user_dict(tmp_path, hmm):
    user = tmp_path / "user.txt"
    user.write_text(USER_DICT, encoding="utf-8")
    rust, python = _both(SENTENCES, hmm, str(user))
    assert rust == python
    plain = _both(SENTENCES, hmm)[1]
    assert rust != plain  # the dictionary does change the tokens
    assert ["石墨烯材料", "和", "凯特琳"] == rust[0][:3] and "无主" in rust[3]
    assert resolve(TokenizerSettings(user_dict=str(user))).mode == "jieba"  # no fallback needed


def test_placeholder_carries_the_python_total(tmp_path, monkeypatch):
    """Without the placeholder word the re-weighted totals differ and so do the tokens: the check can fail."""
    user = tmp_path / "user.txt"
    user.write_text("的 100000000\n的 100000000\n的 100000000\n", encoding="utf-8")
    sentences = SENTENCES[3:7]
    rust, python = _both(sentences, False, str(user))
    assert rust == python
    assert engines.get_rjieba(str(user)).has_word(engines.PLACEHOLDER)
    import rjieba

    class NoPlaceholder(rjieba.Jieba):  # a fresh engine that drops the placeholder word
        def add_word(self, word, freq=None, tag=None):
            return 0 if word == engines.PLACEHOLDER else super().add_word(word, freq, tag)

    monkeypatch.setattr(engines, "_ENGINES", {})

    monkeypatch.setattr(rjieba, "Jieba", NoPlaceholder)
    broken = make_tokenizer(TokenizerSettings(mode="jieba", user_dict=str(user)))
    assert [broken(s) for s in sentences] != python


def test_zero_frequency_falls_back_to_python_and_says_so(tmp_path):
    user = tmp_path / "user.txt"
    user.write_text("凯特琳 10\n北京 0\n", encoding="utf-8")
    corpus = tmp_path / "c.txt"
    corpus.write_text("我爱北京天安门\n凯特琳来了\n", encoding="utf-8")
    settings = resolve(TokenizerSettings(user_dict=str(user)))
    assert settings.mode == "jieba-py" and "frequency 0" in settings.fallback and "user.txt:2" in settings.fallback
    cache = build_token_cache([str(corpus)], TokenizerSettings(user_dict=str(user)), cache_dir=tmp_path / "c")
    assert cache.meta["tokenizer"]["mode"] == "jieba-py" and cache.meta["tokenizer"]["engine"].startswith("jieba ")
    assert any("Python engine" in line and "user.txt:2" in line for line in cache.report.problems())
    assert "北京" not in cache.vocab and "凯特琳" in cache.vocab
    again = build_token_cache([str(corpus)], TokenizerSettings(user_dict=str(user)), cache_dir=tmp_path / "c")
    assert again.reused and any("Python engine" in line for line in again.report.problems())
    with pytest.raises(InputError, match="frequency 0"):  # asking rjieba directly is refused, never different
        engines.get_rjieba(str(user))


@pytest.mark.parametrize("mode", ["jieba", "jieba-py"])
@pytest.mark.parametrize("content, where, why", [
    (b"\xe5\x87\xaf\xe7\x89\xb9\xe7\x90\xb3 10\n\xc3\x28 5\n", ":2:", "invalid UTF-8"),
    ("好词 3\n\n词 1.5\n".encode(), ":3:", "whitespace inside the word"),
    ("好词 3 NZ\n".encode(), ":1:", "whitespace inside the word"),
    ("好\x00词 3\n".encode(), ":1:", "NUL byte"),
])
def test_bad_user_dict_lines_named_by_file_and_line(tmp_path, mode, content, where, why):
    user = tmp_path / "user.txt"
    user.write_bytes(content)
    with pytest.raises(InputError, match=why) as err:
        tokenize_text("你好", TokenizerSettings(mode=mode, user_dict=str(user)))
    assert f"user.txt{where}" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("mode", ["jieba", "jieba-py"])
def test_bad_user_dict_cli_one_line(tmp_path, mode):
    user = tmp_path / "user.txt"
    user.write_text("好词 3\n坏 词 x\n", encoding="utf-8")
    corpus = tmp_path / "c.txt"
    corpus.write_text("你好\n", encoding="utf-8")
    for dictionary, expected in ((user, "cannot read user dictionary " + str(user) + ":2: whitespace inside the word"), (tmp_path / "no.txt", "not found")):
        argv = [sys.executable, "-m", "wordvec.cli.main", "tokenize", str(corpus), "--tokenizer", mode,
                "--user-dict", str(dictionary), "--cache-dir", str(tmp_path / "c")]
        res = subprocess.run(argv, capture_output=True, text=True)
        assert res.returncode == 1 and expected in res.stderr and "Traceback" not in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "c").exists() or not any((tmp_path / "c").iterdir())


def test_engine_and_version_in_the_cache_key(tmp_path, monkeypatch):
    corpus = tmp_path / "c.txt"
    corpus.write_text("我爱北京天安门\n", encoding="utf-8")
    files = [str(corpus)]
    rust, python = TokenizerSettings(mode="jieba"), TokenizerSettings(mode="jieba-py")
    assert rust.engine.startswith("rjieba ") and python.engine.startswith("jieba ")
    assert cache_key(files, rust) != cache_key(files, python)
    first = build_token_cache(files, rust, cache_dir=tmp_path / "c")
    assert build_token_cache(files, rust, cache_dir=tmp_path / "c").reused
    monkeypatch.setattr(engines, "engine_version", lambda package: "99.0")
    newer = TokenizerSettings(mode="jieba")
    assert newer.engine == "rjieba 99.0" and cache_key(files, newer) != cache_key(files, rust)
    assert not build_token_cache(files, newer, cache_dir=tmp_path / "c").reused
    assert first.meta["tokenizer"]["engine"] == rust.engine


def test_queries_segment_with_the_models_engine(tmp_path):
    """A model's meta picks the engine of its query text: old meta (no engine) loads the Python jieba only,
    new meta rjieba only."""
    script = (
        "import sys, types, json\n"
        "from wordvec.query.keywords import tokenize\n"
        "emb = types.SimpleNamespace(meta={'tokenizer': json.loads(sys.argv[1])}, vocab=None)\n"
        "print(json.dumps([tokenize(emb, '我爱北京天安门'), 'jieba' in sys.modules, 'rjieba' in sys.modules]))\n"
    )
    old = {"mode": "jieba", "hmm": False, "user_dict": None, "split_alnum": False, "max_line_chars": 1000000}
    new = TokenizerSettings().to_dict()
    outs = []
    for meta in (old, new):
        res = subprocess.run([sys.executable, "-c", script, json.dumps(meta)], capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        outs.append(json.loads(res.stdout))
    assert outs[0] == [["我", "爱", "北京", "天安门"], True, False]
    assert outs[1] == [["我", "爱", "北京", "天安门"], False, True]


def _compare_corpus(path: str, hmm: bool, user_dict: str | None):
    """Tokenize ``path`` with both engines (2 workers each); the list of differing line numbers. With the HMM
    off and no user dictionary ``--tokenizer jieba`` runs the compiled cut (corpora/segment); rjieba itself
    is then compared too (``WORDVEC_COMPILED_CUT=0``)."""
    import os

    runs = [("jieba", "1"), ("jieba-py", "1")] + ([("jieba", "0")] if not hmm and not user_dict else [])
    out = []
    for mode, compiled in runs:
        os.environ["WORDVEC_COMPILED_CUT"] = compiled
        try:
            out.append(tokenize_files([path], TokenizerSettings(mode=mode, hmm=hmm, user_dict=user_dict), workers=2))
        finally:
            del os.environ["WORDVEC_COMPILED_CUT"]
    vb, ib, ob = out[1][:3]
    differing: set[int] = set()
    for va, ia, oa, _, _ in out[:1] + out[2:]:
        if va == vb and np.array_equal(ia, ib) and np.array_equal(oa, ob):
            continue
        wa, wb = np.array(va.words, dtype=object), np.array(vb.words, dtype=object)
        lines = min(len(oa), len(ob)) - 1
        differing |= {k for k in range(lines) if list(wa[ia[oa[k]:oa[k + 1]]]) != list(wb[ib[ob[k]:ob[k + 1]]])}
    return sorted(differing), vb


@pytest.mark.parametrize("with_dict", [False, True])
@pytest.mark.parametrize("hmm", [False, True])
def test_identical_on_all_of_zh_small(tmp_path, hmm, with_dict):
    """Every line of zh_small (54,436 lines, 13 MB): 0 differing lines between the engines. The Python
    engine takes about 12 s per run with 2 workers on a quiet 2-core machine."""
    path = str(shared_file("corpora/zh_small.txt.xz"))
    user = None
    if with_dict:
        user = tmp_path / "user.txt"
        user.write_text(USER_DICT, encoding="utf-8")
        user = str(user)
    differing, vocab = _compare_corpus(path, hmm, user)
    assert differing == [], f"{len(differing)} lines differ, first {differing[:10]}"
    assert vocab.total > 2_600_000
    assert ("人民日报社" in vocab and "新华社记者" in vocab) == with_dict  # the dictionary took effect


@pytest.mark.parametrize("mode", ["jieba", "jieba-py"])
def test_bulk_whitespace_filter_matches_per_line(mode):
    """tokenize_block drops jieba's whitespace tokens by id; the result equals the per-line token lists."""
    from wordvec.corpora.blocks import tokenize_block

    lines = ["我爱 北京\u3000天安门\r", "", "   ", "a b  c\t中文", "没有空白", " 前后 ", "\u2028x\u00a0y"]
    tokenize = make_tokenizer(TokenizerSettings(mode=mode))
    assert hasattr(tokenize, "with_whitespace")
    words, local, lengths, counts = tokenize_block(tokenize, lines)
    per_line = [tokenize(line) for line in lines]
    assert lengths.tolist() == [len(t) for t in per_line]
    flat = [w for t in per_line for w in t]
    assert [words[i] for i in local.tolist()] == flat and words == list(dict.fromkeys(flat))
    assert counts.tolist() == [flat.count(w) for w in words] and local.dtype == np.uint32


@pytest.mark.parametrize("mode", ["jieba", "jieba-py"])
def test_stream_table_path_equals_dict_path(mode, monkeypatch):
    """StreamVocab's compiled token table gives the same stream ids and lengths as the dict path, also when a
    stream moves from the dict to the table between blocks (blocks.TABLE_MIN_CHARS)."""
    import wordvec.corpora.blocks as blocks

    tokenize = make_tokenizer(TokenizerSettings(mode=mode))
    rng = np.random.default_rng(3)
    pool = ["我爱北京天安门", "  前后  ", "", "a b  c\t中文", "没有空白", "\u3000全角空格\u3000", "人民日报社论",
            "\U0001f600表情", "数字123和English"]
    block_list = [[pool[k] for k in rng.integers(0, len(pool), size=30)] for _ in range(5)]
    block_list[2] = ["   ", ""]  # a block without a word

    block_list[3] = []  # and one without a line
    plain_block = blocks.tokenize_block

    def run(threshold, as_text=False, piece=1 << 16):
        monkeypatch.setattr(blocks, "TABLE_MIN_CHARS", threshold)
        monkeypatch.setattr(blocks, "JOIN_CHARS", piece)
        if threshold == 0:  # the table from the start: the dict path (and its fallback) must not be taken

            def no_dict_path(*args):
                raise AssertionError("the table path fell back to tokenize_block")

            monkeypatch.setattr(blocks, "tokenize_block", no_dict_path)
        else:
            monkeypatch.setattr(blocks, "tokenize_block", plain_block)
        vocab, seen, out = blocks.StreamVocab(), [], []
        for lines in block_list:
            if as_text:  # as a worker gets it
                new, ids, lengths = vocab.tokenize_text(tokenize, "\n".join(lines), len(lines))
            else:
                new, ids, lengths = vocab.tokenize(tokenize, lines)
            seen += new
            out.append(([seen[i] for i in ids.tolist()], lengths.tolist()))
        return seen, out

    by_dict = run(10 ** 12)
    first = sum(map(len, block_list[0])) + 1  # dict for the first block, then the table
    for threshold in (0, first):
        assert run(threshold) == by_dict
        assert run(threshold, as_text=True) == by_dict
        assert run(threshold, as_text=True, piece=7) == by_dict  # many short pieces, each of whole lines
    assert run(10 ** 12, as_text=True) == by_dict
    words, out = by_dict
    for lines, (flat, lengths) in zip(block_list, out):
        per_line = [tokenize(line) for line in lines]
        assert lengths == [len(t) for t in per_line] and flat == [w for t in per_line for w in t]
    assert len(words) == len(set(words))


def test_split_lines_checks_the_count():
    from wordvec.corpora.blocks import split_lines

    assert split_lines("a\n\nb", 3) == ["a", "", "b"] and split_lines("", 0) == [] and split_lines("", 1) == [""]
    with pytest.raises(ValueError, match="block of 2 lines holds 3"):
        split_lines("a\nb\nc", 2)
