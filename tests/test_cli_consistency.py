"""Issue 14's command-line items: one meaning per option (renames keep the old spelling), --workers/--threads
0 = all cores, --hmm/--no-hmm, --json on train/export, help texts, the unknown-word report of keywords, the
norms default, export sidecars (the file answers pmi/related as its model), '-' for stdin batches, and the
epoch progress on a terminal and off it."""
from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from wordvec.cli.main import cli
from wordvec.io.vocab import Vocabulary
from wordvec.query.embedding import Embedding

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORDS = "甲 乙 丙 丁 戊 己 庚 辛 壬 癸 子 丑 寅 卯".split()


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = np.random.default_rng(0)
    lines = [" ".join(rng.choice(WORDS[:7] if rng.random() < 0.5 else WORDS[7:], size=8)) for _ in range(400)]
    path = tmp_path_factory.mktemp("corpus") / "tiny.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def cds_model(tmp_path_factory):
    """A PMI model trained with context smoothing (cds 0.75): its PMI answers carry the δ correction."""
    words = ["，", "的", "北京", "上海", "广州", "经济", "发展", "城市"]
    counts = np.array([900, 800, 300, 250, 120, 60, 40, 10])
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((len(words), 6)).astype(np.float32)
    vectors[:2] *= 0.9  # frequent words: no smaller raw norm than the others, but a smaller corrected one
    meta = {"kind": "pmi", "cds": 0.75, "total_tokens": int(counts.sum()), "tokenizer": {"mode": "whitespace"}}
    path = tmp_path_factory.mktemp("cds") / "model"
    Embedding(vectors, Vocabulary(words, counts), meta).save(path)
    return str(path)


# --- option vocabulary -------------------------------------------------------------------------------------------
def _train(corpus, out, *extra):
    return run("train", corpus, "-o", out, "--tokenizer", "whitespace", "--dim", 4, "--epochs", 2, "--window", 3,
               "--min-count", 1, "--threads", 1, "--seed", 5, *extra)


def test_weight_exponent_rename_keeps_alpha_with_a_note(corpus, tmp_path):
    new = _train(corpus, tmp_path / "new", "--weight-exponent", 0.6)
    assert new.exit_code == 0, new.output
    old = _train(corpus, tmp_path / "old", "--alpha", 0.6)
    assert old.exit_code == 0, old.output
    assert "note: --alpha is now --weight-exponent" in old.stderr and "note:" not in new.stderr
    a, b = Embedding.load(tmp_path / "new"), Embedding.load(tmp_path / "old")
    assert a.meta["alpha"] == b.meta["alpha"] == 0.6
    np.testing.assert_array_equal(a.vectors, b.vectors)
    both = _train(corpus, tmp_path / "both", "--alpha", 0.6, "--weight-exponent", 0.5)
    assert both.exit_code == 2 and "same option" in both.output


def test_simpler_glove_is_the_seed_preset(corpus, tmp_path):
    assert _train(corpus, tmp_path / "a", "--preset", "simpler-glove").exit_code == 0
    assert _train(corpus, tmp_path / "b", "--preset", "seed").exit_code == 0
    a, b = Embedding.load(tmp_path / "a"), Embedding.load(tmp_path / "b")
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert a.meta["cds"] == 1.0 and a.meta["lr"] == 0.1


def test_train_json_and_threads_zero(corpus, tmp_path):
    res = run("train", corpus, "-o", tmp_path / "m", "--tokenizer", "whitespace", "--dim", 4, "--epochs", 2,
              "--min-count", 1, "--threads", 0, "--workers", 0, "--no-hmm", "--json")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["model"] == str(tmp_path / "m") and summary["vocab_size"] == len(WORDS)
    assert summary["method"] == "pmi" and summary["final_loss"] > 0 and "train" in summary["seconds"]


