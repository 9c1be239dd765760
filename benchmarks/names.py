"""What the name normal form (NFKC, invisible characters removed) costs per name key.

Run by hand from the repository root: `python benchmarks/names.py`. The baseline is the
previous `name_key` (case and punctuation folded only), measured in the same run on the
same 100,000 names: two in three ASCII ("Party 00042 GmbH"), one in three accented
("Müller & Söhne 42"). Target: a name key stays well under 5 µs, so that indexing
100,000 parties at start costs well under half a second.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.models import name_key  # noqa: E402

NAMES = [
    f"Müller & Söhne {n}" if n % 3 == 0 else f"Party {n:05} GmbH, Ltd." for n in range(100_000)
]
ROUNDS = 7


def baseline_key(name: str) -> str:
    """`name_key` before look-alike names were folded."""
    return " ".join(name.casefold().replace(",", " ").replace(".", " ").split())


def per_name(key: Callable[[str], str]) -> list[float]:
    """Microseconds per name, one sample per round over all the names."""
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for name in NAMES:
            key(name)
        samples.append((time.perf_counter() - start) / len(NAMES) * 1e6)
    return samples


def main() -> None:
    base, new = per_name(baseline_key), per_name(name_key)
    for label, samples in (("baseline name key", base), ("name_key (NFKC)", new)):
        print(
            f"{label:20} median {statistics.median(samples):.2f} µs"
            f"  worst round {max(samples):.2f} µs"
        )
    print(f"ratio {statistics.median(new) / statistics.median(base):.2f}× the baseline")


if __name__ == "__main__":
    main()
