"""Logging an interaction, from typed values: the one place for log's checks, write and reply.

Every surface that logs calls `log_interaction` with a resolved party, a kind, an aware time,
the notes exactly as they are to be stored, and an optional follow-up time: the chat verb `log`
after reading its line, the Slack modal after reading its fields, and the Slack message shortcut,
Telegram forwards and captions with the message's text as it came (`log_note`). Nothing here
reads chat grammar, so a forwarded "can you follow up friday" stays in the note, word for word.

A note whose party must still be picked from buttons rides in the button as a carried value
(`usecase note #<id> <text>`, `handlers/carried.py`): one token the chat grammar cannot read into,
turned back into the text by the `CARRIED` use case. Buttons of the earlier form `lognote #<id>
<text>` are read the same way.
"""

from __future__ import annotations

from datetime import datetime

from handlers import carried
from handlers.context import Context
from handlers.exclusion import exclusion_warning
from handlers.followups import close_follow_ups, set_follow_up
from handlers.points import auto_points
from handlers.reply import Reply, Section, changed, problem
from handlers.resolve import find_party
from handlers.scorecards import standing_warning
from storage.models import INTERACTION_KINDS, Interaction, Party, files_text

MAX_NOTES = 4000
NOTE = "note"
NO_TEXT = "There is no text to log in that message."


def kind_problem(kind: str) -> str:
    """Why `kind` can't be logged; empty when it can."""
    return "" if kind in INTERACTION_KINDS else "Pick one of the kinds in the list."


def notes_problem(notes: str) -> str:
    """Why these notes can't be stored; empty when they can."""
    if len(notes) > MAX_NOTES:
        return f"Those notes are too long ({len(notes)} characters; {MAX_NOTES} max)."
    return ""


def when_problem(ctx: Context, when: datetime) -> str:
    """Why a log can't say it happened at `when`; empty when it can."""
    if when > ctx.now:
        return f"{ctx.show_time(when)} is still to come: a log is for what happened."
    return ""


def follow_up_problem(ctx: Context, due: datetime) -> str:
    """Why a follow-up can't be set for `due`; empty when it can."""
    if due <= ctx.now:
        return f"{ctx.show_time(due)} has passed: a follow-up is ahead."
    return ""


def log_problem(
    ctx: Context, kind: str, when: datetime, notes: str, follow_up: datetime | None
) -> Reply | None:
    """The refusal for values that can't be logged, with an example of what can."""
    if text := kind_problem(kind):
        return problem(text)
    if text := notes_problem(notes):
        return problem(text)
    if text := when_problem(ctx, when):
        return problem(text, "remind me tomorrow to call Acme")
    if follow_up is not None and (text := follow_up_problem(ctx, follow_up)):
        return problem(text, "…, follow up next tuesday")
    return None


def log_interaction(
    ctx: Context,
    party: Party,
    kind: str,
    when: datetime,
    notes: str,
    follow_up: datetime | None = None,
) -> Reply:
    """Log `kind` with `party` at `when`: checked, stored in one change, and confirmed.

    The logger's open follow-ups for the party close (the contact happened); a `follow_up`
    sets a new one. `notes` are stored exactly as given.
    """
    refused = log_problem(ctx, kind, when, notes, follow_up)
    if refused is not None:
        return refused
    interaction = Interaction(
        id=0,
        party_id=party.id,
        kind=kind,
        at=when.isoformat(),
        notes=notes,
        by=ctx.person.name,
        channel=ctx.message.channel,
        logged_at=ctx.now.isoformat(),
        follow_up=follow_up.isoformat() if follow_up else None,
        files=ctx.message.files,
    )
    summary = f"Logged {kind} with {party.name}"
    with ctx.store.change(ctx.actor(), summary) as change:
        closed = close_follow_ups(ctx, change, party, when)
        interaction_id = change.add(interaction)
        reminder_id = None
        if follow_up:
            text = f"follow up with {party.name}" + (f": {notes}" if notes else "")
            reminder_id = set_follow_up(ctx, change, party, follow_up, interaction_id, text)
        earned = auto_points(ctx, change, party, kind)
    lines = [notes] if notes else []
    if ctx.message.files:
        lines.append(f"File: {files_text(ctx.message.files)}")
    if follow_up:
        lines.append(f"Follow-up: {ctx.show_time(follow_up)} (reminder {reminder_id})")
    lines += [f"Closed your follow-up {r.id}: {r.text}" for r in closed]
    if earned:
        lines.append(earned)
    if party.excluded:
        lines.append(exclusion_warning(party))
    elif flag := standing_warning(ctx, party):
        lines.append(flag)
    reply = changed(f"{summary} — {ctx.show_time(when)}.", change.entry_id)
    kept = (Section(lines=tuple(lines)),) if lines else ()
    return Reply(
        title=reply.title, sections=reply.sections + kept, buttons=reply.buttons, changed=True
    )


def log_note(ctx: Context, party: Party, text: str) -> Reply:
    """A message's text (a forward, a caption, a shortcut) as a note on `party`, as of now.

    The text is the note, verbatim: its dates, "follow up" and colons are what it says, not
    instructions, and the note is dated when it was logged.
    """
    if not text.strip():
        return problem(NO_TEXT, "note Acme: what happened")
    return log_interaction(ctx, party, NOTE, ctx.now, text.strip())


def log_note_on(ctx: Context, party_text: str, text: str) -> Reply:
    """The text as a note on the party `party_text` names (an answer to "which party?")."""
    if not text.strip():
        return problem(NO_TEXT, "note Acme: what happened")
    retry = carried.command(CARRIED.name, text.strip())
    party = find_party(ctx, party_text.strip().strip("\"'"), retry)
    return party if isinstance(party, Reply) else log_note(ctx, party, text)


def keep_note_command(party_id: int, text: str) -> str:
    """The button command that logs `text` verbatim as a note on party `party_id`."""
    return carried.for_party(carried.command(CARRIED.name, text.strip()), party_id)


CARRIED = carried.UseCase("note", lambda ctx, party, values: log_note(ctx, party, values.text(0)))
OLDER_NOTE_BUTTON = "lognote"  # `lognote #<id> <text>`, as note buttons were first sent