def test_w2v_negative_samples_rename(corpus, tmp_path):
    pytest.importorskip("gensim")
    res = run("train", corpus, "-o", tmp_path / "w", "--method", "w2v", "--tokenizer", "whitespace", "--dim", 4,
              "--epochs", 1, "--min-count", 1, "--negative", 2, "--threads", 1, "--json")
    assert res.exit_code == 0, res.output
    assert "note: --negative is now --negative-samples" in res.stderr
    assert json.loads(res.stdout)["kind"] == "w2v"
    assert Embedding.load(tmp_path / "w").meta["negative"] == 2


def test_count_workers_and_threads_zero_mean_all_cores(corpus, tmp_path):
    res = run("count", corpus, "-o", tmp_path / "c", "--tokenizer", "whitespace", "--min-count", 1,
              "--workers", 0, "--threads", 0, "--hmm", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["vocab_size"] == len(WORDS)
    for command in ("tokenize", "vocab", "count", "train"):
        text = run(command, "--help").output
        assert "--hmm / --no-hmm" in text, command
        assert "0: all cores" in text, command
    assert "--hmm / --no-hmm" in run("import-gensim", "--help").output


def test_help_speaks_to_users():
    top = run("--help").output
    commands = top.split("Commands:")[1].strip().splitlines()
    assert len(commands) >= 17
    for line in commands:
        assert not line.rstrip().endswith(("...", "(e.g.")), line
    for name in cli.commands:
        text = run(name, "--help").output
        assert "SPEC" not in text and "DECISIONS" not in text and "seed's" not in text, name


# --- behaviour surprises -----------------------------------------------------------------------------------------
def test_keywords_reports_unknown_words(cds_model):
    # psw (the default) ranks unknown words as the rarest ones, and says which they were
    res = run("keywords", cds_model, "北京 上海 火星 经济 火星 木星", "--json")
    assert res.exit_code == 0, res.output
    listed = json.loads(res.stdout)
    assert isinstance(listed, list) and {item["word"] for item in listed} == {"北京", "上海", "经济", "火星", "木星"}
    assert "2 word(s) not in the vocabulary (ranked as the rarest words): 火星, 木星" in res.stderr
    # pmi-sum leaves them out, and says so
    summed = run("keywords", cds_model, "北京 上海 火星 经济 火星 木星", "--json", "--method", "pmi-sum")
    assert {item["word"] for item in json.loads(summed.stdout)} == {"北京", "上海", "经济"}
    assert "2 word(s) not in the vocabulary, left out: 火星, 木星" in summed.stderr
    detail = run("keywords", cds_model, "北京 火星", "--json", "--with-unknown", "--no-unknown")
    data = json.loads(detail.stdout)
    assert data["unknown"] == ["火星"] and [k["word"] for k in data["keywords"]] == ["北京"]
    table = run("keywords", cds_model, "北京 火星", "--no-unknown")
    assert "火星" in table.stderr and "火星" not in table.stdout
    nothing = run("keywords", cds_model, "火星", "--json", "--with-unknown", "--method", "pmi-sum")
    assert json.loads(nothing.stdout) == {"keywords": [], "unknown": ["火星"]}


def test_norms_default_is_the_corrected_importance(cds_model):
    emb = Embedding.load(cds_model)
    default = json.loads(run("norms", cds_model, "--json").stdout)
    raw = json.loads(run("norms", cds_model, "--raw", "--json").stdout)
    assert [d["word"] for d in default] == [w for w, _ in emb.norms(corrected=True)]
    assert [d["word"] for d in raw] == [w for w, _ in emb.norms(corrected=False)]
    assert default != raw
    assert [w for w, _ in emb.norms()] == [w for w, _ in emb.norms(corrected=True)]


@pytest.mark.parametrize("fmt", ["word2vec", "word2vec-binary", "glove"])
def test_export_reload_answers_pmi_as_the_model(cds_model, tmp_path, fmt):
    out = tmp_path / "vectors.out"
    res = run("export", cds_model, "-o", out, "--format", fmt, "--json")
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["sidecar"] == str(out) + ".wordvec.json" and os.path.isfile(info["sidecar"])
    model, exported = Embedding.load(cds_model), Embedding.load(out)
    assert exported.kind == "pmi"
    for a, b in (("北京", "上海"), ("的", "经济"), ("广州", "城市")):
        assert abs(model.pmi(a, b) - exported.pmi(a, b)) < 1e-5
        cli_model = float(run("pmi", cds_model, a, b).stdout)
        cli_file = float(run("pmi", out, a, b).stdout)
        assert cli_model == cli_file
    for (w1, s1), (w2, s2) in zip(model.most_related("北京", topn=5), exported.most_related("北京", topn=5)):
        assert w1 == w2 and abs(s1 - s2) < 1e-5
    assert model.keywords("北京 上海 经济") == exported.keywords("北京 上海 经济")


def test_export_without_sidecar_says_what_differs(cds_model, tmp_path):
    out = tmp_path / "plain.txt"
    run("export", cds_model, "-o", out)
    assert os.path.exists(str(out) + ".wordvec.json")
    res = run("export", cds_model, "-o", out, "--no-sidecar")
    assert res.exit_code == 0
    assert "note: without" in res.stderr and "differ" in res.stderr
    assert not os.path.exists(str(out) + ".wordvec.json"), "the stale sidecar of the first export stayed"
    model, plain = Embedding.load(cds_model), Embedding.load(out)
    assert plain.kind == "external" and abs(model.pmi("北京", "上海") - plain.pmi("北京", "上海")) > 1e-3


def test_sidecar_that_does_not_match_is_ignored_with_a_warning(cds_model, tmp_path):
    out = tmp_path / "v.txt"
    run("export", cds_model, "-o", out)
    lines = out.read_text("utf-8").splitlines()
    lines[1] = "改了" + lines[1][lines[1].index(" "):]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run("pmi", out, "北京", "上海")
    assert res.exit_code == 0 and "does not match" in res.stderr
    with pytest.warns(UserWarning, match="does not match"):
        assert Embedding.load(out).kind == "external"


def test_similar_and_related_read_queries_from_stdin(cds_model):
    emb = Embedding.load(cds_model)
    res = run("similar", cds_model, "-", "-n", 2, "--json", input="北京\n\n上海 广州\n")
    assert res.exit_code == 0, res.output
    answers = [json.loads(line) for line in res.stdout.splitlines()]
    assert [[a["word"] for a in ans] for ans in answers] == [
        [w for w, _ in emb.most_similar("北京", topn=2)], [w for w, _ in emb.most_similar(["上海", "广州"], topn=2)]]
    table = run("similar", cds_model, "-", "-n", 2, input="北京\n上海\n")
    assert "# 北京" in table.stdout and "# 上海" in table.stdout
    rel = run("related", cds_model, "-", "-n", 3, "--json", input="北京\n火星\n经济\n")
    assert rel.exit_code == 1  # one line had an unknown word: reported, the others answered
    lines = rel.stdout.splitlines()
    assert len(lines) == 3 and json.loads(lines[1]) == []
    assert [a["word"] for a in json.loads(lines[2])] == [w for w, _ in emb.most_related("经济", topn=3)]
    assert "line 2" in rel.stderr and "火星" in rel.stderr


# --- progress ------------------------------------------------------------------------------------------------------
def _train_in_subprocess(corpus: str, out: str, stderr_fd: int | None):
    code = "import sys; from wordvec.cli.main import main; sys.argv = ['wordvec'] + sys.argv[1:]; main()"
    args = [sys.executable, "-c", code, "train", corpus, "-o", out, "--tokenizer", "whitespace", "--dim", "4",
            "--epochs", "3", "--min-count", "1", "--threads", "1"]
    env = {**os.environ, "PYTHONPATH": ROOT}
    if stderr_fd is None:
        return subprocess.run(args, capture_output=True, env=env, timeout=300)
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=stderr_fd, env=env, timeout=300)


