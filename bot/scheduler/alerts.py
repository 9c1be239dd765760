"""The scheduler's part for dated alerts (deal close dates, contract notices, certificate expiry)
and for suppliers that start failing a policy.

Every deal, contract and certificate is indexed in the scheduler's agenda at its next alert;
when that comes, one change marks the alert and queues its notices in the outbox, so each is
announced exactly once and one missed while the bot was down goes out when it is back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.scheduler.agenda import Agenda
from handlers.alerts import DEALS, alert_notices, pending_alerts
from handlers.context import Team
from handlers.notices import context_for, notify
from handlers.terms.compliance import POLICY_CHECK, check_policies, needs_check, policy_check_time
from storage.contracts import CERTS, CONTRACTS
from storage.store import Store
from storage.unit_of_work import Change

Write = Callable[[str, Callable[[Change], None]], Awaitable[None]]
ALERT = "alert"
WATCHED = (DEALS, CONTRACTS, CERTS)


class Alerts:
    """Keeps `("alert", (collection, id))` and `("policy", party_id)` keys in the agenda."""

    def __init__(self, store: Store, team: Team, agenda: Agenda, clock: Callable[[], datetime]):
        self.store = store
        self.team = team
        self.agenda = agenda
        self.clock = clock
        self.wake: Callable[[], None] = lambda: None
        self._loading = False

    def load(self) -> None:
        """Index every document now and every change from now on (under the store's lock)."""
        for coll in WATCHED:
            repository = self._repository(coll)
            for doc in repository.all():
                self._index(coll, doc)
            repository.watch(lambda before, after, coll=coll: self._on_change(coll, before, after))
        for party in self.store.parties.all():
            self._check_later(party.id)
        self._loading = True  # registering replays every party: their checks are set above
        self.store.on_change("parties", self._on_party)
        self._loading = False

    def _repository(self, coll: str) -> Any:
        found = {DEALS: self.store.deals, CONTRACTS: self.store.contracts, CERTS: self.store.certs}
        return found[coll]

    def _on_change(self, coll: str, before: Any, after: Any) -> None:
        item = after or before
        if after is None:
            self.agenda.set((ALERT, (coll, item.id)), None)
        else:
            self._index(coll, after)
        if coll == CERTS:
            self._check_later(item.party_id)

    def _on_party(self, _coll: str, doc_id: int, _before: Any, _after: Any) -> None:
        if not self._loading:
            self._check_later(doc_id)

    def _check_later(self, party_id: int, now: datetime | None = None) -> None:
        when = policy_check_time(self.store, self.team, party_id, now or self.clock())
        self._schedule((POLICY_CHECK, party_id), when)

    def _index(self, coll: str, doc: Any) -> None:
        found = pending_alerts(self.store, self.team, coll, doc, self.clock())
        self._schedule((ALERT, (coll, doc.id)), found[0].due if found else None)

    def _schedule(self, key: Any, when: datetime | None) -> None:
        if self.agenda.set(key, when):
            self.wake()

    async def fire(self, ident: tuple[str, int], now: datetime, write: Write) -> None:
        """Announce the document's alerts due by now, marked in the same change."""
        coll, doc_id = ident
        doc = self._repository(coll).get(doc_id)
        if doc is None:
            return
        due = [a for a in pending_alerts(self.store, self.team, coll, doc, now) if a.due <= now]
        if due:

            def announce(change: Change) -> None:
                for alert in due:
                    self.store.alerts.mark(change, alert.key, now.isoformat())
                    for name, reply in alert_notices(self.store, self.team, coll, doc, alert, now):
                        person = self.team.find(name)
                        assert person is not None
                        ctx = context_for(self.store, self.team, person, now)
                        notify(ctx, change, name, reply, kind="alert")

            await write(f"Alerts for {coll[:-1]} {doc_id}", announce)
        self._index(coll, doc)
        if coll == CERTS:
            self._check_later(doc.party_id, now)

    async def check(self, party_id: int, now: datetime, write: Write) -> None:
        """Tell the managers when the party starts failing a policy; forget ones it passes."""
        if needs_check(self.store, self.team, party_id, now):

            def record(change: Change) -> None:
                check_policies(self.store, self.team, change, party_id, now)

            await write(f"Policy check of party {party_id}", record)
        later = policy_check_time(self.store, self.team, party_id, now)
        self._schedule((POLICY_CHECK, party_id), later if later is None or later > now else None)
