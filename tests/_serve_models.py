"""Two tiny models for the serve tests, trained in the test run by the real `wordvec train` (seconds).

The vocabulary holds real Chinese words and two words that are HTML (``XSS_WORDS``), so every page and
endpoint is tested with markup coming from the model itself.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from _reliability_helpers import run, train_args

XSS_WORDS = ["<script>alert(1)</script>", "<img/src=x/onerror=alert(2)>"]
GROUPS = [["北京", "上海", "广州", "城市", "经济", "发展", XSS_WORDS[0]],
          ["太阳", "恒星", "一颗", "天气", "比赛", "法律", XSS_WORDS[1]]]


def topic_corpus(path: Path, lines: int = 400, seed: int = 0) -> Path:
    """Whitespace-separated lines of 8 words, each line from one of two topic groups."""
    rng = np.random.default_rng(seed)
    text = [" ".join(rng.choice(GROUPS[int(rng.random() < 0.5)], size=8)) for _ in range(lines)]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def train_w2v(folder: Path) -> str:
    """A skip-gram hierarchical-softmax model (gensim bridge) of the same corpus; returns its directory."""
    corpus = topic_corpus(folder / "topics.txt")
    out = folder / "m_w2v"
    result = run(*train_args(corpus, out, folder / "cache", dim=8, epochs=2, extra=("--method", "w2v")))
    assert result.exit_code == 0, result.output
    return str(out)


def train_models(folder: Path) -> tuple[str, str]:
    """A PMI model and a PPMI-SVD model of the same corpus; returns their directories."""
    corpus = topic_corpus(folder / "topics.txt")
    paths = []
    for method in ("pmi", "svd"):
        out = folder / f"m_{method}"
        if method == "pmi":
            args = train_args(corpus, out, folder / "cache", dim=8, epochs=4)
        else:  # PPMI-SVD takes no epochs, threads or seed
            args = ["train", str(corpus), "-o", str(out), "--method", "svd", "--tokenizer", "whitespace", "--dim", "8",
                    "--min-count", "1", "--window", "3", "--cache-dir", str(folder / "cache"), "-q"]
        result = run(*args)
        assert result.exit_code == 0, result.output
        paths.append(str(out))
    return paths[0], paths[1]
