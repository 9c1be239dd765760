"""Shard files and state.json: atomic writes, and loading a store (snapshots + journal replay)."""

from __future__ import annotations

import math
import os
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, NoReturn

import orjson

from storage import private
from storage.engine import journal
from storage.errors import StoreCorrupt, StoreError

STATE = "state.json"
SHARD_FILE = re.compile(r"^(0|[1-9][0-9]*)\.json$")

Doc = dict[str, Any]
# shard name ("0", "1", ...) -> {str(id): doc}, each table's keys in ascending id order
Shards = dict[str, dict[str, Doc]]
# a shard file as it was found: (inode, size, mtime in ns)
Stamp = tuple[int, int, int]
# shards to write: documents, or a shard file's bytes
ShardSource = Iterable[tuple[str, Mapping[str, Doc] | bytes]]

# As json.dumps does: int, float, bool and None keys become strings; and as it does (unlike
# orjson by default), datetimes and dataclasses are refused with TypeError.
_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


@dataclass
class State:
    """What state.json records: schema, last checkpointed seq, id counters, shard size."""

    schema: int
    checkpoint_seq: int
    shard_size: int
    next_ids: dict[str, int] = field(default_factory=dict)


@dataclass
class Loaded:
    """A store read from disk: the state after replay, every collection's shards, the journal."""

    state: State
    seq: int
    collections: dict[str, Shards]
    scan: journal.Scan
    # shards the journal changed since the checkpoint: newer in memory than on disk
    touched: dict[str, set[str]] = field(default_factory=dict)
    # cold collections' older shard files, left unparsed: collection -> shard name -> stamp
    lazy: dict[str, dict[str, Stamp]] = field(default_factory=dict)


def dumps(value: Any) -> bytes:
    """Compact JSON (UTF-8) of what is already JSON-safe, such as stored documents."""
    return orjson.dumps(value, option=_OPTIONS)


