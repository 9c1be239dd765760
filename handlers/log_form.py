"""The "Log interaction" form (Slack's modal): each field checked, then the equivalent `log` line.

A form names its party by id (`#12`, from a picker) or by name, and keeps when, notes and the
follow-up apart; the checks say which field is wrong, so a form can show the problem beside it.
Storing goes through the ordinary `log` command, so a form and a chat line do the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.context import Context
from handlers.dates import parse_when
from handlers.interactions import MAX_NOTES
from handlers.parsing import party_id_ref
from handlers.resolve import resolve
from storage.models import INTERACTION_KINDS

_FOLLOW_UP_WORDS = re.compile(r"\b(follow)[ -]?(up)\b|\b(f)/(u)\b", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,;]|:(?=\s|$)|\s[-–—](?=\s)")


@dataclass(frozen=True)
class LogForm:
    """What a person filled in: party (`#id` or a name), kind, and free text for the rest."""

    party: str
    kind: str = "call"
    when: str = ""
    notes: str = ""
    follow_up: str = ""


def form_problems(ctx: Context, form: LogForm) -> dict[str, str]:
    """Field name → what is wrong with it; empty when the form can be logged."""
    problems: dict[str, str] = {}
    party = _party_problem(ctx, form.party)
    if party:
        problems["party"] = party
    if form.kind not in INTERACTION_KINDS:
        problems["kind"] = "Pick one of the kinds in the list."
    when = parse_when(form.when, ctx.dates(), "past") if form.when else ctx.now
    if when is None:
        problems["when"] = f"I couldn't read “{form.when}” as a date, e.g. yesterday 3pm or 3 Nov."
    elif when > ctx.now:
        problems["when"] = f"{ctx.show_time(when)} is still to come: a log is for what happened."
    if len(form.notes) > MAX_NOTES:
        problems["notes"] = f"At most {MAX_NOTES} characters, please ({len(form.notes)} now)."
    if form.follow_up:
        due = parse_when(form.follow_up, ctx.dates(), "future")
        if due is None:
            problems["follow_up"] = f"I couldn't read “{form.follow_up}”, e.g. next tuesday."
        elif due <= ctx.now:
            problems["follow_up"] = f"{ctx.show_time(due)} has passed: a follow-up is ahead."
    return problems


def _party_problem(ctx: Context, text: str) -> str:
    if not text:
        return "Which party was it with?"
    if party_id_ref(text) is None and not text.isdigit():
        found = resolve(ctx.store.parties, text)
        if found.party is None and found.candidates:
            names = ", ".join(f"{p.name} (#{p.id})" for p in found.candidates)
            return f"Which one? {names}"
        if found.party is not None:
            return ""
        return f"I don't know a party called “{text}”."
    party_id = party_id_ref(text) or int(text)
    return "" if ctx.store.parties.get(party_id) else f"There is no party #{party_id} any more."


def log_command(form: LogForm) -> str:
    """The chat line that logs the form: `log call with #12 yesterday: notes, follow up friday`."""
    party = form.party if form.party.startswith("#") else f"#{form.party}"
    if not party[1:].isdigit():
        party = f'"{form.party}"'
    when = " ".join(_SEPARATORS.sub(" ", form.when).split())  # a date never splits the line
    line = f"log {form.kind} with {party} {when or 'now'}"  # an empty `when` means now
    notes = defuse_follow_up(" ".join(form.notes.split()))
    if notes:
        line += f": {notes}"
    if form.follow_up:
        line += f", follow up {form.follow_up}"
    return line


def note_command(party_id: int, text: str) -> str:
    """The chat line that logs a message's text as a note on party `party_id`, as of now.

    `now` is said outright: the message's dates are its content, not when the note happened.
    """
    return f"log note with #{party_id} now: {defuse_follow_up(' '.join(text.split()))}"


def defuse_follow_up(notes: str) -> str:
    """Notes with "follow up …" in them stay notes: the hyphen becomes a non-breaking one."""
    return _FOLLOW_UP_WORDS.sub(_defused, notes)


def _defused(match: re.Match[str]) -> str:
    if match[1]:
        return f"{match[1]}\u2011{match[2]}"  # non-breaking hyphen
    return f"{match[3]}\u2044{match[4]}"  # fraction slash
