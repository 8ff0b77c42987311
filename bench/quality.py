"""One-run quality/speed table (issue 6): every method on the same corpus, same tokens, same evaluation.

Stages, each in its own spawned child process so that its peak RSS is measurable:
  tokenize   jieba (HMM off) token cache of the corpus (reused when unchanged)
  count      co-occurrence counts, window 10, min_count 5 (for the PMI and SVD models)
  (a) pmi-seed     PMIEmbedding, the seed's exact settings (--preset seed, SPEC b.5)
  (b) pmi-default  PMIEmbedding with wordvec's defaults
  (c) ppmi-svd     PPMI-SVD baseline (cds 0.75, eig 0.5)
  (d) gensim-sgns  gensim Word2Vec sg=1, negative=5, window 5, 5 epochs, same dim, from the same tokens
  (e) w2v-hs       gensim skip-gram with hierarchical softmax via wordvec.word2vec.bridge.train_word2vec
Each model is scored on ../shared/data/eval: wordsim-240 and wordsim-297 (Spearman, coverage) and
ca_translated (3CosAdd / 3CosMul accuracy, questions with unknown words skipped, coverage). gensim's English
sets are not relevant for a Chinese corpus (coverage ≈ 0) and are left out. A stage whose module is missing
prints a "not available: <reason>" row.

    python bench/quality.py            # the full run on zh_mixed (≤ 45 min on 2 cores is the target)
    python bench/quality.py --quick    # a 1/20 line sample, few epochs, 64-d: proves the pipeline in minutes
"""
from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("WORDVEC_SHARED_DATA", os.path.join(HERE, "..", "..", "shared", "data"))
CORPUS = os.path.realpath(os.path.join(SHARED, "corpora", "zh_mixed.txt.gz"))
EVAL = os.path.realpath(os.path.join(SHARED, "eval"))
STAGES = ["tokenize", "count", "pmi-seed", "pmi-default", "ppmi-svd", "gensim-sgns", "w2v-hs"]
# run the headline comparison first, so an interrupted run (see --continue) still has it
RUN_ORDER = ["tokenize", "count", "pmi-default", "gensim-sgns", "pmi-seed", "ppmi-svd", "w2v-hs"]


# --- helpers run inside the children ---------------------------------------------------------------------------
def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0  # Linux: kilobytes


def _scores(emb) -> dict:
    from wordvec.query.evaluate import evaluate_analogies, evaluate_word_pairs

    out = {}
    for name in ("wordsim-240", "wordsim-297"):
        path = os.path.join(EVAL, name + ".txt")
        if os.path.exists(path):
            r = evaluate_word_pairs(emb, path)
            out[name] = {"spearman": r.spearman, "covered": r.covered, "total": r.total}
    path = os.path.join(EVAL, "ca_translated.txt")
    if os.path.exists(path):
        r = evaluate_analogies(emb, path, oov="skip")
        out["ca_translated"] = {"accuracy": r.accuracy, "accuracy_cosmul": r.accuracy_cosmul,
                                "covered": r.covered, "total": r.total}
    return out


def _tokenize(cfg: dict) -> dict:
    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.tokenize import TokenizerSettings

    cache = build_token_cache([cfg["corpus"]], TokenizerSettings(mode="jieba", hmm=False), workers=cfg["threads"])
    return {"cache": os.fspath(cache.path), "tokens": int(len(cache.ids)), "types": len(cache.vocab)}


def _count(cfg: dict) -> dict:
    from wordvec.corpora.cache import TokenCache

    cache = TokenCache.load(cfg["cache"])
    try:
        from wordvec.corpora.counter import count_cooccurrences
    except ImportError as err:
        raise _Unavailable(f"wordvec.corpora.cooccur: {err}") from None
    counts = count_cooccurrences(cache, min_count=5, window=10, threads=cfg["threads"])
    path = os.path.join(cfg["workdir"], "counts-w10")
    counts.save(path)
    return {"counts": path, "vocab": len(counts.vocab), "nnz": int(counts.matrix.nnz)}


def _load_counts(cfg: dict):
    from wordvec.corpora.cooccur import Cooccurrence

    return Cooccurrence.load(cfg["counts"])


