"""A progress bar on standard error for long jobs (import, benchmarks)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30


class ProgressBar:
    """`label [#######.......]  45%  4,500/10,000`, redrawn at most ten times a second."""

    def __init__(self, total: int, label: str, out: TextIO = sys.stderr) -> None:
        self.total = max(total, 1)
        self.label = label
        self.out = out
        self.done = 0
        self._drawn_at = 0.0

    def advance(self, count: int = 1) -> None:
        self.done = min(self.done + count, self.total)
        now = time.monotonic()
        if now - self._drawn_at >= 0.1 or self.done == self.total:
            self._drawn_at = now
            self._draw()

    def _draw(self) -> None:
        filled = WIDTH * self.done // self.total
        bar = "#" * filled + "." * (WIDTH - filled)
        percent = 100 * self.done // self.total
        self.out.write(f"\r{self.label} [{bar}] {percent:3d}%  {self.done:,}/{self.total:,}")
        self.out.flush()

    def close(self) -> None:
        self._draw()
        self.out.write("\n")
        self.out.flush()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
