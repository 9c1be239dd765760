"""Reminders in chat: `remind`, `reminders`, `done`, `snooze`, `cancel`, and the card's section."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from handlers.context import Context
from handlers.dates import DateContext, parse_duration, parse_when
from handlers.leftovers import ask_about_dates
from handlers.notices import context_for, notify
from handlers.recurrence import Recurrence, parse_every, schedule, split_recurrence
from handlers.reminder_phrases import party_named_in, split_when_and_text
from handlers.reply import Reply, Section, changed, first_lines, plural, problem
from handlers.verbs import Verb
from storage.models import Party, Person
from storage.reminders import CANCELLED, DONE, Reminder, rolled_forward

EXAMPLE = "remind me tomorrow 10am to send the quote to Acme"
EVERY_EXAMPLE = "remind me every monday 9am to review open quotes"
MAX_TEXT = 1000
PAGE = 20
SNOOZE_DEFAULT = timedelta(hours=1)


def owner_dates(ctx: Context, owner: Person) -> DateContext:
    """Dates as the owner reads them: a reminder for Nick in New York is set on Nick's clock."""
    return DateContext(
        now=ctx.now,
        tz=ctx.tz_of(owner),
        work_hour=ctx.team.work_hour,
        date_order=ctx.team.date_order,
    )


@dataclass(frozen=True)
class Repeat:
    """How a reminder repeats: its rule, the words that said it, and the zone it runs in."""

    rule: str
    said: str
    zone: str


def remind(ctx: Context, _word: str, rest: str) -> Reply:
    """`remind me|@person <when> to <text>`, `… to <text> <when>`, `… every monday 9am to …`."""
    who, _, rest = rest.strip().partition(" ")
    owner = ctx.person if who.lower() in ("me", "myself") else ctx.team.find(who)
    if owner is None:
        return problem(f"Remind whom? “{who}” is not one of the team; say me or @name.", EXAMPLE)
    dates = owner_dates(ctx, owner)
    every, body = split_recurrence(rest.strip())
    recurrence = parse_every(every, dates) if every else None
    if recurrence is not None:
        return _remind_every(ctx, owner, recurrence, body, dates)
    found = split_when_and_text(rest.strip(), dates)
    leftover = found[1] if found and found[0] else rest
    if unread := ask_about_dates([leftover], dates, "future", True, EXAMPLE):
        return unread
    if every and (found is None or found[0] is None):
        return problem(f"I couldn't read “{every}” as a repeat.", EVERY_EXAMPLE)
    if found is None:
        return problem("When, and what about?", EXAMPLE)
    when, text = found
    if when is None:
        return problem(f"When should I remind {_whom(ctx, owner)}?", EXAMPLE)
    return set_reminder(ctx, owner, when, text.strip(" ,;:"))


def _remind_every(
    ctx: Context, owner: Person, recurrence: Recurrence, body: str, dates: DateContext
) -> Reply:
    rule, first = schedule(recurrence, dates)
    text = re.sub(r"^(?:to|about|that)\s+", "", body.strip(), flags=re.I)
    if unread := ask_about_dates([text], dates, "future", True, EVERY_EXAMPLE):
        return unread
    repeat = Repeat(rule, recurrence.text, str(dates.tz))
    return set_reminder(ctx, owner, first, text.strip(" ,;:"), repeat)


def _whom(ctx: Context, owner: Person) -> str:
    return "you" if owner == ctx.person else owner.name


def reminder_problem(ctx: Context, owner: Person, due: datetime, text: str) -> Reply | None:
    """Why this reminder can't be set: its time has passed, or its text is empty or too long."""
    if due <= ctx.now:
        return problem(f"{ctx.show_time(due)} has already passed.", EXAMPLE)
    if not text.strip():
        return problem(f"What should I remind {_whom(ctx, owner)} of?", EXAMPLE)
    if len(text) > MAX_TEXT:
        return problem(f"That reminder is too long ({len(text)} characters; {MAX_TEXT} max).")
    return None


def set_reminder(
    ctx: Context, owner: Person, due: datetime, text: str, every: Repeat | None = None
) -> Reply:
    """Remind `owner` of `text` at `due` (then as `every` says): the one place for a reminder's
    checks, its write (the owner told when someone else set it) and its reply.

    `text` is kept as given; a party it clearly names is linked.
    """
    if refused := reminder_problem(ctx, owner, due, text):
        return refused
    party = party_named_in(ctx, text)
    reminder = Reminder(
        id=0,
        owner=owner.name,
        text=text,
        due=due.isoformat(),
        created_by=ctx.person.name,
        created_at=ctx.now.isoformat(),
        party_id=party.id if party else None,
        recurrence=every.rule if every else None,
        recurrence_text=every.said if every else "",
        timezone=every.zone if every else str(ctx.tz_of(owner)),
    )
    with ctx.store.change(ctx.actor(), f"Set a reminder for {owner.name}: {text}") as change:
        reminder_id = change.add(reminder)
        if owner != ctx.person:
            notify(
                ctx, change, owner.name, _heads_up(ctx, owner, replace(reminder, id=reminder_id))
            )
    return _set_reply(ctx, owner, replace(reminder, id=reminder_id), party, change.entry_id)


