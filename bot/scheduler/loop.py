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

Several workers (PostgreSQL): every worker runs a scheduler over the same agenda. Each
decision and its mark are made under the store's lock (one command at a time across all
workers), so exactly one worker claims each send; the mark names the worker, and the
others settle the marks of a worker that died as above ("unconfirmed"), every SETTLE_EVERY.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from bot.notify import DeliveryError, Notifier, channel_for
from bot.scheduler.agenda import Agenda, Key
from bot.scheduler.alerts import ALERT, Alerts
from bot.scheduler.records import due_at_prompt, interrupted, recover_interrupted
from bot.scheduler.timing import delivery_time, digest_key, digest_time, escalation_time
from handlers.context import Team
from handlers.digest import build_digest
from handlers.followups import escalation_message
from handlers.notices import SYSTEM, context_for, notify, reminder_message
from handlers.reply import Reply, drawn
from handlers.reports.weekly import delivered_reply, queue_weekly, weekly_time
from handlers.terms.compliance import POLICY_CHECK
from storage.deliveries import Delivery
from storage.models import Person
from storage.reminders import UNCONFIRMED, Reminder, rolled_forward
from storage.settings import put_setting
from storage.store import Store
from storage.unit_of_work import Actor, Change

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Claimed = tuple[Person, Notifier, Reply]
T = TypeVar("T")
FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)
MAX_SLEEP = 60.0  # seconds: wake at least this often, so clock jumps never strand a reminder
SEND_TIMEOUT = 60.0
ROUNDS = 5  # per pass: a repeat rolled forward is delivered in the same pass
SETTLE_EVERY = timedelta(seconds=10)  # how often to look for sends of workers that died


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
        self.alerts = Alerts(store, team, self.agenda, lambda: self.clock())
        self.alerts.wake = self.wake
        self._attempts: dict[Key, int] = {}
        self._retry_at: dict[Key, datetime] = {}
        self._parked: set[Key] = set()
        self._shown: set[object] = set()
        self._loaded = False
        self._members_seen: tuple[Person, ...] | None = None  # the team the digests were set for
        self._settled_at: datetime | None = None
        self._marked_elsewhere: set[Key] = set()
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
        with self.store.command():
            if self._loaded:
                return
            recover_interrupted(self.store, self.clock())
            for reminder in self.store.reminders.all():
                self._on_reminder(None, reminder)
            for delivery in self.store.deliveries.pending():
                self._on_delivery(None, delivery)
            self._schedule_digests()
            self.store.reminders.watch(self._on_reminder)
            self.store.deliveries.watch(self._on_delivery)
            self.alerts.load()
            self._loaded = True

    def _schedule_digests(self) -> None:
        """A digest for everyone who leads and has none scheduled: at load, and again whenever
        the team changed (a manager added in chat gets theirs without a restart)."""
        members = self.team.members()
        if members is self._members_seen:
            return
        self._members_seen = members
        now = self.clock()
        for person in members:
            if not self.team.leads(person):
                continue
            if self.agenda.when(("digest", person.handle)) is None:
                first = digest_time(self.store, self.team, person, now, True)
                self.agenda.set(("digest", person.handle), first)
            if self.agenda.when(("weekly", person.handle)) is None:
                weekly = weekly_time(self.store, self.team, person, now, True)
                self.agenda.set(("weekly", person.handle), weekly)

    def _on_reminder(self, before: Reminder | None, after: Reminder | None) -> None:
        item = after or before
        assert item is not None
        self._schedule(("reminder", item.id), delivery_time(after) if after else None)
        self._schedule(("escalate", item.id), escalation_time(after, self.team) if after else None)
        sending = after is not None and after.sending_at and after.delivered_at is None
        self._note_mark(("reminder", item.id), after.sending_by if after and sending else "")

    def _on_delivery(self, before: Delivery | None, after: Delivery | None) -> None:
        item = after or before
        assert item is not None
        when = None
        if after is not None and after.pending and not after.sending_at:
            when = datetime.fromisoformat(after.created_at)
        self._schedule(("notice", item.id), when)
        sending = after is not None and after.pending and after.sending_at
        self._note_mark(("notice", item.id), after.sending_by if after and sending else "")

    def _note_mark(self, key: Key, worker: str) -> None:
        """Track sends another worker has marked: if it dies, they are ours to settle."""
        if worker and worker != self.store.worker_id():
            self._marked_elsewhere.add(key)
        else:
            self._marked_elsewhere.discard(key)

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
        self._stopping = False
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
        while not self._stopping:
            self._wakeup.clear()
            try:
                upcoming = await self.run_due()
            except Exception:
                log.exception("scheduler pass failed; trying again shortly")
                upcoming = None
            delay = MAX_SLEEP if upcoming is None else (upcoming - self.clock()).total_seconds()
            if self._marked_elsewhere:  # look again soon in case their worker dies
                delay = min(delay, SETTLE_EVERY.total_seconds())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=min(max(delay, 0.0), MAX_SLEEP))

    async def run_due(self) -> datetime | None:
        """One pass: handle everything due now; the next due time (None: nothing scheduled)."""
        self.load()
        with self.store.command():
            self._schedule_digests()
        await self._settle_gone_workers()
        for _ in range(ROUNDS):
            now = self.clock()
            due = self.agenda.take_due(now)
            if not due:
                break
            for key in due:
                await self._handle(key, now)
        upcoming = self.agenda.next_time()
        return None if upcoming is None else datetime.fromtimestamp(upcoming, UTC)

    async def _settle_gone_workers(self) -> None:
        """Now and then: sends another worker marked and died during count as sent."""
        now = self.clock()
        if not self._marked_elsewhere:
            return
        if self._settled_at is not None and now - self._settled_at < SETTLE_EVERY:
            return
        self._settled_at = now

        def settle() -> None:
            if any(interrupted(self.store)):  # checked again under the lock
                recover_interrupted(self.store, now)

        if any(await asyncio.to_thread(interrupted, self.store)):
            await self._locked(settle)

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
            elif kind == ALERT:
                await self.alerts.fire(ident, now, self._write)
            elif kind == POLICY_CHECK:
                await self.alerts.check(ident, now, self._write)
            elif kind == "weekly":
                await self._weekly(ident, now)
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
        claimed = await self._locked(lambda: self._claim_reminder(key, reminder_id, now))
        if claimed is not None:
            await self._send(key, "reminders", reminder_id, *claimed)

    def _claim_reminder(self, key: Key, reminder_id: int, now: datetime) -> Claimed | None:
        """Under the store's lock (every worker's): decide, and mark the send as this worker's."""
        reminder = self.store.reminders.get(reminder_id)
        if reminder is None or not reminder.is_open or reminder.sending_at:
            return None
        when = delivery_time(reminder)
        if when is None or when > now:  # woken early (a platform added): keep its time
            self._schedule(key, when)
            return None
        if reminder.delivered_at is not None:  # a repeat is due: roll on, deliver next round
            rolled = rolled_forward(reminder, datetime.fromisoformat(reminder.delivered_at))
            if rolled is not None:
                self._commit(f"Reminder {reminder_id} repeats", lambda c: c.save(rolled))
            return None
        found = self._notifier_for(key, reminder.owner)
        if found is None:
            return None
        person, notifier = found
        reply = reminder_message(context_for(self.store, self.team, person, now), reminder)
        self._claim(key, "reminders", reminder_id)
        return person, notifier, reply

    async def _deliver_notice(self, delivery_id: int, _now: datetime) -> None:
        key = ("notice", delivery_id)
        claimed = await self._locked(lambda: self._claim_notice(key, delivery_id))
        if claimed is not None:
            person, notifier, reply = claimed
            reply = await asyncio.to_thread(drawn, reply)  # a weekly chart: outside the lock
            await self._send(key, "deliveries", delivery_id, person, notifier, reply)

    def _claim_notice(self, key: Key, delivery_id: int) -> Claimed | None:
        notice = self.store.deliveries.get(delivery_id)
        if notice is None or not notice.pending or notice.sending_at:
            return None
        found = self._notifier_for(key, notice.to)
        if found is None:
            return None
        self._claim(key, "deliveries", delivery_id)
        person, notifier = found
        return person, notifier, delivered_reply(self.store, self.team, person, notice.reply)

    def _claim(self, key: Key, coll: str, doc_id: int) -> None:
        """The "sending" mark, naming this worker: no other worker sends it while it lives."""
        sending = {"sending_at": self.clock().isoformat(), "sending_by": self.store.worker_id()}
        self._commit(f"Sending {coll[:-1]} {doc_id}", lambda c: c.update(coll, doc_id, **sending))

    async def _send(
        self, key: Key, coll: str, doc_id: int, person: Person, notifier: Notifier, reply: Reply
    ) -> None:
        """Send what this worker claimed, record it; a refused send is unmarked and retried."""
        try:
            sent = await asyncio.wait_for(notifier.deliver(person, reply), SEND_TIMEOUT)
            ref = f"{sent.channel}:{sent.ref}"
        except DeliveryError as error:
            log.warning("could not deliver %s to %s: %s", key, person.name, error)
            self._retry(key, self.clock())
            await self._write(
                f"Retrying {coll[:-1]} {doc_id}",
                lambda c: c.update(coll, doc_id, sending_at=None, sending_by=""),
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
            "sending_by": "",
            "delivered_ref": ref,
        }
        await self._write(
            f"Delivered {coll[:-1]} {doc_id} to {person.name}",
            lambda c: c.update(coll, doc_id, **delivered),
        )

    def _retry(self, key: Key, now: datetime) -> None:
        """Try again later: 30 s, 1 min, 2 min … at most an hour apart, for ever."""
        attempts = self._attempts[key] = self._attempts.get(key, 0) + 1
        pause = min(FIRST_RETRY * 2 ** (attempts - 1), LAST_RETRY)
        self._retry_at[key] = now + pause
        self.agenda.set(key, now + pause)

    async def _escalate(self, reminder_id: int, now: datetime) -> None:
        await self._locked(lambda: self._escalate_now(reminder_id, now))

    def _escalate_now(self, reminder_id: int, now: datetime) -> None:
        reminder = self.store.reminders.get(reminder_id)
        when = escalation_time(reminder, self.team) if reminder else None
        if reminder is None or when is None or when > now:
            return
        owner = self.team.find(reminder.owner)
        manager = self.team.find(owner.manager) if owner else None
        assert owner is not None and manager is not None
        ctx = context_for(self.store, self.team, manager, now)
        reply = escalation_message(ctx, reminder, owner)

        def escalate(change: Change) -> None:
            change.update("reminders", reminder_id, escalated_at=now.isoformat())
            notify(ctx, change, manager.name, reply, kind="escalation")

        self._commit(f"Escalated follow-up {reminder_id} to {manager.name}", escalate)

    async def _digest(self, handle: str, now: datetime) -> None:
        upcoming = await self._locked(lambda: self._digest_now(handle, now))
        if upcoming is not None:
            self.agenda.set(("digest", handle), upcoming)

    def _digest_now(self, handle: str, now: datetime) -> datetime | None:
        """Send today's digest unless a worker did; when the next one is due."""
        person = self.team.find(handle)
        if person is None:
            return None
        upcoming = digest_time(self.store, self.team, person, now)
        if upcoming <= now:
            ctx = context_for(self.store, self.team, person, now)
            reply, items = build_digest(ctx)
            day = now.astimezone(ctx.tz).date().isoformat()

            def record(change: Change) -> None:
                put_setting(change, self.store.settings, digest_key(person), day)
                if items:
                    notify(ctx, change, person.name, reply, kind="digest")

            self._commit(f"Daily digest for {person.name}", record)
            upcoming = digest_time(self.store, self.team, person, now)
        return upcoming

    def _commit(self, summary: str, write: Callable[[Change], None]) -> None:
        """One change as Rapport (in the calling thread)."""
        actor = Actor(SYSTEM, "scheduler", self.clock().isoformat())
        with self.store.change(actor, summary) as change:
            write(change)

    async def _weekly(self, handle: str, now: datetime) -> None:
        """A lead's weekly charts, queued once for the week they fall due in."""
        person = self.team.find(handle)
        upcoming = weekly_time(self.store, self.team, person, now) if person else None
        if person is not None and upcoming is not None and upcoming <= now:
            due = upcoming
            await self._write(
                f"Weekly report for {person.name}",
                lambda c: queue_weekly(self.store, self.team, person, due, c),
            )
            upcoming = weekly_time(self.store, self.team, person, now)
        self.agenda.set(("weekly", handle), upcoming)

    async def _write(self, summary: str, write: Callable[[Change], None]) -> None:
        """One change as Rapport, off the event loop (the store fsyncs)."""
        await asyncio.to_thread(self._commit, summary, write)

    async def _locked(self, decide: Callable[[], T]) -> T:
        """Decide and write under the store's lock, so that of all the workers one does it."""

        def run() -> T:
            with self.store.command():
                return decide()

        return await asyncio.to_thread(run)

    def at_prompt(self, person: Person) -> list[Reply]:
        """What fell due for the person, shown by `rapport chat` before its next prompt."""
        replies = due_at_prompt(self.store, self.team, person, self.clock(), self._shown)
        return [drawn(reply) for reply in replies]
