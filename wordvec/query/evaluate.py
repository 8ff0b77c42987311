"""Intrinsic evaluation: word similarity (Spearman/Pearson) and analogies (3CosAdd, 3CosMul), with coverage.

Matches gensim's ``KeyedVectors.evaluate_word_pairs`` / ``evaluate_word_analogies`` conventions where they
overlap: only the first ``restrict_vocab`` (default 300000) words count as known; ``case_insensitive=True``
(default) compares upper-cased words and, of several case variants, uses the most frequent (first) row;
analogy candidates are all those rows minus the three inputs (and their case variants). Files are parsed
leniently (see ``read_word_pairs`` and ``read_analogies``); any problem is a one-line ``WordvecError``.
Works on every ``Embedding`` kind through ``emb.unit_vectors``.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import numpy as np

from wordvec.errors import InputError
from wordvec.io.opener import open_input

BUILTIN_DATASETS = {
    "wordsim353": "wordsim353.tsv",
    "simlex999": "simlex999.txt",
    "questions-words": "questions-words.txt",
}
COSMUL_EPS = 1e-6  # gensim's most_similar_cosmul; Levy & Goldberg (2014) eq. 4 with cosines shifted to [0, 1]


# --- reading evaluation files ---------------------------------------------------------------------------
def resolve_dataset(name: str | os.PathLike) -> tuple[str, str]:
    """``(display name, path)`` for a file path or a built-in name (``wordsim353``, ``simlex999``,
    ``questions-words``: gensim's copies via ``gensim.test.utils.datapath``)."""
    name = os.fspath(name)
    if os.path.exists(name):
        return os.path.splitext(os.path.basename(name))[0], name
    if name in BUILTIN_DATASETS:
        from gensim.test.utils import datapath

        return name, datapath(BUILTIN_DATASETS[name])
    raise InputError(
        f"evaluation file not found: {name}; give a path or one of {', '.join(BUILTIN_DATASETS)}"
    )


def _lines(path: str) -> list[tuple[int, str]]:
    """Numbered, stripped, non-empty, non-comment lines of a UTF-8 text file (BOM and CRLF tolerated), maybe
    compressed (``.gz``/``.bz2``/``.xz``/``.lzma``, ``wordvec.io.opener``)."""
    with open_input(path, "evaluation file") as handle:
        data = handle.read()
    if b"\x00" in data:
        raise InputError(f"{path} contains NUL bytes: not a text evaluation file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not valid UTF-8; save the evaluation file as UTF-8") from None
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            out.append((number, line))
    return out


def _as_score(field: str) -> float | None:
    try:
        value = float(field)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def read_word_pairs(path: str) -> list[tuple[str, str, float]]:
    """``(word1, word2, gold score)`` triples of a similarity file.

    Fields are TAB-separated when the line holds a TAB, else whitespace-separated, and stripped (a space after
    a TAB is fine). The score is the first numeric field after the two words (extra columns are ignored, so
    SimLex's ``word1 word2 POS score …`` works). A first line without a score is a header and skipped; ``#``
    lines are comments; CRLF, a BOM and a missing final newline are fine.
    """
    pairs: list[tuple[str, str, float]] = []
    for k, (number, line) in enumerate(_lines(path)):
        fields = [f.strip() for f in (line.split("\t") if "\t" in line else line.split())]
        fields = [f for f in fields if f]
        score = next((s for s in map(_as_score, fields[2:]) if s is not None), None) if len(fields) >= 3 else None
        if score is None:
            if k == 0 and not pairs:
                continue  # header row
            raise InputError(
                f"{path}:{number}: expected 'word1 word2 score' (TAB or space separated), got {line[:60]!r}"
            )
        pairs.append((fields[0], fields[1], score))
    if not pairs:
        raise InputError(f"{path}: no word pairs found; expected lines 'word1<TAB>word2<TAB>score'")
    return pairs


def read_analogies(path: str) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """``[(section, [(a, b, c, d), …]), …]`` of a Google ``questions-words`` style file.

    ``: name`` lines start sections (questions before any section go to ``"default"``); other lines hold four
    whitespace-separated words ``a b c d`` (a is to b as c is to d). ``#`` lines are comments; a line with
    another number of words is an error naming the file and line.
    """
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    for number, line in _lines(path):
        if line.startswith(":"):
            sections.append((line[1:].strip() or f"section {len(sections) + 1}", []))
            continue
        words = line.split()
        if len(words) != 4:
            raise InputError(f"{path}:{number}: expected four words 'a b c d' or ': section', got {line[:60]!r}")
        if not sections:
            sections.append(("default", []))
        sections[-1][1].append((words[0], words[1], words[2], words[3]))
    if not any(questions for _, questions in sections):
        raise InputError(f"{path}: no analogy questions found; expected ': section' lines and 'a b c d' lines")
    return sections


def detect_kind(path: str) -> str:
    """``"analogy"`` when the file has ``: section`` lines or only 4-word lines, else ``"similarity"``."""
    lines = _lines(path)
    if any(line.startswith(":") for _, line in lines):
        return "analogy"
    if lines and all(len(line.split()) == 4 and _as_score(line.split()[3]) is None for _, line in lines[:20]):
        return "analogy"
    return "similarity"


# --- vocabulary lookup as gensim does it ----------------------------------------------------------------
class _Lookup:
    """Folded word → row for the first ``restrict_vocab`` rows; the most frequent case variant wins."""

    def __init__(self, emb, restrict_vocab: int | None, case_insensitive: bool):
        self.limit = min(len(emb), restrict_vocab) if restrict_vocab else len(emb)
        self.fold: Callable[[str], str] = str.upper if case_insensitive else (lambda w: w)
        self.words = emb.words[: self.limit]
        self.rows: dict[str, int] = {}
        self.variants: dict[str, list[int]] = {}
        for row, word in enumerate(self.words):
            key = self.fold(word)
            self.rows.setdefault(key, row)
            if case_insensitive:
                self.variants.setdefault(key, []).append(row)

    def row(self, word: str) -> int | None:
        return self.rows.get(self.fold(word))

    def excluded(self, word: str) -> list[int]:
        key = self.fold(word)
        return self.variants.get(key, [self.rows[key]]) if self.variants else [self.rows[key]]


# --- word similarity ------------------------------------------------------------------------------------------
@dataclass
class PairsResult:
    """Word-similarity result: correlations over the covered pairs and what was missing."""

    dataset: str
    spearman: float | None
    pearson: float | None
    covered: int
    total: int
    missing: list[str] = field(default_factory=list)
    kind: str = "similarity"

    @property
    def coverage(self) -> float:
        return self.covered / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["coverage"] = self.coverage
        return out


def _correlations(gold: np.ndarray, model: np.ndarray) -> tuple[float | None, float | None]:
    from scipy import stats

    if len(gold) < 2:
        return None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spearman = float(stats.spearmanr(gold, model)[0])
        pearson = float(stats.pearsonr(gold, model)[0])
    return (spearman if np.isfinite(spearman) else None), (pearson if np.isfinite(pearson) else None)


def _unit_row(vec: np.ndarray) -> np.ndarray:
    """One row scaled to unit length in float64, then stored in the vectors' dtype (as gensim's unitvec), so
    cosines equal gensim's bit for bit; Spearman on near-tied cosines is sensitive to the last bit."""
    vec = np.asarray(vec)
    norm = np.linalg.norm(vec.astype(np.float64))
    return (vec.astype(np.float64) * (1.0 / norm)).astype(vec.dtype) if norm > 0 else vec


def evaluate_word_pairs(
    emb, path: str, restrict_vocab: int | None = 300000, case_insensitive: bool = True, name: str | None = None
) -> PairsResult:
    """Spearman and Pearson correlation between cosine similarity and gold scores on the covered pairs.

    ``path``: a similarity file (``read_word_pairs``); ``restrict_vocab`` (default 300000, None: all) rows
    count as known; ``case_insensitive`` (default True) compares upper-cased words as gensim does. A pair is
    covered when both words are known; ``missing`` lists the unknown words in file order.
    """
    display, path = resolve_dataset(path)
    pairs = read_word_pairs(path)
    lookup = _Lookup(emb, restrict_vocab, case_insensitive)
    gold, model, missing, seen = [], [], [], set()
    for w1, w2, score in pairs:
        r1, r2 = lookup.row(w1), lookup.row(w2)
        for word, row in ((w1, r1), (w2, r2)):
            if row is None and word not in seen:
                seen.add(word)
                missing.append(word)
        if r1 is None or r2 is None:
            continue
        gold.append(score)
        model.append(float(np.dot(_unit_row(emb.vectors[r1]), _unit_row(emb.vectors[r2]))))
    spearman, pearson = _correlations(np.asarray(gold), np.asarray(model))
    return PairsResult(name or display, spearman, pearson, len(gold), len(pairs), missing)


# --- analogies ----------------------------------------------------------------------------------------------------
@dataclass
class AnalogyResult:
    """Analogy result: 3CosAdd and 3CosMul accuracy under the chosen OOV convention, per section and total."""

    dataset: str
    accuracy: float | None  # 3CosAdd
    accuracy_cosmul: float | None
    correct: int
    correct_cosmul: int
    covered: int
    total: int
    oov: str
    sections: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    kind: str = "analogy"

    @property
    def coverage(self) -> float:
        return self.covered / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["coverage"] = self.coverage
        return out


def _accuracy(correct: int, covered: int, total: int, oov: str) -> float | None:
    denominator = covered if oov == "skip" else total
    return correct / denominator if denominator else None


def _solve(unit: np.ndarray, norms_ok: np.ndarray, questions: np.ndarray, exclude: list[list[int]],
           batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Predicted rows (3CosAdd, 3CosMul) for question rows ``(n, 3)`` = (a, b, c); inputs excluded."""
    add = np.empty(len(questions), dtype=np.int64)
    mul = np.empty(len(questions), dtype=np.int64)
    unit_t = unit.T
    dead = np.flatnonzero(~norms_ok)
    for start in range(0, len(questions), batch):
        q = questions[start:start + batch]
        ua, ub, uc = unit[q[:, 0]], unit[q[:, 1]], unit[q[:, 2]]
        mean = (ub + uc) - ua  # gensim most_similar: mean of b, c, -a, re-normalised
        mean /= np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), np.float32(1e-30))
        chunk = exclude[start:start + len(q)]
        rows = np.repeat(np.arange(len(q)), [len(ex) for ex in chunk])
        cols = np.fromiter((r for ex in chunk for r in ex), dtype=np.int64)
        scores = mean @ unit_t  # batch × V
        scores[rows, cols] = -np.inf
        scores[:, dead] = -np.inf
        add[start:start + len(q)] = np.argmax(scores, axis=1)
        # 3CosMul, Levy & Goldberg 2014 eq. 4, cosines shifted to [0, 1] as gensim's most_similar_cosmul
        num = ub @ unit_t
        num += 1
        other = uc @ unit_t
        other += 1
        num *= other
        num *= 0.25
        np.matmul(ua, unit_t, out=other)
        other += 1
        other *= 0.5
        other += COSMUL_EPS
        num /= other
        num[rows, cols] = -np.inf
        num[:, dead] = -np.inf
        mul[start:start + len(q)] = np.argmax(num, axis=1)
    return add, mul


def evaluate_analogies(
    emb,
    path: str,
    restrict_vocab: int | None = 300000,
    case_insensitive: bool = True,
    oov: str = "skip",
    name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AnalogyResult:
    """Answer ``a : b :: c : ?`` by 3CosAdd (argmax cos(x, b − a + c)) and 3CosMul over the first
    ``restrict_vocab`` rows (default 300000, None: all), excluding a, b, c.

    ``oov``: ``"skip"`` (default, gensim's ``dummy4unknown=False``): accuracy over covered questions;
    ``"wrong"``: questions with an unknown word count as wrong (accuracy over all). ``case_insensitive``
    (default True) compares upper-cased words like gensim. ``progress(done, total)`` counts questions.
    Returns per-section and total counts with coverage.
    """
    if oov not in ("skip", "wrong"):
        raise InputError(f"oov must be 'skip' or 'wrong', not {oov!r}")
    display, path = resolve_dataset(path)
    sections = read_analogies(path)
    lookup = _Lookup(emb, restrict_vocab, case_insensitive)
    unit = np.ascontiguousarray(emb.unit_vectors[: lookup.limit], dtype=np.float32)
    norms_ok = np.linalg.norm(unit, axis=1) > 0
    questions, expected, exclude, owner, missing, seen = [], [], [], [], [], set()
    totals = []
    for s, (_, items) in enumerate(sections):
        totals.append(len(items))
        for a, b, c, d in items:
            rows = [lookup.row(w) for w in (a, b, c, d)]
            if any(r is None for r in rows):
                for word, row in zip((a, b, c, d), rows):
                    if row is None and word not in seen:
                        seen.add(word)
                        missing.append(word)
                continue
            questions.append(rows[:3])
            expected.append(lookup.fold(d))
            exclude.append(sorted({r for w in (a, b, c) for r in lookup.excluded(w)}))
            owner.append(s)
    batch = max(1, min(1024, (1 << 23) // max(1, lookup.limit)))
    qarr = np.asarray(questions, dtype=np.int64).reshape(-1, 3)
    add = np.empty(0, np.int64)
    mul = np.empty(0, np.int64)
    for start in range(0, len(qarr), batch * 8):
        a_rows, m_rows = _solve(unit, norms_ok, qarr[start:start + batch * 8], exclude[start:start + batch * 8], batch)
        add, mul = np.concatenate([add, a_rows]), np.concatenate([mul, m_rows])
        if progress is not None:
            progress(min(start + batch * 8, len(qarr)), len(qarr))
    words = lookup.words
    ok_add = np.array([lookup.fold(words[r]) == e for r, e in zip(add.tolist(), expected)], dtype=bool)
    ok_mul = np.array([lookup.fold(words[r]) == e for r, e in zip(mul.tolist(), expected)], dtype=bool)
    owner_arr = np.asarray(owner, dtype=np.int64)
    out_sections = []
    for s, (section, _) in enumerate(sections):
        mask = owner_arr == s
        covered, c_add, c_mul = int(mask.sum()), int(ok_add[mask].sum()), int(ok_mul[mask].sum())
        out_sections.append({
            "section": section, "accuracy": _accuracy(c_add, covered, totals[s], oov),
            "accuracy_cosmul": _accuracy(c_mul, covered, totals[s], oov),
            "correct": c_add, "correct_cosmul": c_mul, "covered": covered, "total": totals[s],
        })
    covered, total = len(questions), sum(totals)
    c_add, c_mul = int(ok_add.sum()), int(ok_mul.sum())
    return AnalogyResult(
        name or display, _accuracy(c_add, covered, total, oov), _accuracy(c_mul, covered, total, oov),
        c_add, c_mul, covered, total, oov, out_sections, missing,
    )


def evaluate(emb, dataset: str, kind: str | None = None, **options) -> PairsResult | AnalogyResult:
    """Evaluate on one dataset (path or built-in name), detecting similarity vs analogy unless ``kind``
    is given. ``options`` go to ``evaluate_word_pairs`` (``restrict_vocab``, ``case_insensitive``) or
    ``evaluate_analogies`` (also ``oov``, ``progress``)."""
    display, path = resolve_dataset(dataset)
    kind = kind or detect_kind(path)
    if kind == "analogy":
        return evaluate_analogies(emb, path, name=display, **options)
    options.pop("oov", None)
    options.pop("progress", None)
    return evaluate_word_pairs(emb, path, name=display, **options)


__all__ = [
    "BUILTIN_DATASETS", "PairsResult", "AnalogyResult", "resolve_dataset", "read_word_pairs", "read_analogies",
    "detect_kind", "evaluate_word_pairs", "evaluate_analogies", "evaluate",
]