def _set_reply(
    ctx: Context, owner: Person, reminder: Reminder, party: Party | None, entry_id: int | None
) -> Reply:
    theirs = context_for(ctx.store, ctx.team, owner, ctx.now)
    for_whom = "" if owner == ctx.person else f" for {owner.name}"
    title = f"Reminder {reminder.id}{for_whom}: {theirs.show_time(reminder.due)} — {reminder.text}"
    fields = []
    if reminder.recurrence_text:
        fields.append(("Repeats", reminder.recurrence_text))
    if party is not None:
        fields.append(("Party", party.name))
    if theirs.tz != ctx.tz:
        fields.append(("Your time", ctx.show_time(reminder.due)))
    reply = changed(title, entry_id)
    return replace(reply, sections=(Section(fields=tuple(fields)),) if fields else ())


def _heads_up(ctx: Context, owner: Person, reminder: Reminder) -> Reply:
    """What the owner of a reminder someone else set is told at once."""
    theirs = context_for(ctx.store, ctx.team, owner, ctx.now)
    title = f"{ctx.person.name} set you reminder {reminder.id}: {reminder.text}"
    fields = [("Due", theirs.show_time(reminder.due))]
    if reminder.recurrence_text:
        fields.append(("Repeats", reminder.recurrence_text))
    return Reply(title=title, sections=(Section(fields=tuple(fields)),))


def reminder_line(ctx: Context, reminder: Reminder, with_owner: bool = False) -> str:
    """'12 · Fri 27 Nov 2026, 09:00 CET · send the quote to Acme · overdue'."""
    parts = [str(reminder.id), ctx.show_time(reminder.due)]
    parts.append(f"{reminder.owner}: {reminder.text}" if with_owner else reminder.text)
    party = ctx.store.parties.get(reminder.party_id) if reminder.party_id is not None else None
    if party is not None and party.name.casefold() not in reminder.text.casefold():
        parts.append(party.name)
    if reminder.recurrence_text:
        parts.append(reminder.recurrence_text)
    if reminder.due_at < ctx.now:
        parts.append("overdue")
    return " · ".join(parts)


def reminders(ctx: Context, _word: str, rest: str) -> Reply:
    """`reminders [mine|@person|all|overdue]`: open reminders, soonest first."""
    words = [w.lower() for w in rest.split()]
    overdue = bool({"overdue", "late"} & set(words))
    scope = [w for w in words if w not in ("overdue", "late", "open")]
    everyone = bool({"all", "team", "everyone"} & set(scope))
    person = ctx.person
    named = [w for w in scope if w not in ("all", "team", "everyone", "mine", "my", "me")]
    if named:
        someone = ctx.team.find(named[0])
        if someone is None:
            return problem(f"I don't know anyone called {named[0]}.", "reminders @ana")
        person = someone
    store = ctx.store.reminders
    found = store.open_all() if everyone else store.open_for(person.name)
    if overdue:
        found = [r for r in found if r.due_at < ctx.now]
    who = "the team" if everyone else ("you" if person == ctx.person else person.name)
    adjective = "overdue" if overdue else "open"
    if not found:
        return Reply(title=f"No {adjective} reminders for {who}.")
    lines = first_lines(found, lambda r: reminder_line(ctx, r, with_owner=everyone), PAGE)
    title = f"{plural(len(found), adjective + ' reminder')} for {who}, soonest first:"
    return Reply(title=title, sections=(Section(lines=lines),))


def _target(ctx: Context, text: str, example: str) -> Reminder | Reply:
    """The open reminder `12` or `#12` names, if the person may change it; else the problem."""
    match = re.fullmatch(r"#?(\d{1,9})", text.strip())
    if match is None:
        return problem("Which reminder? Give its number.", example)
    reminder = ctx.store.reminders.get(int(match[1]))
    if reminder is None:
        return problem(f"There is no reminder {match[1]}.", "reminders")
    if not reminder.is_open:
        return Reply(title=f"Reminder {reminder.id} is already {reminder.status}.", ok=False)
    mine = ctx.person.handle in (reminder.owner.casefold(), reminder.created_by.casefold())
    if not (mine or ctx.person.is_manager):
        return problem(
            f"Reminder {reminder.id} is {reminder.owner}'s; only they or a manager can change it."
        )
    return reminder


