"""Shard files and state.json: atomic writes, and loading a store (snapshots + journal replay)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage import journal
from storage.errors import StoreCorrupt

STATE = "state.json"
SHARD_FILE = re.compile(r"^(0|[1-9][0-9]*)\.json$")

Doc = dict[str, Any]
# shard name ("0", "1", ...) -> {str(id): doc}
Shards = dict[str, dict[str, Doc]]


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


def dumps(value: Any) -> str:
    """Compact, strict JSON."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` whole: temp file in the same folder, fsync, rename (caller fsyncs folder)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
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
    write_atomic(folder / STATE, dumps(body).encode())
    journal.fsync_dir(folder)


def write_shards(folder: Path, shards: Mapping[str, Mapping[str, Doc]]) -> None:
    """Write the given shards of one collection atomically, creating its folder if needed."""
    if not folder.is_dir():
        folder.mkdir()
        journal.fsync_dir(folder.parent)
    for name, docs in shards.items():
        write_atomic(folder / f"{name}.json", dumps(docs).encode())
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
    data = _read_json(path)
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


def read_shards(folder: Path, shard_size: int) -> Shards:
    """Every shard file of one collection, checked."""
    shards: Shards = {}
    if not folder.is_dir():
        return shards
    for path in sorted(folder.iterdir()):
        match = SHARD_FILE.match(path.name)
        if match:
            name = match.group(1)
            shards[name] = _check_shard(path, _read_json(path), int(name), shard_size)
    return shards


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except OSError as exc:
        raise StoreCorrupt(f"cannot read {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise StoreCorrupt(
            f"{path} is damaged (invalid JSON: {exc}); it was left as it is"
        ) from exc


def _check_shard(path: Path, data: Any, shard: int, shard_size: int) -> dict[str, Doc]:
    if not isinstance(data, dict):
        raise StoreCorrupt(f"{path} is damaged (not a JSON object); it was left as it is")
    for key, doc in data.items():
        canonical = key.isascii() and key.isdigit() and key == str(int(key))
        if not canonical or int(key) // shard_size != shard or not isinstance(doc, dict):
            raise StoreCorrupt(f"{path} is damaged (bad entry {key!r}); it was left as it is")
    return data


def load(folder: Path, names: Iterable[str]) -> Loaded | None:
    """Read state, shards and journal; None if the folder holds no store yet."""
    state = read_state(folder)
    journal_path = folder / journal.JOURNAL
    if state is None:
        if journal_path.exists() and journal_path.stat().st_size:
            raise StoreCorrupt(f"{folder / STATE} is missing but {journal_path} is not empty")
        return None
    all_names = {*names, *state.next_ids}
    collections = {name: read_shards(folder / name, state.shard_size) for name in all_names}
    # Journal last: between checkpoints it only grows, so it holds all the shards lack.
    loaded = Loaded(state, state.checkpoint_seq, collections, journal.scan(journal_path))
    _replay(loaded, folder / journal.JOURNAL)
    return loaded


def _replay(loaded: Loaded, path: Path) -> None:
    state, previous = loaded.state, None
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
            _replay_op(loaded, kind, coll, doc_id, doc)
        loaded.seq = record.seq


def _replay_op(loaded: Loaded, kind: str, coll: str, doc_id: int, doc: Doc | None) -> None:
    state = loaded.state
    if kind == "schema":
        state.schema = doc_id
        return
    shard_name = str(doc_id // state.shard_size)
    loaded.touched.setdefault(coll, set()).add(shard_name)
    shard = loaded.collections.setdefault(coll, {}).setdefault(shard_name, {})
    if doc is None:
        shard.pop(str(doc_id), None)
    else:
        shard[str(doc_id)] = doc
    state.next_ids[coll] = max(state.next_ids.get(coll, 1), doc_id + 1)


def write_copy(dest: Path, state: State, collections: Mapping[str, Mapping[str, Any]]) -> None:
    """Write a compacted store (all non-empty shards, state.json, empty journal) into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name, shards in collections.items():
        kept = {shard: docs for shard, docs in shards.items() if docs}
        if kept:
            write_shards(dest / name, kept)
    write_atomic(dest / journal.JOURNAL, b"")
    write_state(dest, state)
    journal.fsync_dir(dest.parent)