def test_epoch_progress_on_a_terminal_and_log_lines_off_it(corpus, tmp_path):
    plain = _train_in_subprocess(corpus, str(tmp_path / "a"), None)
    assert plain.returncode == 0, plain.stderr
    text = plain.stderr.decode()
    assert "\r" not in text and "epoch   3/3" in text and "ETA" in text
    leader, follower = pty.openpty()
    try:
        proc = _train_in_subprocess(corpus, str(tmp_path / "b"), follower)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    assert proc.returncode == 0
    screen = b"".join(chunks).decode(errors="replace")
    assert "\rtraining" in screen and "3/3 epochs" in screen and "loss" in screen and "ETA" in screen
    assert "epoch   1/3" not in screen  # the bar replaces the log lines


class _Terminal:
    """A stream that says it is a terminal and keeps what was written."""

    def __init__(self, tty: bool = True):
        self.text, self.tty = "", tty

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    def isatty(self):
        return self.tty


def test_progress_counted_note_and_status():
    from wordvec.cli.progress import Progress

    screen = _Terminal()
    with Progress("training", unit="epochs", counted=True, stream=screen) as bar:
        bar.status("preparing…")
        assert screen.text.endswith("training  preparing…\033[K")
        bar(0, 4)
        bar(4, 4, note="loss 0.5")
    assert "0/4 epochs" in screen.text and "4/4 epochs" in screen.text and "loss 0.5" in screen.text
    assert screen.text.endswith("\n")
    wiped = _Terminal()
    with Progress("counting", stream=wiped) as bar:
        bar.status("reusing…")
    assert wiped.text.endswith("\r\033[K")  # a status line alone leaves nothing behind
    for quiet, stream in ((True, _Terminal()), (False, _Terminal(tty=False))):
        with Progress("x", quiet=quiet, stream=stream) as bar:
            bar.status("s")
            bar(1, 2, note="n")
        assert stream.text == ""