def _pmi(cfg: dict, preset: str) -> dict:
    try:
        from wordvec.train.pmi import PMIEmbedding
    except ImportError as err:
        raise _Unavailable(f"wordvec.train.pmi: {err}") from None
    counts = _load_counts(cfg)
    t = time.perf_counter()
    overrides = {"dim": cfg["dim"], "threads": cfg["threads"], "seed": 1}
    if cfg.get("pmi_epochs"):
        overrides["epochs"] = cfg["pmi_epochs"]
    model = PMIEmbedding.from_preset(preset, **overrides).fit(counts)
    train = time.perf_counter() - t
    from wordvec.query.embedding import Embedding

    emb = Embedding(model.embedding_)
    epochs = len(getattr(model, "loss_", []) or [])
    return {"train_s": train, "epochs": epochs, "vocab": len(emb), "scores": _scores(emb),
            "detail": f"{epochs} epochs, {train / max(1, epochs):.1f} s/epoch"}


def _svd(cfg: dict) -> dict:
    try:
        from wordvec.train.svd import PPMISVD
    except ImportError as err:
        raise _Unavailable(f"wordvec.train.svd: {err}") from None
    counts = _load_counts(cfg)
    t = time.perf_counter()
    from wordvec.query.embedding import Embedding

    emb = Embedding(PPMISVD(dim=cfg["dim"], cds=0.75, seed=1).fit(counts).embedding_)
    return {"train_s": time.perf_counter() - t, "vocab": len(emb), "scores": _scores(emb), "detail": "cds 0.75, eig 0.5"}


def _sgns(cfg: dict) -> dict:
    from gensim.models import Word2Vec

    from wordvec.corpora.cache import TokenCache
    from wordvec.io.vocab import Vocabulary
    from wordvec.query.embedding import Embedding

    cache = TokenCache.load(cfg["cache"])
    n_words = len(cache.vocab.prune(5))
    corpus = os.path.join(cfg["workdir"], "tokens.txt")
    t = time.perf_counter()
    try:
        from wordvec.word2vec.bridge import write_corpus_file

        write_corpus_file(cache, n_words, corpus)
    except ImportError:  # the bridge is missing: write the same tokens ourselves
        words = cache.vocab.words
        offsets = cache.line_offsets
        with open(corpus, "w", encoding="utf-8") as out:
            for k in range(len(offsets) - 1):
                ids = cache.ids[offsets[k]:offsets[k + 1]]
                line = " ".join(words[i] for i in ids.tolist() if i < n_words)
                if line:
                    out.write(line + "\n")
    prep = time.perf_counter() - t
    t = time.perf_counter()
    model = Word2Vec(corpus_file=corpus, sg=1, hs=0, negative=5, window=5, epochs=cfg["w2v_epochs"],
                     vector_size=cfg["dim"], workers=cfg["threads"], min_count=5, seed=1)
    train = time.perf_counter() - t
    os.remove(corpus)
    kv = model.wv
    emb = Embedding(kv.vectors, Vocabulary(kv.index_to_key, [kv.get_vecattr(w, "count") for w in kv.index_to_key]),
                    {"kind": "w2v"})
    return {"train_s": train, "vocab": len(emb), "scores": _scores(emb),
            "detail": f"corpus file {prep:.0f}s, {cfg['w2v_epochs']} epochs"}


def _hs(cfg: dict) -> dict:
    try:
        from wordvec.word2vec.bridge import train_word2vec
    except ImportError as err:
        raise _Unavailable(f"wordvec.word2vec.bridge: {err}") from None
    from wordvec.corpora.cache import TokenCache

    cache = TokenCache.load(cfg["cache"])
    t = time.perf_counter()
    from wordvec.query.embedding import Embedding

    emb = Embedding(train_word2vec(cache, min_count=5, dim=cfg["dim"], window=5, epochs=cfg["w2v_epochs"], negative=0,
                         workers=cfg["threads"], seed=1))
    return {"train_s": time.perf_counter() - t, "vocab": len(emb), "scores": _scores(emb),
            "detail": f"sg=1 hs=1, {cfg['w2v_epochs']} epochs"}


