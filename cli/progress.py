"""Progress display for long work: a one-line bar with rate and ETA on a terminal, silent otherwise.

Library functions report progress through a callback ``progress(done, total)`` in their own unit (bytes,
tokens, records); a ``Progress`` object is such a callback. It draws on stderr only when stderr is a
terminal and ``quiet`` is false, and redraws at most five times a second.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO


def _human(value: float) -> str:
    for unit in ("", "k", "M", "G", "T"):
        if abs(value) < 1000:
            return f"{value:.1f}{unit}" if unit else f"{value:.0f}"
        value /= 1000
    return f"{value:.1f}P"


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


class Progress:
    """A progress bar callback.

    Parameters: ``label`` (shown first), ``unit`` (e.g. ``"B"``, ``"tok"``), ``quiet`` (never draw),
    ``stream`` (default stderr), ``counted`` (show ``done/total unit`` instead of a rate: for few, long steps
    such as epochs). Call it as ``progress(done, total)``, optionally with ``note`` (text shown after the
    bar, e.g. the loss); ``close()`` ends the line.
    """

    def __init__(self, label: str, unit: str = "", quiet: bool = False, stream: TextIO | None = None,
                 counted: bool = False):
        self.label = label
        self.unit = unit
        self.counted = counted
        # set by a producer that knows a truer measure of the work than ``done`` (the decompressed text bytes
        # of compressed input): the rate shows it, the bar and ETA still follow done/total
        self.rate_count: float | None = None
        self.rate_unit = ""  # counted bars: the unit of rate_count, shown as a speed when both are set
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and bool(isatty and isatty())
        self.start = time.monotonic()
        self._last_draw = 0.0
        self._drawn = False
        self._status_only = False

    def __call__(self, done: float, total: float | None = None, note: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        finished = total is not None and done >= total
        if not finished and now - self._last_draw < 0.2:
            return
        self._last_draw = now
        elapsed = max(now - self.start, 1e-9)
        rate = (done if self.rate_count is None else self.rate_count) / elapsed
        parts = [self.label]
        if total:
            fraction = min(1.0, done / total)
            filled = int(fraction * 24)
            parts.append(f"[{'#' * filled}{'.' * (24 - filled)}] {fraction * 100:5.1f}%")
            eta = elapsed * (total - done) / done if done > 0 else 0.0
            if self.counted:
                parts.append(f"{done:g}/{total:g} {self.unit}".rstrip())
                if self.rate_count is not None and self.rate_unit:
                    parts.append(f"{_human(rate)} {self.rate_unit}/s")
                parts.append(f"ETA {_clock(eta)}" if done > 0 else "ETA --:--")
            else:
                gap = " " if len(self.unit) > 3 else ""  # 1.2k words/s, but 1.2MB/s
                eta_text = f"ETA {_clock(eta)}" if done > 0 else "ETA --:--"
                parts.append(f"{_human(rate)}{gap}{self.unit}/s  {eta_text}")
        else:
            parts.append(f"{_human(done)}{self.unit}  {_human(rate)}{self.unit}/s  {_clock(elapsed)}")
        if note:
            parts.append(note)
        self.stream.write("\r" + "  ".join(parts) + "\033[K")
        self.stream.flush()
        self._drawn = True
        self._status_only = False

    def status(self, text: str) -> None:
        """Show ``label  text`` at once (no throttling) until the bar's next draw: for stages that may take a
        moment before their first progress call (loading a cache, reusing counts)."""
        if not self.enabled:
            return
        self.stream.write(f"\r{self.label}  {text}\033[K")
        self.stream.flush()
        self._drawn = True
        self._status_only = True

    def close(self) -> None:
        """Finish the line (if anything was drawn)."""
        if self._drawn:
            # a bar stays on screen as the stage's last word; a status line alone is wiped
            self.stream.write("\r\033[K" if self._status_only else "\n")
            self.stream.flush()
            self._drawn = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
