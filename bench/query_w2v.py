"""Benchmark and acceptance checks of the exact hierarchical-softmax queries (SPEC c.1.3, c.3.1, c.7).

Latency (``--latency``, default on): on a random-but-valid Huffman tree built by gensim over a synthetic
Zipf vocabulary of 74,000 words (d=128; or on ``--model DIR``), time

  * relatedness ``hs_related`` over the whole vocabulary (target ≤ 20 ms/query), against the blog-style
    per-word loop (``syn1[point] @ x`` per vocabulary word, as in blog 4368's ``relative_words``) and a
    pure-numpy vectorised version (no numba), measured in the same run;
  * keywords of a 100-token text ``hs_keywords`` (target ≤ 20 ms), against the blog-style pair loop
    (blog 4316's ``predict_proba`` per (candidate, token)) and scoring every candidate over the whole
    vocabulary with ``hs_log_prob_all``.

Quality (``--model DIR`` of a zh_mixed w2v model, tokenizer from its meta): keywords of 太阳是一颗恒星
(是 must rank last) and of 20 news-style sentences (top-3 must not contain 的/是/在/了/和).

Usage:
    python bench/query_w2v.py                         # latency on the synthetic 74k model
    python bench/query_w2v.py --model /tmp/zh_mixed_w2v   # latency + quality on a trained model
    python bench/query_w2v.py --model W2V_DIR --pmi PMI_DIR --no-latency   # + HS vs PMI keywords table
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

from wordvec.query.embedding import Embedding
from wordvec.word2vec.bridge import from_gensim_model, hs_keywords, hs_log_prob_all, hs_related

STOPWORDS = {"的", "是", "在", "了", "和"}

# 20 news-style sentences (our own wording), used unless bench/query_quality.py provides SENTENCES
NEWS_SENTENCES = [
    "国务院常务会议研究部署进一步扩大内需的政策措施",
    "中国人民银行宣布下调金融机构存款准备金率",
    "国家统计局发布数据显示居民消费价格指数同比上涨",
    "神舟飞船成功发射航天员顺利进驻空间站",
    "气象台发布暴雨预警提醒市民做好防汛准备",
    "教育部要求各地中小学切实减轻学生课业负担",
    "全国人大常委会审议通过了修订后的环境保护法",
    "铁路部门增开列车运送春运返乡旅客",
    "最高人民法院发布知识产权司法保护典型案例",
    "农业农村部部署秋粮收获和冬小麦播种工作",
    "世界卫生组织发布新的流感疫苗接种建议",
    "我国科学家在量子通信领域取得重大突破",
    "外交部发言人就中美经贸磋商回答记者提问",
    "新能源汽车销量连续多月保持快速增长",
    "地震发生后救援队伍迅速赶赴灾区展开搜救",
    "证监会加强对上市公司信息披露的监管",
    "北京冬奥会场馆建设工作全面完成",
    "国家医保局将更多抗癌药纳入医保报销目录",
    "长江流域生态环境保护工作取得明显成效",
    "海关总署公布前三季度进出口贸易数据",
]


def synthetic_model(n_words: int = 74_000, dim: int = 128, seed: int = 0) -> Embedding:
    """A w2v ``Embedding`` whose Huffman tree gensim builds from Zipf counts; random vectors and syn1."""
    from gensim.models import Word2Vec

    counts = {f"w{k}": int(5_000_000 / (k + 1)) + 5 for k in range(n_words)}
    model = Word2Vec(vector_size=dim, sg=1, hs=1, negative=0, min_count=1, workers=1)
    model.build_vocab_from_freq(counts)
    rng = np.random.default_rng(seed)
    model.wv.vectors[:] = rng.normal(0, 0.3, model.wv.vectors.shape).astype(np.float32)
    model.syn1[:] = rng.normal(0, 0.3, model.syn1.shape).astype(np.float32)
    emb = Embedding(from_gensim_model(model))
    emb.meta["total_tokens"] = int(sum(counts.values()))
    return emb


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


# --- peers ---------------------------------------------------------------------------------------------
def loop_log_prob(emb, i: int, o: int) -> float:
    """Blog-style log p(o|i): ``dot = syn1[point] @ x``; ``−Σ logaddexp(0, −dot) + code·dot``."""
    syn1, pts, cds, lens = (emb.extras[k] for k in ("syn1", "hs_points", "hs_codes", "hs_lengths"))
    n = lens[o]
    dot = syn1[pts[o, :n]] @ emb.vectors[i]
    return float(-np.sum(np.logaddexp(0, -dot) + cds[o, :n] * dot))


def loop_related(emb, i: int, alpha: float = 0.9) -> np.ndarray:
    log_counts = np.log(np.maximum(emb.counts, 1))
    return np.array([loop_log_prob(emb, i, o) - alpha * log_counts[o] for o in range(len(emb))])


def numpy_related(emb, i: int, alpha: float = 0.9) -> np.ndarray:
    """Vectorised without numba: gather ``h[P]`` into a V×Lmax matrix, masked ``logaddexp``."""
    syn1, pts, cds, lens = (emb.extras[k] for k in ("syn1", "hs_points", "hs_codes", "hs_lengths"))
    h = (syn1 @ emb.vectors[i]).astype(np.float64)
    z = h[pts] * (1.0 - 2.0 * cds)
    mask = np.arange(pts.shape[1])[None, :] < lens[:, None]
    return -(np.logaddexp(0, -z) * mask).sum(axis=1) - alpha * np.log(np.maximum(emb.counts, 1))


def loop_keywords(emb, ids: list[int]) -> dict[int, float]:
    return {w: sum(loop_log_prob(emb, w, u) for u in ids) for w in dict.fromkeys(ids)}


def full_vocab_keywords(emb, ids: list[int]) -> dict[int, float]:
    idx = np.asarray(ids)
    return {w: float(hs_log_prob_all(emb, w)[idx].sum()) for w in dict.fromkeys(ids)}


def latency(emb: Embedding, repeats: int) -> None:
    rng = np.random.default_rng(1)
    V = len(emb)
    print(f"\n## Latency: {V} words, d={emb.shape[1]}, max path {emb.extras['hs_points'].shape[1]}, "
          f"{os.cpu_count()} cores, repeats={repeats}")
    queries = rng.integers(0, V, repeats)
    hs_related(emb, 0)  # compile / warm up
    numpy_related(emb, 0)
    it = iter(queries.tolist())
    ours = timed(lambda: hs_related(emb, next(it)), repeats)
    it = iter(queries.tolist())
    nump = timed(lambda: numpy_related(emb, next(it)), max(3, repeats // 5))
    loop = timed(lambda: loop_related(emb, int(queries[0])), 1)
    a, b = hs_related(emb, int(queries[0])), loop_related(emb, int(queries[0]))
    agree = float(np.max(np.abs(a - b)))
    rows = [("wordvec hs_related (numba kernel)", ours), ("numpy vectorised, no numba", nump),
            ("blog-style per-word loop", loop)]
    print(f"related over the vocabulary (max |ours − loop| = {agree:.2e}):")
    report(rows)

    # a 100-token text: Zipf-sampled ids (repeated frequent words, like real text)
    ranks = np.minimum(rng.zipf(1.3, 100) - 1, V - 1)
    texts = [np.minimum(rng.zipf(1.3, 100) - 1, V - 1).tolist() for _ in range(repeats)]
    hs_keywords(emb, ranks)
    it = iter(texts)
    ours = timed(lambda: hs_keywords(emb, next(it)), repeats)
    it = iter(texts)
    full = timed(lambda: full_vocab_keywords(emb, next(it)), max(3, repeats // 10))
    it = iter(texts)
    loop = timed(lambda: loop_keywords(emb, next(it)), max(2, repeats // 20))
    cand, scores = hs_keywords(emb, texts[0])
    ref = loop_keywords(emb, texts[0])
    agree = max(abs(s - ref[int(c)]) for c, s in zip(cand, scores))
    print(f"keywords of a 100-token text ({len(set(texts[0]))} distinct; max |ours − loop| = {agree:.2e}):")
    report([("wordvec hs_keywords (path-node union)", ours), ("hs_log_prob_all per candidate", full),
            ("blog-style pair loop", loop)])


def report(rows) -> None:
    base = statistics.median(rows[0][1])
    print(f"  {'method':40s} {'median ms':>10s} {'p90 ms':>8s} {'× ours':>8s}")
    for name, times in rows:
        med = statistics.median(times)
        p90 = sorted(times)[int(0.9 * (len(times) - 1))]
        print(f"  {name:40s} {med:10.2f} {p90:8.2f} {med / base:8.1f}")


def quality(emb: Embedding) -> bool:
    from wordvec.corpora.tokenize import TokenizerSettings, tokenize_text

    settings = TokenizerSettings.from_dict(emb.meta.get("tokenizer") or {})
    sentences = NEWS_SENTENCES
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from query_quality import SENTENCES  # type: ignore  # the queries engineer's list, when present

        if len(SENTENCES) >= 20:
            sentences = list(SENTENCES)[:20]
            print("(sentences from bench/query_quality.py)")
    except Exception:
        pass

    def kw(text):
        tokens = tokenize_text(text, settings)
        ids = [emb.vocab.index.get(t, -1) for t in tokens]
        cand, scores = hs_keywords(emb, ids)
        return [(emb.words[c], float(s)) for c, s in zip(cand, scores)]

    ok = True
    rng = np.random.default_rng(0)
    sums = [float(np.exp(hs_log_prob_all(emb, int(i))).sum()) for i in rng.choice(len(emb), 20, replace=False)]
    worst = max(abs(v - 1) for v in sums)
    print(f"\n## Normalisation: max |Σ_o p(o|i) − 1| over 20 random i = {worst:.2e} "
          f"({'PASS' if worst < 1e-4 else 'FAIL'})")
    ok &= worst < 1e-4
    print("\n## Keywords (exact Σ log p(u|w), SPEC c.3.1)")
    sun = kw("太阳是一颗恒星")
    print("太阳是一颗恒星 → " + ", ".join(f"{w} {s:.2f}" for w, s in sun))
    last_ok = bool(sun) and sun[-1][0] == "是"
    ok &= last_ok
    print(f"  是 ranks last: {'PASS' if last_ok else 'FAIL'}")
    bad = 0
    for text in sentences:
        top = kw(text)[:3]
        hit = [w for w, _ in top if w in STOPWORDS]
        bad += bool(hit)
        print(f"  {'FAIL' if hit else 'ok  '} {text} → {' '.join(w for w, _ in top)}")
    print(f"  top-3 free of 的/是/在/了/和: {len(sentences) - bad}/{len(sentences)} sentences")
    ok &= bad == 0

    print("\n## Related (log p(y|x) − 0.9·log #y, SPEC c.1.3) vs. cosine similar (SPEC c.2.1)")
    unit = emb.unit_vectors
    for word in ("广州", "飞机", "自行车", "法律"):
        if word not in emb:
            continue
        row = emb.index(word)
        rel = hs_related(emb, row, 0.9)
        top = np.argsort(-rel)[:10]
        sims = unit @ unit[row]
        sims[row] = -np.inf
        near = np.argsort(-sims)[:10]
        print(f"  {word} related: {' '.join(emb.words[k] for k in top)}")
        print(f"  {word} similar: {' '.join(emb.words[k] for k in near)}")
    return ok


def side_by_side(emb: Embedding, pmi: Embedding, sentences: list[str], topn: int = 5) -> None:
    """HS keywords next to PMI keywords (``Embedding.keywords`` of each model) for a few sentences."""
    print(f"\n## HS keywords vs PMI keywords (top {topn})")
    print("| sentence | word2vec HS: Σ log p(u|w) | PMI: ⟨v_w, Σ v_u⟩ |")
    print("|---|---|---|")
    for text in sentences:
        hs = " ".join(w for w, _ in emb.keywords(text, topn=topn))
        pm = " ".join(w for w, _ in pmi.keywords(text, topn=topn))
        print(f"| {text} | {hs} | {pm} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a w2v model directory (default: synthetic 74k-word model)")
    parser.add_argument("--words", type=int, default=74_000, help="synthetic vocabulary size")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--pmi", help="a PMI model dir of the same corpus: print keywords side by side")
    args = parser.parse_args()
    ok = True
    if args.model:
        emb = Embedding.load(args.model)
        print(f"model {args.model}: {emb}")
    else:
        start = time.perf_counter()
        emb = synthetic_model(args.words)
        print(f"synthetic model built in {time.perf_counter() - start:.1f} s: {emb}")
    if not args.no_latency:
        latency(emb, args.repeats)
    if args.model:
        ok &= quality(emb)
    if args.model and args.pmi:
        side_by_side(emb, Embedding.load(args.pmi), ["太阳是一颗恒星", NEWS_SENTENCES[3], NEWS_SENTENCES[7]])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