def test_tokenizing_rate_counts_text_bytes_of_compressed_input(tmp_path):
    import gzip

    from wordvec.corpora._parallel import tokenize_files
    from wordvec.corpora.tokenize import TokenizerSettings

    text = ("甲 乙 丙 丁 " * 50 + "\n") * 400
    path = tmp_path / "c.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(text)

    class Callback:
        rate_count = None

        def __init__(self):
            self.calls = []

        def __call__(self, done, total):
            self.calls.append((done, total, self.rate_count))

    callback = Callback()
    tokenize_files([str(path)], TokenizerSettings(mode="whitespace"), workers=1, progress=callback)
    done, total, text_bytes = callback.calls[-1]
    assert done == total == os.path.getsize(path)
    assert text_bytes == len(text.encode("utf-8")) > 10 * total  # the rate is in text bytes, not compressed ones
    plain = []
    tokenize_files([str(path)], TokenizerSettings(mode="whitespace"), workers=1, progress=lambda d, t: plain.append(d))
    assert plain[-1] == os.path.getsize(path)  # a plain callback is called as before


def test_word2vec_progress_reports_words_trained():
    pytest.importorskip("gensim")
    import wordvec

    class Stages:
        rate_count = None

        def __init__(self):
            self.seen = []

        def __call__(self, stage, done, total):
            self.seen.append((stage, done, total, self.rate_count))

    sentences = [list("甲乙丙丁戊"), list("己庚辛壬癸")] * 40
    stages = Stages()
    wordvec.train(sentences, "w2v", dim=4, epochs=2, min_count=1, workers=1, seed=3, progress=stages)
    last = [s for s in stages.seen if s[0] == "word2vec"][-1]
    assert last[1] == last[2] == 2000 and last[3] == 2 * 400  # two epochs of the 400 tokens
