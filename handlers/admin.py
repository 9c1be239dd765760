"""Who am I, settings, undo and export."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.context import Context
from handlers.exchange import exports
from handlers.parsing import split_args
from handlers.reply import Reply, Section, changed, problem
from handlers.reports import report
from handlers.verbs import Verb
from storage.errors import InsufficientPoints, UndoConflict


def whoami(ctx: Context, _word: str, _rest: str) -> Reply:
    """`whoami`: name, role, manager, time zone."""
    person = ctx.person
    zone, why = ctx.zone_source(person)
    fields = [("Role", person.role), ("Time zone", f"{zone} ({why})")]
    if person.manager:
        fields.append(("Manager", person.manager))
    fields.append(("Now", ctx.show_time(ctx.now)))
    return Reply(title=f"You are {person.name}.", sections=(Section(fields=tuple(fields)),))


def settings(ctx: Context, _word: str, rest: str) -> Reply:
    """`settings tz:America/New_York`."""
    args = split_args(rest)
    zone_name = args.fields.get("tz") or args.fields.get("timezone")
    if not zone_name:
        return Reply(
            title=f"Your time zone is {ctx.tz}.",
            sections=(Section(lines=("Change it with: settings tz:America/New_York",)),),
        )
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return problem(f"I don't know the time zone “{zone_name}”.", "settings tz:Europe/Berlin")
    with ctx.store.change(ctx.actor(), f"Set time zone to {zone}") as change:
        ctx.store.people.update(change, ctx.person.handle, {"timezone": str(zone)})
    return changed(f"Your time zone is now {zone}.", change.entry_id)


def undo(ctx: Context, _word: str, rest: str) -> Reply:
    """`undo`: take back your own last change (`undo <n>`: that change, from its button)."""
    entry_id = ctx.store.audit.last_undoable(ctx.person.name)
    if rest.strip():
        if not rest.strip().isdigit():
            return problem("Undo takes no words; it takes back your last change.", "undo")
        entry_id = int(rest.strip())
    if entry_id is None or (entry := ctx.store.audit.get(entry_id)) is None:
        return Reply(title="You have no change to undo.", ok=False)
    if entry["by"].casefold() != ctx.person.handle or entry.get("undoes") is not None:
        return problem("You can only undo your own changes.")
    if not ctx.store.audit.reaches(entry_id):
        return problem("That change is too old to undo here; change it back by hand.")
    if ctx.store.audit.is_undone(entry_id):
        return Reply(title=f"Already undone: {entry['summary']}.", ok=False)
    try:
        ctx.store.undo(ctx.actor(), entry_id, f"Undid: {entry['summary']}")
    except UndoConflict:
        return problem(f"“{entry['summary']}” can't be undone: it was changed again since.")
    except InsufficientPoints as short:
        left = f"only {short.balance} points are left to take back"
        return problem(f"“{entry['summary']}” can't be undone: {left}.")
    return Reply(title=f"Undone: {entry['summary']}.", changed=True)


def export(ctx: Context, _word: str, rest: str) -> Reply:
    """`export interactions`, `export suppliers csv`: a file."""
    words = rest.lower().split()
    if words[:1] == ["report"]:
        return report.export_report(ctx, rest.split(None, 1)[1] if len(words) > 1 else "")
    kind = next((w for w in words if w in exports.KINDS), None)
    fmt = next((w for w in words if w in exports.FORMATS), "csv")
    if kind is None:
        return problem(f"Export what? One of: {', '.join(exports.KINDS)}.", "export suppliers csv")
    content = exports.render(exports.rows(ctx.store, kind, ctx.tz, ctx.policy, ctx.now), fmt)
    lines = max(content.count("\n") - (1 if fmt == "csv" else 0), 0)
    name = f"rapport-{kind}-{ctx.now:%Y%m%d}.{fmt}"
    return Reply(title=f"Exported {lines} {kind} as {name}.", file=(name, content))


VERBS = (
    Verb("whoami", ("whoami", "me"), whoami, "your name, role and time zone", ("whoami",)),
    Verb(
        "settings",
        ("settings", "setting", "prefs"),
        settings,
        "your time zone",
        ("settings tz:America/New_York",),
    ),
    Verb("undo", ("undo",), undo, "take back your own last change", ("undo",)),
    Verb(
        "export",
        ("export",),
        export,
        "a CSV or JSON-lines file",
        ("export interactions", "export suppliers csv", "export points jsonl"),
        "Kinds: " + ", ".join(exports.KINDS) + "; export report … gives a report's numbers.",
    ),
)
