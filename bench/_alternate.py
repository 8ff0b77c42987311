"""Shared by the A/B benchmarks: run each arm in a fresh process, alternating arms within every repetition, so
that the machine's slow phases fall on both arms alike."""
from __future__ import annotations

import os
import subprocess
import sys
from typing import Callable

import numpy as np


def python_seconds(code: str, env: dict[str, str] | None = None) -> list[float]:
    """Run ``python -c CODE`` (which prints seconds separated by spaces) and return those seconds."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=dict(os.environ, **(env or {})))
    return [float(x) for x in done.stdout.split()]


def alternate(arms: dict[str, Callable[[], list[float]]], reps: int) -> dict[str, list[list[float]]]:
    """Run every arm once per repetition, in order, printing each run's seconds and median; returns each
    arm's runs."""
    width = max(len(name) for name in arms)
    runs: dict[str, list[list[float]]] = {name: [] for name in arms}
    for rep in range(reps):
        for name, arm in arms.items():
            seconds = arm()
            runs[name].append(seconds)
            print(f"rep {rep + 1}  {name:{width}s}  " + " ".join(f"{s:.2f}" for s in seconds)
                  + f"  median {np.median(seconds):.2f}", flush=True)
    return runs
