"""The write-ahead journal: one checksummed JSON line per transaction, fsync'd before commit."""

from __future__ import annotations

import logging
import os
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from storage import private
from storage.errors import StoreCorrupt, StoreError

JOURNAL = "journal.log"
OPS = ("put", "del", "schema")
COLLECTION_NAME = re.compile(r"[a-z][a-z0-9_]*")  # also a folder name: nothing like "../"

# (op, collection, id, document as compact JSON bytes or None)
Op = tuple[str, str, int, bytes | None]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Record:
    """One committed transaction as read back from the journal."""

    line: int
    seq: int
    ops: list[list[Any]]


@dataclass
class Scan:
    """What a journal file holds: its good records and where the good part ends."""

    records: list[Record] = field(default_factory=list)
    good_end: int = 0
    size: int = 0


def encode(seq: int, ops: Sequence[Op]) -> bytes:
    """The journal line for one transaction; collection names are plain identifiers."""
    parts = [
        b'["%s","%s",%d,%s]' % (op.encode(), coll.encode(), doc_id, b"null" if doc is None else doc)
        for op, coll, doc_id, doc in ops
    ]
    payload = b'{"seq":%d,"ops":[%s]}' % (seq, b",".join(parts))
    return b"%08x %s\n" % (zlib.crc32(payload), payload)


def decode(line: bytes, line_no: int) -> Record | None:
    """The record on a line (without its newline), or None if the line is damaged."""
    crc, _, payload = line.partition(b" ")
    if len(crc) != 8 or crc != b"%08x" % zlib.crc32(payload):
        return None
    try:
        data = orjson.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict) or not _is_int(data.get("seq")):
        return None
    ops = data.get("ops")
    if not isinstance(ops, list) or not all(_valid_op(op) for op in ops):
        return None
    return Record(line_no, data["seq"], ops)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _valid_op(op: Any) -> bool:
    if not isinstance(op, list) or len(op) != 4:
        return False
    kind, coll, doc_id, doc = op
    if kind not in OPS or not isinstance(coll, str) or not _is_int(doc_id):
        return False
    if kind != "schema" and not COLLECTION_NAME.fullmatch(coll):
        return False
    return isinstance(doc, dict) if kind == "put" else doc is None


def scan(path: Path) -> Scan:
    """Read every record; a damaged last line is left out, a damaged earlier one is fatal."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Scan()
    except OSError as exc:
        raise StoreCorrupt(f"cannot read {path}: {exc.strerror}") from exc
    result = Scan(size=len(data))
    pos, line_no = 0, 0
    while pos < len(data):
        line_no += 1
        end = data.find(b"\n", pos)
        record = decode(data[pos:end], line_no) if end >= 0 else None
        if record is None:
            if end >= 0 and end + 1 < len(data):
                raise StoreCorrupt(
                    f"{path} line {line_no} is damaged (bad checksum or JSON) and more "
                    "records follow it; the file was left as it is"
                )
            break
        result.records.append(record)
        pos = end + 1
    result.good_end = pos
    return result


def drop_torn_tail(path: Path, scan: Scan) -> None:
    """Cut off a damaged last line (an interrupted write) that `scan` left out."""
    if scan.good_end == scan.size:
        return
    log.warning(
        "%s: dropped an incomplete last record (%d bytes) left by an interrupted write",
        path,
        scan.size - scan.good_end,
    )
    with open(path, "r+b") as file:
        file.truncate(scan.good_end)
        os.fsync(file.fileno())


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (new, renamed files) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    """The open journal file: appends lines durably and undoes a line that failed."""

    def __init__(self, path: Path, records: int) -> None:
        self.path = path
        self.records = records
        self.failed: str | None = None
        existed = path.exists()
        self._fd = private.open_file(path, os.O_WRONLY | os.O_APPEND)
        self.size = os.fstat(self._fd).st_size
        if not existed:
            fsync_dir(path.parent)

    def append(self, line: bytes) -> None:
        """Write one line and fsync it; on failure the file is cut back to what it was."""
        if self.failed:
            raise StoreError(self.failed)
        try:
            write_all(self._fd, line)
            os.fsync(self._fd)
        except OSError as exc:
            self._cut_back(exc)
            raise StoreError(
                f"could not save the change to {self.path}: {exc.strerror or exc}; "
                "nothing was changed"
            ) from exc
        self.size += len(line)
        self.records += 1

    def _cut_back(self, cause: OSError) -> None:
        try:
            os.ftruncate(self._fd, self.size)
            os.fsync(self._fd)
        except OSError as exc:
            self.failed = (
                f"the store stopped accepting changes: a failed write to {self.path} "
                f"({cause.strerror}) could not be undone ({exc.strerror}); restart to recover"
            )
            log.error(self.failed)

    def reset(self) -> None:
        """Start an empty journal, replacing the old file atomically."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = private.open_file(tmp, os.O_WRONLY | os.O_TRUNC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        try:
            new_fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
            os.close(self._fd)
            self._fd, self.size, self.records = new_fd, 0, 0
            fsync_dir(self.path.parent)
        except OSError as exc:
            # Appends would go to the replaced file, or to a name that may not survive a crash.
            self.failed = (
                f"the store stopped accepting changes: starting a new {self.path} failed "
                f"({exc.strerror}); restart to recover"
            )
            log.error(self.failed)
            raise

    def close(self) -> None:
        """Close the file; idempotent."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written (it may write only part)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
