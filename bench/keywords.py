"""Keyword benchmark (issue 20): every keyword method in one run against authors' keywords.

    python bench/keywords.py MODEL [--idf-corpus CORPUS] [--data ../shared/data/eval/csl-keywords-dev.jsonl]

For each of the 1,000 CSL abstracts (Li et al., COLING 2022), each method proposes keywords; the first 5 of at
least 2 characters are scored (``wordvec.query.keyword_eval``): P@5 = share of them that are a substring of a
gold keyword, R@5 = share of gold keywords containing one of them. Rows:

- wordvec methods: ``psw`` (the default) and its variants, ``pmi-sum`` (SPEC c.3.2 as written);
- peers, same run: jieba TF-IDF with its own IDF table, jieba TF-IDF with IDF from the training corpus
  (``--idf-corpus``: the corpus the model was trained on, lines as documents, read from the token cache),
  jieba TextRank.

It also prints the two halves (even/odd documents) so a win can be seen to hold on each, a paired bootstrap
interval of the default's margin over TF-IDF, and the sentence checks on ten news sentences (no stopword in
the top 3; 是 ranks last in 太阳是一颗恒星).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wordvec import Embedding  # noqa: E402
from wordvec.query.keyword_eval import precision_at_k, read_keyword_set, recall_at_k  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, "..", "..", "shared", "data", "eval", "csl-keywords-dev.jsonl")
STOPWORDS = set("的 了 是 在 和 与 及 或 也 都 就 而 并 等 对 从 把 被 这 那 其 之 以 为 于 上 中 有 个 一个 我们 他们 进行 通过".split())
SENTENCES = [
    "中国队在世界杯预选赛中以二比一战胜对手，赢得了出线权。",
    "国务院总理在北京会见了来访的俄罗斯外交部长。",
    "今年春节期间，全国铁路旅客发送量创下历史新高。",
    "科学家发现这颗恒星的质量是太阳的二十倍。",
    "农民通过种植蔬菜大棚增加了收入。",
    "这家公司的股票在上海证券交易所上市交易。",
    "医生建议高血压患者减少食盐的摄入。",
    "法院依法判决被告人赔偿原告经济损失。",
    "大学生毕业后到农村基层工作的人数逐年增加。",
    "暴雨导致多条公路中断，救援人员连夜抢修。",
]


def idf_table(model: Embedding, corpus: str, out_dir: str) -> str:
    """An IDF table (jieba's ``word idf`` lines) from the model's training corpus, lines as documents."""
    from wordvec.corpora.pipeline import load_or_build_cache
    from wordvec.corpora.tokenize import TokenizerSettings

    settings = model.meta.get("tokenizer") or {}
    cache = load_or_build_cache([corpus], TokenizerSettings.from_dict(settings) if settings else None)
    ids = np.asarray(cache.ids, dtype=np.int64)
    offsets = np.asarray(cache.line_offsets, dtype=np.int64)
    line_of = np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets))
    pairs = np.unique(line_of * (int(ids.max()) + 1) + ids)  # distinct (line, word)
    df = np.bincount(pairs % (int(ids.max()) + 1), minlength=len(cache.vocab))
    n_docs = len(offsets) - 1
    path = os.path.join(out_dir, "idf.txt")
    words = list(cache.vocab)
    with open(path, "w", encoding="utf-8") as handle:
        for word, d in zip(words, df):
            if d > 0 and " " not in word and word.strip():
                handle.write(f"{word} {math.log(n_docs / d):.6f}\n")
    return path


def score_method(docs, extract) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-document P@5 and R@5 arrays and seconds per document."""
    p, r = np.zeros(len(docs)), np.zeros(len(docs))
    start = time.perf_counter()
    for i, doc in enumerate(docs):
        words = [w for w, _ in extract(doc.text)]
        p[i] = precision_at_k(words, doc.keywords)
        r[i] = recall_at_k(words, doc.keywords)
    return p, r, (time.perf_counter() - start) / len(docs)


def bootstrap(diff: np.ndarray, reps: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% paired bootstrap interval of the mean of ``diff``."""
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), (reps, len(diff)))].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def sentence_checks(emb: Embedding, method: str, **options) -> tuple[int, bool]:
    """(sentences whose top 3 hold no stopword, whether 是 ranks last in 太阳是一颗恒星)."""
    clean = sum(not ({w for w, _ in emb.keywords(s, topn=3, method=method, **options)} & STOPWORDS) for s in SENTENCES)
    sun = [w for w, _ in emb.keywords("太阳是一颗恒星", topn=None, method=method, **options)]
    return clean, bool(sun) and sun[-1] == "是"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--idf-corpus", help="the model's training corpus, for TF-IDF with the same statistics")
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents")
    args = parser.parse_args()
    if not os.path.exists(args.data):
        sys.exit(f"keyword set not found: {args.data}")
    docs = read_keyword_set(args.data)
    if args.limit:
        docs = docs[: args.limit]
    emb = Embedding.load(args.model)
    emb.keywords("预热")  # load jieba before timing
    methods = [
        ("wordvec psw (default)", lambda t: emb.keywords(t, topn=20)),
        ("wordvec psw, association 0 (prior only)", lambda t: emb.keywords(t, topn=20, association=0.0)),
        ("wordvec psw, association 3", lambda t: emb.keywords(t, topn=20, association=3.0)),
        ("wordvec psw, known words only", lambda t: emb.keywords(t, topn=20, unknown=False)),
        ("wordvec psw, compounds", lambda t: emb.keywords(t, topn=20, compounds=True)),
        ("wordvec pmi-sum (SPEC c.3.2)", lambda t: emb.keywords(t, topn=20, method="pmi-sum")),
        ("jieba TF-IDF (its own IDF)", lambda t: emb.keywords(t, topn=20, method="tfidf")),
        ("jieba TextRank", lambda t: emb.keywords(t, topn=20, method="textrank")),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        if args.idf_corpus:
            path = idf_table(emb, args.idf_corpus, tmp)
            methods.insert(7, ("jieba TF-IDF (IDF from the training corpus)",
                               lambda t: emb.keywords(t, topn=20, method="tfidf", idf_path=path)))
        results = {}
        print(f"# {len(docs)} documents from {os.path.basename(args.data)}; model {args.model} "
              f"(V = {len(emb)}, d = {emb.shape[1]})")
        print(f"{'method':48s} {'P@5':>6s} {'R@5':>6s}  {'P@5 even/odd':>13s}  {'R@5 even/odd':>13s} {'ms/doc':>7s}")
        for name, extract in methods:
            p, r, sec = score_method(docs, extract)
            results[name] = (p, r)
            print(f"{name:48s} {p.mean():6.3f} {r.mean():6.3f}  {p[0::2].mean():6.3f}/{p[1::2].mean():6.3f}"
                  f"  {r[0::2].mean():6.3f}/{r[1::2].mean():6.3f} {1000 * sec:7.2f}", flush=True)
    base, peer = results["wordvec psw (default)"], results["jieba TF-IDF (its own IDF)"]
    for label, k in (("P@5", 0), ("R@5", 1)):
        diff = base[k] - peer[k]
        lo, hi = bootstrap(diff)
        print(f"default − jieba TF-IDF, {label}: {diff.mean():+.3f} (95% paired bootstrap [{lo:+.3f}, {hi:+.3f}])")
    for method in ("psw", "pmi-sum"):
        clean, last = sentence_checks(emb, method)
        print(f"sentence checks, {method}: top 3 without stopwords in {clean}/{len(SENTENCES)} sentences; "
              f"是 last in 太阳是一颗恒星: {last}")


if __name__ == "__main__":
    main()
