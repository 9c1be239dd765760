"""`team`: who is on the team, and adding, changing and removing people in chat.

Admins change anyone added in chat; a manager changes only their own reports and gives no role
above their own. People the config lists are changed in the config, which wins.
"""

from __future__ import annotations

import re
from dataclasses import replace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers import joins, roster
from handlers.context import Context
from handlers.parsing import Args, first_word, split_args
from handlers.reply import Reply, Section, changed, problem
from handlers.verbs import Verb
from storage.models import PERSON_ROLES, Person

NAME = re.compile(r"^@?([\w.-]+)$")
ADD_EXAMPLE = "team add @jane as rep manager:@maria tz:Europe/Paris"


class Refused(Exception):
    """The change is not allowed or not understood; the message says why."""


def team(ctx: Context, _word: str, rest: str) -> Reply:
    """`team`, `team add …`, `team set …`, `team remove …`."""
    action, rest = first_word(rest)
    steps = {"add": add, "set": change, "remove": remove, "ignore": ignore}
    if not action or action in ("list", "show"):
        return listing(ctx)
    if action not in steps:
        return problem(f"I don't know “team {action}”.", ADD_EXAMPLE)
    if not ctx.person.is_manager:
        return problem("Only admins and managers change the team.")
    try:
        return steps[action](ctx, split_args(rest))
    except Refused as refused:
        return problem(str(refused))


def listing(ctx: Context) -> Reply:
    """Everyone served, with role, manager and where they are reached."""
    lines = []
    for person in sorted(ctx.team.members(), key=lambda p: p.handle):
        where = [
            w for w in ("Slack" if person.slack else "", "Telegram" if person.telegram else "") if w
        ]
        extra = f", reports to {person.manager}" if person.manager else ""
        lines.append(
            f"{person.name}: {person.role}{extra}" + (f" ({', '.join(where)})" if where else "")
        )
    gone = [p.name for p, active, _ in ctx.store.people.stored() if not active]
    sections = [Section(lines=tuple(lines))]
    if gone:
        sections.append(Section(title="Removed", lines=(", ".join(gone),)))
    return Reply(title=f"The team: {len(lines)} people.", sections=tuple(sections))


def add(ctx: Context, args: Args) -> Reply:
    """`team add @jane as rep manager:@maria tz:Europe/Paris [slack:U…] [telegram:123]`."""
    words = [w for w in args.words if w.lower() != "as"]
    if not words:
        raise Refused(f"Add whom? Try: {ADD_EXAMPLE}")
    if len(words) > 2:
        raise Refused(f"I don't understand “{' '.join(words[2:])}”. Try: {ADD_EXAMPLE}")
    name = _name(words[0])
    role = (args.fields.get("role") or (words[1] if len(words) > 1 else "rep")).lower()
    if ctx.team.find(name) is not None:
        raise Refused(f"{name} is already on the team; change them with team set @{name} role:…")
    default_manager = ctx.person.name if ctx.person.role == "manager" else ""
    person = _with_fields(
        ctx, Person(name=name, role=role, timezone="", manager=default_manager), args
    )
    _check(ctx, person)
    with ctx.store.change(ctx.actor(), f"Added {person.name} to the team as {person.role}") as step:
        roster.put_member(step, ctx.store, person, "chat")
        joins.settle(step, ctx.store, person, "added")
        roster.welcome(step, person, ctx.person.name, ctx.now.isoformat())
    told = " I've told them." if person.slack or person.telegram else ""
    return changed(f"{person.name} is on the team as {person.role}.{told}", step.entry_id)


def change(ctx: Context, args: Args) -> Reply:
    """`team set @jane role:manager [manager:@x] [tz:…] [slack:…] [telegram:…]`."""
    current = _chat_member(ctx, args)
    updated = _with_fields(ctx, current, args)
    if updated == current:
        raise Refused("Nothing to change. Try: team set @jane role:manager")
    _check(ctx, updated, current)
    with ctx.store.change(ctx.actor(), f"Changed {current.name} on the team") as step:
        roster.put_member(step, ctx.store, updated, "chat")
    return changed(
        f"{updated.name}: {updated.role}"
        + (f", reports to {updated.manager}." if updated.manager else "."),
        step.entry_id,
    )


