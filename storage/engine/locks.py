"""The store folder's locks: LOCK (one owner process), CHECKPOINT.lock (readers vs checkpoints)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage import private
from storage.errors import StoreLocked

OWNER = "LOCK"
CHECKPOINT = "CHECKPOINT.lock"


def take_owner_lock(folder: Path) -> int:
    """Lock the folder for this process and record our pid; StoreLocked if someone has it."""
    path = folder / OWNER
    fd = private.open_file(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        owner = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise StoreLocked(
            f"the store {folder} is already open in process {owner} (lock file {path}); "
            "stop that process, or open the store read-only"
        ) from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_checkpoint_lock(folder: Path, create: bool) -> int | None:
    """The CHECKPOINT.lock file descriptor (None if absent and not created)."""
    try:
        if create:
            return private.open_file(folder / CHECKPOINT, os.O_RDWR)
        return os.open(folder / CHECKPOINT, os.O_RDONLY)
    except FileNotFoundError:
        return None


@contextmanager
def held(fd: int | None, shared: bool) -> Iterator[None]:
    """Hold a (blocking) flock on `fd` for the block; a None fd means nothing to lock."""
    if fd is None:
        yield
        return
    fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