class _Unavailable(Exception):
    pass


RUNNERS = {
    "tokenize": _tokenize, "count": _count, "pmi-seed": lambda c: _pmi(c, "seed"),
    "pmi-default": lambda c: _pmi(c, "default"), "ppmi-svd": _svd, "gensim-sgns": _sgns, "w2v-hs": _hs,
}


def _child(stage: str, cfg: dict, queue) -> None:
    t = time.perf_counter()
    try:
        result = RUNNERS[stage](cfg)
        result["status"] = "ok"
    except _Unavailable as err:
        result = {"status": f"not available: {err}"}
    except ImportError as err:
        result = {"status": f"not available: {err}"}
    except Exception as err:  # noqa: BLE001 - the table reports it; the run goes on
        result = {"status": f"failed: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}",
                  "traceback": traceback.format_exc()}
    result["wall_s"] = time.perf_counter() - t
    result["peak_rss_mb"] = _peak_rss_mb()
    queue.put(result)


def run_stage(stage: str, cfg: dict) -> dict:
    """Run one stage in a fresh spawned interpreter; returns its result dict (status, wall_s, peak_rss_mb…)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(stage, cfg, queue), name=f"bench-{stage}")
    t = time.perf_counter()
    proc.start()
    result = None
    while result is None:
        try:
            result = queue.get(timeout=5)
        except Exception:  # noqa: BLE001 - queue.Empty: check the child is alive
            if not proc.is_alive():
                result = {"status": f"failed: child exited with code {proc.exitcode}"}
    proc.join()
    result["process_s"] = time.perf_counter() - t
    return result


# --- parent ---------------------------------------------------------------------------------------------------------
def make_sample(corpus: str, every: int, workdir: str) -> str:
    """Every ``every``-th line of the corpus into ``workdir`` (kept between runs so the token cache is reused)."""
    path = os.path.join(workdir, f"zh_mixed.every{every}.txt")
    if not os.path.exists(path):
        tmp = path + ".tmp"
        with gzip.open(corpus, "rt", encoding="utf-8", errors="replace") as src, open(tmp, "w", encoding="utf-8") as out:
            for k, line in enumerate(src):
                if k % every == 0:
                    out.write(line)
        os.replace(tmp, path)
    return path


def _fmt(value, spec=".3f") -> str:
    return "-" if value is None else format(value, spec)


def table(results: dict, cfg: dict) -> str:
    headers = ["stage", "status", "wall s", "peak RSS MB", "ws240 ρ", "ws240 cov", "ws297 ρ", "ws297 cov",
               "CA 3CosAdd", "CA 3CosMul", "CA cov", "detail"]
    rows = []
    for stage, r in results.items():
        s = r.get("scores", {})
        w240, w297, ca = s.get("wordsim-240", {}), s.get("wordsim-297", {}), s.get("ca_translated", {})
        cov = (lambda d: f"{d['covered']}/{d['total']}" if d else "-")
        detail = r.get("detail", "")
        if stage == "tokenize" and r.get("status") == "ok":
            detail = f"{r['tokens']:,} tokens, {r['types']:,} types"
        if stage == "count" and r.get("status") == "ok":
            detail = f"V={r['vocab']:,}, nnz={r['nnz']:,}"
        rows.append([stage, r.get("status", "?")[:60], _fmt(r.get("wall_s"), ".1f"), _fmt(r.get("peak_rss_mb"), ".0f"),
                     _fmt(w240.get("spearman")), cov(w240), _fmt(w297.get("spearman")), cov(w297),
                     _fmt(ca.get("accuracy")), _fmt(ca.get("accuracy_cosmul")), cov(ca), detail])
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip() for row in [headers] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=CORPUS)
    parser.add_argument("--quick", action="store_true", help="1/20 line sample, PMI 5 epochs, w2v 2 epochs, 64-d")
    parser.add_argument("--sample-every", type=int, default=None, help="keep every N-th corpus line")
    parser.add_argument("--dim", type=int, default=None, help="vector size [128; quick 64]")
    parser.add_argument("--pmi-epochs", type=int, default=None, help="override the presets' epochs [quick 5]")
    parser.add_argument("--w2v-epochs", type=int, default=None, help="gensim epochs [5; quick 2]")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--stages", default=",".join(STAGES), help="comma list of " + ",".join(STAGES))
    parser.add_argument("--workdir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "wordvec-bench-quality"))
    parser.add_argument("--json", default=None, help="write the results as JSON here (after every stage)")
    parser.add_argument("--continue", dest="resume", action="store_true",
                        help="with --json: keep the stages that finished ok in that file and run only the rest")
    args = parser.parse_args(argv)
    if not os.path.exists(args.corpus):
        sys.exit(f"corpus not found: {args.corpus} (the shared data is needed for this benchmark)")
    os.makedirs(args.workdir, exist_ok=True)
    every = args.sample_every or (20 if args.quick else 1)
    corpus = make_sample(args.corpus, every, args.workdir) if every > 1 else args.corpus
    cfg = {"corpus": corpus, "workdir": args.workdir, "threads": args.threads,
           "dim": args.dim or (64 if args.quick else 128),
           "pmi_epochs": args.pmi_epochs or (5 if args.quick else None),
           "w2v_epochs": args.w2v_epochs or (2 if args.quick else 5)}
    wanted = [s.strip() for s in args.stages.split(",") if s.strip()]
    start = time.perf_counter()
    results: dict = {}
    if args.resume and args.json and os.path.exists(args.json):
        with open(args.json, encoding="utf-8") as handle:
            previous = json.load(handle)
        if {k: v for k, v in previous["config"].items() if k not in ("cache", "counts")} == cfg:
            results = {k: v for k, v in previous["results"].items() if v.get("status") == "ok"}
            cfg.update({k: v for k, v in previous["config"].items() if k in ("cache", "counts")})
            print(f"continuing: kept {', '.join(results) or 'nothing'}", file=sys.stderr)
    kept = set(results)
    for stage in RUN_ORDER:
        if stage in results:
            continue
        if stage not in wanted and stage not in ("tokenize", "count"):
            continue
        if stage == "count" and not ({"pmi-seed", "pmi-default", "ppmi-svd", "count"} & set(wanted)):
            continue
        if stage != "tokenize" and "cache" not in cfg:
            results[stage] = {"status": "not available: no token cache (tokenize failed)"}
            continue
        if stage in ("pmi-seed", "pmi-default", "ppmi-svd") and "counts" not in cfg:
            results[stage] = {"status": "not available: no counts (count stage failed)"}
            continue
        print(f"[{time.perf_counter() - start:7.1f}s] {stage} …", file=sys.stderr, flush=True)
        r = run_stage(stage, cfg)
        results[stage] = r
        if r.get("traceback"):
            print(r["traceback"], file=sys.stderr)
        if stage == "tokenize" and r["status"] == "ok":
            cfg["cache"] = r["cache"]
        if stage == "count" and r["status"] == "ok":
            cfg["counts"] = r["counts"]
        print(table({stage: r}, cfg).split("\n")[-1], file=sys.stderr, flush=True)
        if args.json:
            _save_json(args.json, cfg, time.perf_counter() - start, results)
    total = time.perf_counter() - start + sum(r.get("process_s", 0) for k, r in results.items() if k in kept)
    print(f"\nwordvec quality benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores visible, threads={cfg['threads']}")
    print(f"corpus {args.corpus}" + (f" (every {every}th line)" if every > 1 else "") +
          f"; dim {cfg['dim']}; PMI epochs {cfg['pmi_epochs'] or 'preset'}; w2v epochs {cfg['w2v_epochs']}")
    print(table({k: results[k] for k in STAGES if k in results}, cfg))
    print(f"end to end {total:.0f} s. Scores: Spearman on covered pairs; CA accuracy over covered questions "
          "(OOV skipped). English sets (wordsim353, simlex999, questions-words) not run: a Chinese corpus "
          "covers almost none of their words.")
    if args.json:
        _save_json(args.json, cfg, total, results)


def _save_json(path: str, cfg: dict, total: float, results: dict) -> None:
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        json.dump({"config": cfg, "total_s": total, "results": results}, out, ensure_ascii=False, indent=1)
    os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