def dump_doc(doc: Any) -> bytes:
    """Compact, strict JSON of a new document: TypeError or ValueError for what JSON can't hold
    (as json.dumps(..., allow_nan=False) would)."""
    data = orjson.dumps(doc, option=_OPTIONS)
    if b"null" in data and _has_non_finite(doc):  # orjson writes NaN and infinities as null
        raise ValueError("Out of range float values are not JSON compliant")
    return data


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_non_finite(k) or _has_non_finite(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_non_finite(v) for v in value)
    return False


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` whole: temp file in the same folder, fsync, rename (caller fsyncs folder)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = private.open_file(tmp, os.O_WRONLY | os.O_TRUNC)
    try:
        journal.write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def write_state(folder: Path, state: State) -> None:
    """Write state.json atomically and durably."""
    body = {
        "schema": state.schema,
        "checkpoint_seq": state.checkpoint_seq,
        "shard_size": state.shard_size,
        "next_ids": state.next_ids,
    }
    write_atomic(folder / STATE, dumps(body))
    journal.fsync_dir(folder)


def write_shards(folder: Path, shards: ShardSource) -> None:
    """Write the given shards of one collection atomically, creating its folder if needed."""
    wrote = False
    for name, docs in shards:
        if not wrote and not folder.is_dir():
            private.make_folder(folder)
            journal.fsync_dir(folder.parent)
        wrote = True
        write_atomic(folder / f"{name}.json", docs if isinstance(docs, bytes) else dumps(docs))
    if wrote:
        journal.fsync_dir(folder)


def remove_temp_files(folder: Path) -> None:
    """Drop temp files a crashed checkpoint may have left; they are never read."""
    for tmp in [*folder.glob("*.tmp"), *folder.glob("*/*.tmp")]:
        tmp.unlink()


def read_state(folder: Path) -> State | None:
    """state.json, or None for a store that was never created."""
    path = folder / STATE
    if not path.exists():
        return None
    data = _parse(path, read_bytes(path))
    try:
        state = State(
            int(data["schema"]),
            int(data["checkpoint_seq"]),
            int(data["shard_size"]),
            {str(k): int(v) for k, v in data["next_ids"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StoreCorrupt(f"{path} is not a valid store state ({exc!r})") from exc
    if not all(journal.COLLECTION_NAME.fullmatch(name) for name in state.next_ids):
        raise StoreCorrupt(f"{path} names an invalid collection")
    if state.shard_size < 1:
        raise StoreCorrupt(f"{path} has an invalid shard_size {state.shard_size}")
    return state


def read_shards(
    folder: Path, shard_size: int, newest: int | None = None
) -> tuple[Shards, dict[str, Stamp]]:
    """One collection's shard files, checked: all of them, or only the `newest` (a cold
    collection); the others are returned as stamps of their files, to be read when needed."""
    try:
        with os.scandir(folder) as found:
            entries = {m.group(1): e for e in found if (m := SHARD_FILE.match(e.name))}
    except (FileNotFoundError, NotADirectoryError):
        return {}, {}
    except OSError as exc:
        raise StoreCorrupt(f"cannot read {folder}: {exc.strerror}") from exc
    names = sorted(entries, key=int)
    split = 0 if newest is None else max(len(names) - newest, 0)
    lazy = {name: stamp_of(entries[name].stat()) for name in names[:split]}
    shards = {name: read_shard(Path(entries[name].path), shard_size) for name in names[split:]}
    return shards, lazy


def stamp_of(stat: os.stat_result) -> Stamp:
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def read_bytes(path: Path, stamp: Stamp | None = None) -> bytes:
    """A store file's bytes; with a stamp, StoreError if the file is no longer that one."""
    try:
        with open(path, "rb") as file:
            if stamp is not None and stamp_of(os.fstat(file.fileno())) != stamp:
                raise StoreError(
                    f"{path} was rewritten after this store was opened (by the process that "
                    "owns it); open the store again to read it"
                )
            return file.read()
    except OSError as exc:
        raise StoreCorrupt(f"cannot read {path}: {exc.strerror}") from exc


def read_shard(path: Path, shard_size: int, stamp: Stamp | None = None) -> dict[str, Doc]:
    """One shard file, checked, with its documents in ascending id order."""
    shard = int(path.name.partition(".")[0])
    return _check_shard(path, _parse(path, read_bytes(path, stamp)), shard, shard_size)


def _parse(path: Path, data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except ValueError as exc:
        raise StoreCorrupt(
            f"{path} is damaged (invalid JSON: {exc}); it was left as it is"
        ) from exc


def _check_shard(path: Path, data: Any, shard: int, shard_size: int) -> dict[str, Doc]:
    """`data` if it is a valid shard (sorted by id if it is not yet), in a few C-speed passes."""
    if not isinstance(data, dict):
        raise StoreCorrupt(f"{path} is damaged (not a JSON object); it was left as it is")
    joined = "".join(data)
    try:
        ids = list(map(int, data))
    except ValueError:
        _find_bad_entry(path, data, shard, shard_size)
    order = sorted(ids)
    # An ASCII key that int() reads as n is never shorter than str(n), and only as long if it is
    # str(n) (no sign, space, "_" or leading 0): so equal total lengths mean canonical keys.
    if (
        not joined.isascii()
        or (order and (order[0] < shard * shard_size or order[-1] >= (shard + 1) * shard_size))
        or len(joined) != _decimal_length(order)
        or not all(map(isinstance, data.values(), repeat(dict)))
    ):
        _find_bad_entry(path, data, shard, shard_size)
    if order == ids:
        return data
    ordered = sorted(zip(ids, data.items(), strict=True), key=itemgetter(0))
    return dict(item for _, item in ordered)


def _decimal_length(order: list[int]) -> int:
    """The total length of str(n) over ascending non-negative ids."""
    total, start, digits, bound = 0, 0, 1, 10
    while start < len(order):
        end = bisect_left(order, bound, start)
        total += (end - start) * digits
        start, digits, bound = end, digits + 1, bound * 10
    return total


def _find_bad_entry(path: Path, data: dict[str, Any], shard: int, shard_size: int) -> NoReturn:
    for key, doc in data.items():
        canonical = key.isascii() and key.isdigit() and len(key) < 20 and key == str(int(key))
        if not canonical or int(key) // shard_size != shard or not isinstance(doc, dict):
            raise StoreCorrupt(f"{path} is damaged (bad entry {key!r}); it was left as it is")
    raise StoreCorrupt(f"{path} is damaged (bad entries); it was left as it is")


def in_id_order(table: dict[str, Doc]) -> dict[str, Doc]:
    """`table` if its keys are in ascending id order, else a sorted copy."""
    ids = list(map(int, table))
    order = sorted(ids)
    if order == ids:
        return table
    return {str(doc_id): table[str(doc_id)] for doc_id in order}


def load(
    folder: Path, names: Iterable[str], cold: Mapping[str, int] | None = None
) -> Loaded | None:
    """Read state, shards and journal; None if the folder holds no store yet.

    For a cold collection (in `cold`, with how many of its newest shards to read) the older
    shard files are left unparsed (see `Loaded.lazy`) unless the journal changes them."""
    state = read_state(folder)
    journal_path = folder / journal.JOURNAL
    if state is None:
        if journal_path.exists() and journal_path.stat().st_size:
            raise StoreCorrupt(f"{folder / STATE} is missing but {journal_path} is not empty")
        return None
    cold = cold or {}
    loaded = Loaded(state, state.checkpoint_seq, {}, journal.Scan())
    for name in {*names, *state.next_ids}:
        shards, lazy = read_shards(folder / name, state.shard_size, cold.get(name))
        loaded.collections[name] = shards
        if lazy:
            loaded.lazy[name] = lazy
    # Journal last: between checkpoints it only grows, so it holds all the shards lack.
    loaded.scan = journal.scan(journal_path)
    _replay(loaded, folder)
    for coll, touched in loaded.touched.items():
        shards = loaded.collections[coll]
        for shard_name in touched:
            shards[shard_name] = in_id_order(shards[shard_name])
    return loaded


def _replay(loaded: Loaded, folder: Path) -> None:
    state, previous, path = loaded.state, None, folder / journal.JOURNAL
    for record in loaded.scan.records:
        if previous is not None and record.seq != previous + 1:
            raise StoreCorrupt(f"{path} line {record.line}: record {record.seq} follows {previous}")
        previous = record.seq
        if record.seq <= state.checkpoint_seq:
            continue
        if record.seq != loaded.seq + 1:
            raise StoreCorrupt(
                f"{path} line {record.line}: records before {record.seq} are missing"
            )
        for kind, coll, doc_id, doc in record.ops:
            _replay_op(loaded, folder, kind, coll, doc_id, doc)
        loaded.seq = record.seq


def _replay_op(
    loaded: Loaded, folder: Path, kind: str, coll: str, doc_id: int, doc: Doc | None
) -> None:
    state = loaded.state
    if kind == "schema":
        state.schema = doc_id
        return
    shard_name = str(doc_id // state.shard_size)
    loaded.touched.setdefault(coll, set()).add(shard_name)
    shards = loaded.collections.setdefault(coll, {})
    lazy = loaded.lazy.get(coll, {})
    if shard_name in lazy:  # a cold shard the journal changes: it is needed after all
        path = folder / coll / f"{shard_name}.json"
        shards[shard_name] = read_shard(path, state.shard_size, lazy.pop(shard_name))
    shard = shards.setdefault(shard_name, {})
    if doc is None:
        shard.pop(str(doc_id), None)
    else:
        shard[str(doc_id)] = doc
    state.next_ids[coll] = max(state.next_ids.get(coll, 1), doc_id + 1)


def write_copy(dest: Path, state: State, collections: Mapping[str, ShardSource]) -> None:
    """Write a store (the given shards, state.json, empty journal) into `dest`."""
    private.make_folder(dest, parents=True)
    for name, shards in collections.items():
        write_shards(dest / name, shards)
    write_atomic(dest / journal.JOURNAL, b"")
    write_state(dest, state)
    journal.fsync_dir(dest.parent)
