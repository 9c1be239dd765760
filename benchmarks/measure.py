"""What the benchmarks share: timing, percentiles, the result table, stock tinydb's baseline."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinydb import TinyDB  # noqa: E402

from bot.progress import ProgressBar  # noqa: E402

Results = dict[str, list[float]]


def timed(
    action: Callable[[], object], runs: int, reset: Callable[[], object] = lambda: None
) -> list[float]:
    """Milliseconds per run (`reset` runs between, untimed)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
        reset()
    return times


def percentiles(times: list[float]) -> tuple[float, float]:
    """Median and 99th percentile."""
    if len(times) == 1:
        return times[0], times[0]
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return statistics.median(times), cuts[98]


def table(results: Results, targets: dict[str, float] | None = None) -> str:
    """The results as a text table, with the p99 target where there is one."""
    targets = targets or {}
    lines = [f"{'operation':<40} {'runs':>5} {'p50 ms':>9} {'p99 ms':>9} {'target':>8}"]
    for name, times in results.items():
        p50, p99 = percentiles(times)
        target = f"≤ {targets[name]:g}" if name in targets else ""
        verdict = " MISSED" if name in targets and p99 > targets[name] else ""
        lines.append(f"{name:<40} {len(times):>5} {p50:>9.3f} {p99:>9.3f} {target:>8}{verdict}")
    return "\n".join(lines)


def stock_tinydb_insert(
    folder: Path, make: Callable[[int], dict[str, Any]], size: int, runs: int = 20
) -> list[float]:
    """One insert into stock tinydb (one JSON file, JSONStorage) that already holds `size` docs."""
    path = folder / "stock.json"
    path.write_text(json.dumps({"_default": {str(n + 1): make(n) for n in range(size)}}))
    stock = TinyDB(path)
    times = []
    with ProgressBar(runs, "stock tinydb inserts") as bar:
        for run in range(runs):
            doc = make(run)
            times += timed(lambda: stock.insert(doc), 1)  # noqa: B023 - called at once
            bar.advance()
    stock.close()
    return times