def done(ctx: Context, _word: str, rest: str) -> Reply:
    """`done <id>`: the reminder is done; a recurring one moves to its next time."""
    reminder = _target(ctx, rest, "done 12")
    if isinstance(reminder, Reply):
        return reminder
    following = rolled_forward(reminder, ctx.now)
    with ctx.store.change(ctx.actor(), f"Done reminder {reminder.id}: {reminder.text}") as change:
        if following is not None:
            change.save(following)
        else:
            change.save(_closed(ctx, reminder, DONE))
    title = f"Done: reminder {reminder.id} — {reminder.text}."
    if following is not None:
        title += f" Next: {ctx.show_time(following.due)}."
    return changed(title, change.entry_id)


def _closed(ctx: Context, reminder: Reminder, status: str) -> Reminder:
    return replace(
        reminder, status=status, closed_at=ctx.now.isoformat(), closed_by=ctx.person.name
    )


def cancel(ctx: Context, _word: str, rest: str) -> Reply:
    """`cancel <id>`: the reminder (every repeat of it) will not fire."""
    reminder = _target(ctx, rest, "cancel 12")
    if isinstance(reminder, Reply):
        return reminder
    with ctx.store.change(
        ctx.actor(), f"Cancelled reminder {reminder.id}: {reminder.text}"
    ) as change:
        change.save(_closed(ctx, reminder, CANCELLED))
    return changed(f"Cancelled reminder {reminder.id}: {reminder.text}.", change.entry_id)


def snooze(ctx: Context, _word: str, rest: str) -> Reply:
    """`snooze <id> [2h|tomorrow|friday 3pm]`: due again later (1 hour when no time is given)."""
    number, _, when_text = rest.strip().partition(" ")
    reminder = _target(ctx, number, "snooze 12 2h")
    if isinstance(reminder, Reply):
        return reminder
    owner = ctx.team.find(reminder.owner) or ctx.person
    until = snooze_until(when_text, owner_dates(ctx, owner))
    if until is None:
        return problem(f"I couldn't read “{when_text}”.", "snooze 12 2h")
    if until <= ctx.now:
        return problem(f"{ctx.show_time(until)} has already passed.", "snooze 12 tomorrow")
    moved = replace(
        reminder, due=until.isoformat(), sending_at=None, delivered_at=None, delivered_ref=""
    )
    with ctx.store.change(ctx.actor(), f"Snoozed reminder {reminder.id}") as change:
        change.save(moved)
    return changed(
        f"Snoozed reminder {reminder.id} to {ctx.show_time(until)}: {reminder.text}.",
        change.entry_id,
    )


def snooze_until(text: str, dates: DateContext) -> datetime | None:
    """'' → in an hour; '2h', '30 min' → that much later; 'tomorrow', 'friday 3pm' → then."""
    text = re.sub(r"^(?:for|until|till|to)\s+", "", text.strip(), flags=re.I)
    if not text:
        return dates.now + SNOOZE_DEFAULT
    span = parse_duration(text)
    if span is not None:
        return dates.now + span
    return parse_when(text, dates, "future")


def open_reminders_section(ctx: Context, party: Party) -> Section | None:
    """The party card's open reminders, everyone's, soonest first."""
    found = ctx.store.reminders.open_of_party(party.id)
    if not found:
        return None
    lines = tuple(reminder_line(ctx, r, with_owner=True) for r in found[:5])
    if len(found) > 5:
        lines += (f"and {len(found) - 5} more",)
    return Section(title="Open reminders", lines=lines)


VERBS = (
    Verb(
        "remind",
        ("remind", "reminder"),
        remind,
        "a reminder for you or someone of the team, once or repeating",
        (EXAMPLE, "remind @maria on friday to approve GreenPack", EVERY_EXAMPLE),
        "Repeats: every monday 9am, every weekday, every 2 weeks, every month on the 1st.",
    ),
    Verb(
        "reminders",
        ("reminders", "todo", "todos"),
        reminders,
        "open reminders: yours, someone's, all, or the overdue ones",
        ("reminders", "reminders @ana", "reminders all overdue"),
    ),
    Verb("done", ("done", "complete", "completed"), done, "mark a reminder done", ("done 12",),
         "A repeating reminder moves on to its next time."),
    Verb("snooze", ("snooze", "postpone", "later"), snooze, "move a reminder later (default 1h)",
         ("snooze 12", "snooze 12 2h", "snooze 12 tomorrow")),
    Verb("cancel", ("cancel",), cancel, "cancel a reminder", ("cancel 12",)),
)  # fmt: skip
