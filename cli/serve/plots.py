"""Geometry of the two SVG drawings: the 2-D PCA map of a word's neighbours, and the loss-per-epoch plot.

Only numbers are computed here; the templates draw them (and escape every word).
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

MAP_SIZE = (420, 320)  # SVG width, height
MAP_PAD = 34
PLOT_SIZE = (360, 160)
PLOT_PAD = 32


def pca_2d(vectors: np.ndarray) -> np.ndarray:
    """The rows of ``vectors`` projected on their first two principal components (k×2; zeros when k < 2).

    Signs are fixed so that the first row has non-negative coordinates (the same map on every request)."""
    x = np.asarray(vectors, dtype=np.float64)
    if x.shape[0] < 2:
        return np.zeros((x.shape[0], 2))
    x = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    axes = vt[:2]
    if axes.shape[0] < 2:
        axes = np.vstack([axes, np.zeros_like(axes[0])])
    xy = x @ axes.T
    flip = np.where(xy[0] < 0, -1.0, 1.0)
    return xy * flip


def _scale(values: np.ndarray, low: float, high: float) -> np.ndarray:
    span = float(values.max() - values.min()) if values.size else 0.0
    if span <= 0 or not math.isfinite(span):
        return np.full(values.shape, (low + high) / 2)
    return low + (values - values.min()) / span * (high - low)


def word_map(emb, word: str, similar: Sequence[str], related: Sequence[str]) -> dict[str, Any]:
    """Points of the map: ``word`` and its neighbours from both columns, each with ``x``, ``y`` (SVG
    units) and ``group``: ``query``, ``similar``, ``related`` or ``both``. Returns ``{"width", "height",
    "points"}``."""
    order: list[str] = [word]
    groups: dict[str, str] = {word: "query"}
    for name, words in (("similar", similar), ("related", related)):
        for w in words:
            if w == word:
                continue
            if w in groups:
                if groups[w] != name:
                    groups[w] = "both"
            else:
                groups[w] = name
                order.append(w)
    rows = [emb.index(w) for w in order]
    xy = pca_2d(np.asarray(emb.unit_vectors)[rows])
    width, height = MAP_SIZE
    xs = _scale(xy[:, 0], MAP_PAD, width - MAP_PAD) if len(order) else np.zeros(0)
    ys = _scale(-xy[:, 1], MAP_PAD, height - MAP_PAD) if len(order) else np.zeros(0)
    points = [{"word": w, "x": round(float(x), 1), "y": round(float(y), 1), "group": groups[w]}
              for w, x, y in zip(order, xs, ys)]
    return {"width": width, "height": height, "points": points}


def loss_plot(losses: Sequence[float]) -> dict[str, Any] | None:
    """Polyline of the loss per epoch (``None`` without two finite values): ``{"width", "height", "points"
    (SVG "x,y …" string), "first", "last", "low", "high", "epochs"}``."""
    values = [float(v) for v in losses if isinstance(v, (int, float)) and math.isfinite(float(v))]
    if len(values) < 2:
        return None
    width, height = PLOT_SIZE
    arr = np.asarray(values)
    xs = np.linspace(PLOT_PAD, width - 8, len(values))
    ys = _scale(-arr, 8, height - PLOT_PAD)
    return {
        "width": width, "height": height,
        "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys)),
        "first": values[0], "last": values[-1], "low": float(arr.min()), "high": float(arr.max()),
        "epochs": len(values), "base": height - PLOT_PAD + 4, "left": PLOT_PAD - 4,
    }


def shades(tokens: Sequence[str], scores: dict[str, float], levels: int = 10) -> list[tuple[str, int | None]]:
    """Each token with its keyword-score shade ``0..levels-1`` (scaled between the text's lowest and
    highest score), or ``None`` for tokens that are not in the vocabulary."""
    known = [scores[t] for t in tokens if t in scores]
    if not known:
        return [(t, None) for t in tokens]
    low, high = min(known), max(known)
    out: list[tuple[str, int | None]] = []
    for t in tokens:
        if t not in scores:
            out.append((t, None))
        elif high > low:
            out.append((t, min(levels - 1, int((scores[t] - low) / (high - low) * levels))))
        else:
            out.append((t, levels - 1))
    return out


__all__ = ["pca_2d", "word_map", "loss_plot", "shades"]
