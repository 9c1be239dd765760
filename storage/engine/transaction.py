"""A transaction's pending writes, copied as JSON when written and journaled on commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import orjson

from storage.engine import journal, snapshots
from storage.errors import StoreError

Doc = dict[str, Any]


class Documents(Protocol):
    """What a transaction asks of its engine: committed documents, and ids for new ones."""

    def get(self, collection: str, doc_id: int) -> Doc | None: ...

    def _allocate(self, name: str) -> int: ...

    def _reserve(self, name: str, doc_id: int) -> None: ...


class Transaction:
    """The pending writes of one `Database.transaction()` block, journaled together on commit."""

    def __init__(self, db: Documents) -> None:
        self._db = db
        self._pending: dict[tuple[str, int], bytes | None] = {}
        self._schema: int | None = None
        self.aborted = False
        self.closed = False

    def insert(self, collection: str, doc: Doc) -> int:
        """Store a copy of `doc` under a new id, returned at once."""
        text = self._dump(doc)
        doc_id = self._db._allocate(collection)
        self._pending[(collection, doc_id)] = text
        return doc_id

    def put(self, collection: str, doc_id: int, doc: Doc) -> None:
        """Replace the whole document `doc_id` with a copy of `doc`."""
        text = self._dump(doc)
        self._db._reserve(collection, doc_id)
        self._pending[(collection, doc_id)] = text

    def delete(self, collection: str, doc_id: int) -> None:
        self._check_open()
        self._db._reserve(collection, doc_id)
        self._pending[(collection, doc_id)] = None

    def get(self, collection: str, doc_id: int) -> Doc | None:
        """The document as this transaction would leave it."""
        key = (collection, doc_id)
        if key in self._pending:
            text = self._pending[key]
            return None if text is None else orjson.loads(text)
        return self._db.get(collection, doc_id)

    def _ops(self) -> list[journal.Op]:
        """The journal operations this transaction commits."""
        ops: list[journal.Op] = [
            ("del" if text is None else "put", coll, doc_id, text)
            for (coll, doc_id), text in self._pending.items()
        ]
        if self._schema is not None:
            ops.append(("schema", "", self._schema, None))
        return ops

    def _check_open(self) -> None:
        if self.closed:
            raise StoreError("this transaction has already ended")

    def _dump(self, doc: Doc) -> bytes:
        self._check_open()
        if not isinstance(doc, dict):
            raise TypeError(f"a document is a dict, not {type(doc).__name__}")
        return snapshots.dump_doc(doc)


@contextmanager
def joined(outer: Transaction) -> Iterator[Transaction]:
    """A transaction opened inside another (same thread) joins it: a failure in the inner block
    aborts the outer one too, so nothing of the whole is saved."""
    try:
        yield outer
    except BaseException:
        outer.aborted = True
        raise
