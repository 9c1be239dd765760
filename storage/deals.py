"""Where deals are kept, indexed by party, owner, open stage and title, and their stage history."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from storage.engine.port import Engine
from storage.models import from_doc, name_key
from storage.prefixes import PrefixIndex

COLLECTION = "deals"
WON, LOST = "won", "lost"
CLOSED_STAGES = (WON, LOST)


@dataclass(frozen=True)
class Deal:
    """A sale in progress with a customer: value, stage, expected close date, who owns it.

    `close` is a calendar day (YYYY-MM-DD) in the owner's zone; `history` holds every stage
    the deal entered, with when and by whom, so the pipeline can say what changed.
    """

    COLLECTION: ClassVar[str] = COLLECTION

    id: int
    party_id: int
    title: str
    value: int
    currency: str
    stage: str
    owner: str
    close: str = ""
    opened_at: str = ""
    opened_by: str = ""
    closed_at: str | None = None
    reason: str = ""
    history: tuple[dict[str, str], ...] = ()

    @property
    def is_open(self) -> bool:
        return self.stage not in CLOSED_STAGES

    def stage_at(self, iso: str) -> str | None:
        """The stage the deal was in at that moment (None: not opened yet)."""
        found = None
        for step in self.history:
            if step["at"] > iso:
                break
            found = step["stage"]
        return found


Watcher = Callable[[Deal | None, Deal | None], None]


class DealRepository:
    """Every deal in memory, with ids by party, by owner, open ones by stage, and title tails."""

    def __init__(self, db: Engine) -> None:
        self._all: dict[int, Deal] = {}
        self._by_party: dict[int, set[int]] = {}
        self._by_owner: dict[str, set[int]] = {}
        self._open_by_stage: dict[str, set[int]] = {}
        self._titles: dict[str, set[int]] = {}
        self._prefixes = PrefixIndex()
        self._watchers: list[Watcher] = []
        db.on_change(COLLECTION, self._apply)

    def _apply(self, _coll: str, doc_id: int, _before: Any, after: Any) -> None:
        old = self._all.pop(doc_id, None)
        new = None if after is None else from_doc(Deal, doc_id, after)
        same_title = old is not None and new is not None and old.title == new.title
        if old is not None:
            self._by_party[old.party_id].discard(doc_id)
            self._by_owner[old.owner.casefold()].discard(doc_id)
            self._open_by_stage.get(old.stage, set()).discard(doc_id)
            if not same_title:  # a stage move keeps the title: the sorted tails stay put
                self._titles[name_key(old.title)].discard(doc_id)
                self._prefixes.remove([name_key(old.title)], doc_id)
        if new is not None:
            self._all[doc_id] = new
            self._by_party.setdefault(new.party_id, set()).add(doc_id)
            self._by_owner.setdefault(new.owner.casefold(), set()).add(doc_id)
            if new.is_open:
                self._open_by_stage.setdefault(new.stage, set()).add(doc_id)
            if not same_title:
                self._titles.setdefault(name_key(new.title), set()).add(doc_id)
                self._prefixes.add([name_key(new.title)], doc_id)
        for watcher in self._watchers:
            watcher(old, new)

    def watch(self, watcher: Watcher) -> None:
        """Call `watcher(before, after)` for every later change (the scheduler's index)."""
        self._watchers.append(watcher)

    def get(self, deal_id: int) -> Deal | None:
        return self._all.get(deal_id)

    def titled(self, text: str) -> list[Deal]:
        """Deals with exactly this title (any case and spacing), oldest first."""
        return self._sorted(self._titles.get(name_key(text), ()))

    def with_prefix(self, text: str) -> list[Deal]:
        """Deals whose title (or a word of it) starts with `text`, oldest first."""
        key = name_key(text)
        return self._sorted(self._prefixes.find(key)) if key else []

    def of_party(self, party_id: int) -> list[Deal]:
        return self._sorted(self._by_party.get(party_id, ()))

    def of_owner(self, owner: str) -> list[Deal]:
        return self._sorted(self._by_owner.get(owner.casefold(), ()))

    def open_of_owner(self, owner: str) -> list[Deal]:
        return [d for d in self.of_owner(owner) if d.is_open]

    def open_in(self, stage: str) -> list[Deal]:
        return self._sorted(self._open_by_stage.get(stage, ()))

    def count(self) -> int:
        return len(self._all)

    def all(self) -> Iterator[Deal]:
        return iter(self._sorted(self._all))

    def _sorted(self, ids: Any) -> list[Deal]:
        return [self._all[i] for i in sorted(ids)]
