"""The `rapport` command as a newcomer runs it: `python -m bot …` in a folder of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-25T14:37:00+01:00"

CONFIG = """
[store]
path = "data"

[defaults]
timezone = "Europe/Berlin"

[[people]]
name = "Ana"
role = "rep"
manager = "Maria"

[[people]]
name = "Maria"
role = "manager"
timezone = "America/New_York"
"""


def rapport(
    *args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


@contextmanager
def chatting(cwd: Path, *args: str) -> Iterator[str]:
    """A `rapport chat` process that owns the store while the block runs; yields its first reply."""
    holder = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", *args],
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.write("whoami\n")
        holder.stdin.flush()
        yield holder.stdout.readline()
    finally:
        holder.terminate()
        holder.wait(timeout=10)