def remove(ctx: Context, args: Args) -> Reply:
    """`team remove @jane`: no longer served; parties and history stay, reminders move."""
    person = _chat_member(ctx, args)
    if person.handle == ctx.person.handle:
        raise Refused("You can't remove yourself.")
    if ctx.person.role != "admin" and person.manager.casefold() != ctx.person.handle:
        raise Refused(f"{person.name} doesn't report to you; ask an admin or their manager.")
    heir = ctx.team.find(person.manager) or ctx.person
    with ctx.store.change(ctx.actor(), f"Removed {person.name} from the team") as step:
        roster.deactivate(step, ctx.store, person.handle)
        moved = roster.hand_over_reminders(step, ctx.store, person.handle, heir.name)
        for report in ctx.team.reports_of(person):
            if report.handle not in {p.handle for p in ctx.team.people}:
                roster.put_member(step, ctx.store, replace(report, manager=heir.name), "chat")
    note = f" Their {moved} open reminders went to {heir.name}." if moved else ""
    return changed(
        f"{person.name} is no longer on the team; their history stays.{note}", step.entry_id
    )


def ignore(ctx: Context, args: Args) -> Reply:
    """`team ignore slack:U…` (the join request's Ignore button): no more requests from them."""
    key = joins.key_of(args.fields)
    if key is None or not joins.pending(ctx.store, key):
        raise Refused("There is no join request like that.")
    with ctx.store.change(ctx.actor(), f"Ignored the join request of {key}") as step:
        joins.mark(step, ctx.store, key, "ignored")
    return changed("Ignored; they won't be asked about again.", step.entry_id)


def _name(word: str) -> str:
    match = NAME.match(word)
    if match is None:
        raise Refused(f"“{word}” can't be a name: one word, like @jane.")
    return match[1]


def _chat_member(ctx: Context, args: Args) -> Person:
    """The person named first, who must be on the team and added in chat."""
    if not args.words:
        raise Refused("Whom? Try: team set @jane role:manager")
    name = _name(args.words[0])
    person = ctx.team.find(name)
    if person is None:
        raise Refused(f"Nobody on the team is called {name}.")
    if any(p.handle == person.handle for p in ctx.team.people):
        raise Refused(f"{person.name} is listed in the config file; change them there.")
    return person


def _with_fields(ctx: Context, person: Person, args: Args) -> Person:
    """The person with the fields the line gives (role, manager, tz, slack, telegram)."""
    found = args.fields
    values: dict[str, object] = {}
    if "role" in found:
        values["role"] = found["role"].lower()
    if "manager" in found:
        boss = ctx.team.find(found["manager"]) if found["manager"].lstrip("@") else None
        if found["manager"].lstrip("@") and boss is None:
            raise Refused(f"Nobody on the team is called {found['manager'].lstrip('@')}.")
        values["manager"] = boss.name if boss else ""
    zone = found.get("tz") or found.get("timezone")
    if zone:
        try:
            values["timezone"] = str(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise Refused(f"I don't know the time zone “{zone}”.") from None
    if "slack" in found:
        values["slack"] = found["slack"].lstrip("@").upper()
    if "telegram" in found:
        if not found["telegram"].isdigit():
            raise Refused("telegram: takes the numeric Telegram user id, like telegram:123456.")
        values["telegram"] = int(found["telegram"])
    return replace(person, **values)  # type: ignore[arg-type]


def _check(ctx: Context, person: Person, before: Person | None = None) -> None:
    """Roles exist, ids are not someone else's, and the actor may make this change."""
    if person.role not in PERSON_ROLES:
        raise Refused(f"{person.role} is not a role; roles: {', '.join(PERSON_ROLES)}.")
    for other in ctx.team.members():
        if other.handle == person.handle:
            continue
        if person.slack and other.slack == person.slack:
            raise Refused(f"That Slack account is already {other.name}'s.")
        if person.telegram and other.telegram == person.telegram:
            raise Refused(f"That Telegram account is already {other.name}'s.")
    if person.manager.casefold() == person.handle:
        raise Refused("Nobody can be their own manager.")
    actor = ctx.person
    if actor.role == "admin":
        return
    if roster.ROLE_RANK[person.role] > roster.ROLE_RANK[actor.role]:
        raise Refused(f"A {actor.role} can't make anyone {person.role}; ask an admin.")
    if before is not None and before.manager.casefold() != actor.handle:
        raise Refused(f"{before.name} doesn't report to you; ask an admin or their manager.")
    if person.manager.casefold() != actor.handle:
        raise Refused("A manager adds and keeps people in their own team (manager: is you).")


VERBS = (
    Verb(
        "team",
        ("team", "people"),
        team,
        "who is on the team; admins and managers add, change and remove people",
        (
            "team",
            ADD_EXAMPLE,
            "team add @tom as buyer telegram:123456789",
            "team set @jane role:manager",
            "team remove @jane",
        ),
        "Roles: rep, buyer, manager, admin. A manager manages their own reports. "
        "People in the config file are changed there.",
    ),
)
