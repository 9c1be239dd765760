"""The reminder scheduler: delivers due reminders and queued notices, daily digests, escalations.

It runs on the asyncio loop and sleeps until the next due time in its agenda (an index by due
time fed by the store's change hooks), so it never scans every reminder.

Delivery guarantee: AT MOST ONCE per reminder occurrence and per notice. Before sending, a
"sending" mark is stored (fsync'd); after the platform takes the message, the delivery is
stored. A send the platform refuses (DeliveryError) clears the mark and is retried with
back-off until it goes through, so it is never lost. If the process dies between the mark and
the record, nobody can tell whether the message went out: on restart it counts as delivered
("unconfirmed") and is not sent again. It still shows in `reminders` and in the digest, as
every open reminder does, so the worst case is a missing ping, never a double one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, cast

from bot.agenda import Agenda, Key
from bot.notify import DeliveryError, Notifier, channel_for, terminal_only
from handlers.context import Team
from handlers.digest import build_digest, leads
from handlers.followups import escalation_message
from handlers.notices import SYSTEM, context_for, notify, reminder_message, reply_from_doc
from handlers.reply import Reply
from storage.deliveries import Delivery
from storage.models import Person
from storage.reminders import UNCONFIRMED, Reminder, next_occurrence, rolled_forward
from storage.settings import put_setting
from storage.store import Actor, Change, Store

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)
MAX_SLEEP = 60.0  # seconds: wake at least this often, so clock jumps never strand a reminder
SEND_TIMEOUT = 60.0
ROUNDS = 5  # per pass: a repeat rolled forward is delivered in the same pass


class Scheduler:
    """Due reminders, notices, digests and escalations for one store and team."""

    def __init__(
        self, store: Store, team: Team, clock: Clock, notifiers: Iterable[Notifier] = ()
    ) -> None:
        self.store = store
        self.team = team
        self.clock = clock
        self.notifiers: dict[str, Notifier] = {n.channel: n for n in notifiers}
        self.agenda = Agenda()
        self._attempts: dict[Key, int] = {}
        self._retry_at: dict[Key, datetime] = {}
        self._parked: set[Key] = set()
        self._shown: set[Key] = set()
        self._loaded = False
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    def add_notifier(self, notifier: Notifier) -> None:
        """Serve one more platform; what waited for it is tried again at once."""
        self.notifiers[notifier.channel] = notifier
        parked, self._parked = self._parked, set()
        for key in parked:
            self.agenda.set(key, self.clock())
        self.wake()

    def load(self) -> None:
        """Settle sends a previous process died during, then index everything still to do."""
        with self.store.lock:
            if self._loaded:
                return
            self._recover(self.clock())
            for reminder in self.store.reminders.all():
                self._on_reminder(None, reminder)
            for delivery in self.store.deliveries.pending():
                self._on_delivery(None, delivery)
            for person in self.team.people:
                if leads(self.team, person):
                    first = self._digest_time(person, self.clock(), first_load=True)
                    self.agenda.set(("digest", person.handle), first)
            self.store.reminders.watch(self._on_reminder)
            self.store.deliveries.watch(self._on_delivery)
            self._loaded = True

    def _recover(self, now: datetime) -> None:
        """At most once: a send interrupted between its mark and its record counts as sent."""
        reminders = [r for r in self.store.reminders.all() if r.sending_at and not r.delivered_at]
        notices = [d for d in self.store.deliveries.pending() if d.sending_at]
        if not reminders and not notices:
            return
        log.warning(
            "counting %d interrupted sends as delivered (unconfirmed), not sending them again",
            len(reminders) + len(notices),
        )
        actor = Actor(SYSTEM, "scheduler", now.isoformat())
        with self.store.change(actor, "Counted interrupted sends as delivered") as change:
            for item in reminders:
                _mark(change, "reminders", item.id, delivered_at=item.sending_at, sending_at=None,
                      delivered_ref=UNCONFIRMED)  # fmt: skip
            for notice in notices:
                _mark(change, "deliveries", notice.id, delivered_at=notice.sending_at,
                      sending_at=None, delivered_ref=UNCONFIRMED)  # fmt: skip

    def _on_reminder(self, before: Reminder | None, after: Reminder | None) -> None:
        item = after or before
        assert item is not None
        self._schedule(("reminder", item.id), self._delivery_time(after) if after else None)
        self._schedule(("escalate", item.id), self._escalation_time(after) if after else None)

    def _on_delivery(self, before: Delivery | None, after: Delivery | None) -> None:
        item = after or before
        assert item is not None
        when = None
        if after is not None and after.pending and not after.sending_at:
            when = datetime.fromisoformat(after.created_at)
        self._schedule(("notice", item.id), when)

    def _delivery_time(self, reminder: Reminder) -> datetime | None:
        """When the reminder next needs sending: its due time, or its next repeat once sent."""
        if not reminder.is_open or reminder.sending_at:
            return None
        if reminder.delivered_at is None:
            return reminder.due_at
        sent = datetime.fromisoformat(reminder.delivered_at)
        return next_occurrence(reminder, max(reminder.due_at, sent))

    def _escalation_time(self, reminder: Reminder) -> datetime | None:
        """An open follow-up goes to the owner's manager escalate_after_days after it fell due."""
        if not (reminder.is_open and reminder.is_follow_up and reminder.escalated_at is None):
            return None
        owner = self.team.find(reminder.owner)
        if owner is None or self.team.find(owner.manager or "-") is None:
            return None
        return reminder.due_at + timedelta(days=self.team.policy.escalate_after_days)

    def _digest_time(self, person: Person, now: datetime, first_load: bool = False) -> datetime:
        """The next digest_time in the person's zone not yet sent; one missed today is due now
        (but a store that never sent one starts with the next)."""
        zone = context_for(self.store, self.team, person, now).tz
        hour, minute = (int(part) for part in self.team.policy.digest_time.split(":"))
        today = now.astimezone(zone).date()
        at_today = datetime.combine(today, time(hour, minute), tzinfo=zone)
        last = self.store.settings.get(f"digest:{person.handle}")
        sent_today = last is not None and last >= today.isoformat()
        if sent_today or (first_load and last is None and at_today <= now):
            return datetime.combine(today + timedelta(days=1), time(hour, minute), tzinfo=zone)
        return at_today

    def _schedule(self, key: Key, when: datetime | None) -> None:
        if when is not None and key in self._retry_at:
            when = max(when, self._retry_at[key])
        self._parked.discard(key)
        if self.agenda.set(key, when):
            self.wake()

    def wake(self) -> None:
        """Look at the agenda again now (safe from any thread)."""
        if self._loop is not None and self._wakeup is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wakeup.set)

    async def start(self) -> None:
        """Settle and index the store now, then run in the background (for `rapport run`)."""
        self.load()
        self._task = asyncio.create_task(self.run(), name="rapport-scheduler")

    async def stop(self) -> None:
        """Finish the delivery in progress and stop."""
        self._stopping = True
        self.wake()
        if self._task is not None:
            await self._task
            self._task = None

    async def run(self) -> None:
        """Deliver what is due, sleep until the next due time or a change, until stop()."""
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        self._stopping = False
        while not self._stopping:
            self._wakeup.clear()
            try:
                upcoming = await self.run_due()
            except Exception:
                log.exception("scheduler pass failed; trying again shortly")
                upcoming = None
            delay = MAX_SLEEP if upcoming is None else (upcoming - self.clock()).total_seconds()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=min(max(delay, 0.0), MAX_SLEEP))

    async def run_due(self) -> datetime | None:
        """One pass: handle everything due now; the next due time (None: nothing scheduled)."""
        self.load()
        for _ in range(ROUNDS):
            now = self.clock()
            due = self.agenda.take_due(now)
            if not due:
                break
            for key in due:
                await self._handle(key, now)
        upcoming = self.agenda.next_time()
        return None if upcoming is None else datetime.fromtimestamp(upcoming, UTC)

    async def _handle(self, key: Key, now: datetime) -> None:
        kind, ident = cast(tuple[str, Any], key)
        try:
            if kind == "reminder":
                await self._deliver_reminder(ident, now)
            elif kind == "notice":
                await self._deliver_notice(ident, now)
            elif kind == "escalate":
                await self._escalate(ident, now)
            elif kind == "digest":
                await self._digest(ident, now)
        except Exception:
            log.exception("scheduler: %s %s failed; retrying later", kind, ident)
            self._retry(key, now)

    def _notifier_for(self, key: Key, name: str) -> tuple[Person, Notifier] | None:
        """The person and the notifier of their channel; parks the key when there is none."""
        person = self.team.find(name)
        notifier = None
        if person is not None:
            notifier = self.notifiers.get(channel_for(person, self.notifiers))
        if person is None or notifier is None or not notifier.can_reach(person):
            log.info("scheduler: no channel reaches %s; %s waits for one", name, key)
            self._parked.add(key)
            return None
        return person, notifier

    async def _deliver_reminder(self, reminder_id: int, now: datetime) -> None:
        key = ("reminder", reminder_id)
        reminder = self.store.reminders.get(reminder_id)
        if reminder is None or not reminder.is_open or reminder.sending_at:
            return
        if reminder.delivered_at is not None:  # a repeat is due: roll on, deliver next round
            rolled = rolled_forward(reminder, datetime.fromisoformat(reminder.delivered_at))
            if rolled is not None and rolled.due_at <= now:
                await self._write(
                    f"Reminder {reminder_id} repeats", lambda c: c.save("reminders", rolled)
                )
            return
        found = self._notifier_for(key, reminder.owner)
        if found is not None:
            person, notifier = found
            reply = reminder_message(context_for(self.store, self.team, person, now), reminder)
            await self._send(key, "reminders", reminder_id, person, notifier, reply)

    async def _deliver_notice(self, delivery_id: int, _now: datetime) -> None:
        key = ("notice", delivery_id)
        notice = self.store.deliveries.get(delivery_id)
        if notice is None or not notice.pending or notice.sending_at:
            return
        found = self._notifier_for(key, notice.to)
        if found is not None:
            person, notifier = found
            await self._send(
                key, "deliveries", delivery_id, person, notifier, reply_from_doc(notice.reply)
            )

    async def _send(
        self, key: Key, coll: str, doc_id: int, person: Person, notifier: Notifier, reply: Reply
    ) -> None:
        """Mark, send, record; a refused send is unmarked and retried with back-off."""
        mark = self.clock().isoformat()
        await self._write(
            f"Sending {coll[:-1]} {doc_id}", lambda c: _mark(c, coll, doc_id, sending_at=mark)
        )
        try:
            sent = await asyncio.wait_for(notifier.deliver(person, reply), SEND_TIMEOUT)
            ref = f"{sent.channel}:{sent.ref}"
        except DeliveryError as error:
            log.warning("could not deliver %s to %s: %s", key, person.name, error)
            self._retry(key, self.clock())
            await self._write(
                f"Retrying {coll[:-1]} {doc_id}", lambda c: _mark(c, coll, doc_id, sending_at=None)
            )
            return
        except Exception:  # a timeout or a notifier bug: it may have gone out, so never resend
            log.exception("delivery of %s to %s is unconfirmed", key, person.name)
            ref = UNCONFIRMED
        self._attempts.pop(key, None)
        self._retry_at.pop(key, None)
        delivered = {
            "delivered_at": self.clock().isoformat(),
            "sending_at": None,
            "delivered_ref": ref,
        }
        await self._write(
            f"Delivered {coll[:-1]} {doc_id} to {person.name}",
            lambda c: _mark(c, coll, doc_id, **delivered),
        )

    def _retry(self, key: Key, now: datetime) -> None:
        """Try again later: 30 s, 1 min, 2 min … at most an hour apart, for ever."""
        attempts = self._attempts[key] = self._attempts.get(key, 0) + 1
        pause = min(FIRST_RETRY * 2 ** (attempts - 1), LAST_RETRY)
        self._retry_at[key] = now + pause
        self.agenda.set(key, now + pause)

    async def _escalate(self, reminder_id: int, now: datetime) -> None:
        reminder = self.store.reminders.get(reminder_id)
        when = self._escalation_time(reminder) if reminder else None
        if reminder is None or when is None or when > now:
            return
        owner = self.team.find(reminder.owner)
        manager = self.team.find(owner.manager) if owner else None
        assert owner is not None and manager is not None
        ctx = context_for(self.store, self.team, manager, now)
        reply = escalation_message(ctx, reminder, owner)

        def escalate(change: Change) -> None:
            _mark(change, "reminders", reminder_id, escalated_at=now.isoformat())
            notify(ctx, change, manager.name, reply, kind="escalation")

        await self._write(f"Escalated follow-up {reminder_id} to {manager.name}", escalate)

    async def _digest(self, handle: str, now: datetime) -> None:
        person = self.team.find(handle)
        if person is None:
            return
        upcoming = self._digest_time(person, now)
        if upcoming <= now:
            ctx = context_for(self.store, self.team, person, now)
            reply, items = build_digest(ctx)
            day = now.astimezone(ctx.tz).date().isoformat()

            def record(change: Change) -> None:
                put_setting(change, self.store.settings, f"digest:{handle}", day)
                if items:
                    notify(ctx, change, person.name, reply, kind="digest")

            await self._write(f"Daily digest for {person.name}", record)
            upcoming = self._digest_time(person, now)
        self.agenda.set(("digest", handle), upcoming)

    async def _write(self, summary: str, write: Callable[[Change], None]) -> None:
        """One change as Rapport, off the event loop (the store fsyncs)."""

        def run() -> None:
            actor = Actor(SYSTEM, "scheduler", self.clock().isoformat())
            with self.store.change(actor, summary) as change:
                write(change)

        await asyncio.to_thread(run)

    def at_prompt(self, person: Person) -> list[Reply]:
        """What fell due for the person at the terminal; recorded as delivered only when the
        terminal is their one channel (otherwise their platform still gets it)."""
        now = self.clock()
        ctx = context_for(self.store, self.team, person, now)
        reminders = [
            r for r in self.store.reminders.open_for(person.name)
            if (when := self._delivery_time(r)) is not None and when <= now
            and ("reminder", r.id, when) not in self._shown
        ]  # fmt: skip
        notices = [
            d for d in self.store.deliveries.pending_for(person.name)
            if not d.sending_at and ("notice", d.id) not in self._shown
        ]  # fmt: skip
        rolled = [_rolled_to(r, self._delivery_time(r)) for r in reminders]
        replies = [reminder_message(ctx, r) for r in rolled]
        replies += [reply_from_doc(d.reply) for d in notices]
        if replies and terminal_only(person):
            actor = Actor(SYSTEM, "terminal", now.isoformat())
            shown = {
                "delivered_at": now.isoformat(),
                "sending_at": None,
                "delivered_ref": "terminal",
            }
            with self.store.change(actor, f"Shown to {person.name} in the terminal") as change:
                for reminder in rolled:
                    _mark(change, "reminders", reminder.id, due=reminder.due, **shown)
                for notice in notices:
                    _mark(change, "deliveries", notice.id, **shown)
        self._shown.update(("reminder", r.id, r.due_at) for r in rolled)
        self._shown.update(("notice", d.id) for d in notices)
        return replies


def build_scheduler(app: App, notifiers: Mapping[str, Notifier], clock: Clock) -> Scheduler:
    """`rapport run`'s scheduler: the app's, on this clock, writing through these notifiers."""
    scheduler = app.scheduler
    scheduler.clock = clock
    for notifier in notifiers.values():
        scheduler.add_notifier(notifier)
    return scheduler


def _rolled_to(reminder: Reminder, due: datetime | None) -> Reminder:
    """A sent repeating reminder shown again at its next occurrence."""
    if reminder.delivered_at is None or due is None:
        return reminder
    return replace(reminder, due=due.isoformat(), delivered_at=None, escalated_at=None)


def _mark(change: Change, coll: str, doc_id: int, **fields: Any) -> None:
    """Set some fields of a stored document, as this change sees it."""
    doc = change.tx.get(coll, doc_id)
    if doc is not None:
        change.put(coll, doc_id, {**doc, **fields})
