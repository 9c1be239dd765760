"""Logging what happened with a party (`log`, `called`, `met`…) and reading it back (`history`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from handlers import carried
from handlers.context import Context
from handlers.dates import maybe_date_word, parse_when, split_leading_when, split_trailing_when
from handlers.leftovers import ask_about_dates, date_like
from handlers.log_use_case import log_interaction, log_problem, notes_problem
from handlers.parsing import first_word
from handlers.reply import Reply, Section, plural, problem
from handlers.resolve import find_party
from handlers.verbs import Verb
from storage.models import Interaction, Party, files_text

EXAMPLE = "log call with Acme yesterday: discussed Q3 pricing, follow up next tuesday"
KIND_WORDS = {
    "call": "call", "called": "call", "phoned": "call", "rang": "call", "phone": "call",
    "meeting": "meeting", "met": "meeting", "meet": "meeting",
    "email": "email", "emailed": "email", "mailed": "email", "e-mailed": "email",
    "message": "message", "messaged": "message", "texted": "message", "chatted": "message",
    "visit": "visit", "visited": "visit",
    "note": "note",
    "order": "order", "ordered": "order",
    "delivery": "delivery", "delivered": "delivery",
    "complaint": "complaint", "complained": "complaint",
    "quote": "quote", "quoted": "quote",
    "contract": "contract", "signed": "contract",
    "joint": "joint activity",
}  # fmt: skip
CONNECTORS = ("with", "from", "to", "at", "for", "on", "by")
_NOTES_SEPARATOR = re.compile(r":(?:\s|$)|\s+(?:about|re|regarding)\s+|,\s*|\s+[-–—]\s+", re.I)
_FOLLOW_UP = re.compile(r"(?:^|[,.;]?\s+)(?:follow[ -]?up|f/u)\s+(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class LogRequest:
    """A log line understood: kind, who with (as typed), when, notes, and follow-up phrase."""

    kind: str
    party_text: str
    when_text: str
    notes: str
    follow_up_text: str


def parse_log(word: str, rest: str) -> LogRequest | None:
    """Split a log line into its parts; None when no party is named."""
    kind = KIND_WORDS.get(word)
    if kind is None:  # `log …`: the kind is the next word, else a note
        next_word, after = first_word(rest)
        kind = KIND_WORDS.get(next_word)
        rest = after if kind else rest
        kind = kind or "note"
    if kind == "joint activity":
        rest = re.sub(r"^activity\b\s*", "", rest, flags=re.I)
    head, notes = _split_notes(rest)
    connector, after = first_word(head)
    if connector in CONNECTORS:
        head = after
    notes, follow_up = _split_follow_up(notes)
    if not head:
        return None
    return LogRequest(kind, head, "", notes, follow_up)


def _split_notes(text: str) -> tuple[str, str]:
    """Head and notes, split at the first `:`, `about`, comma or dash outside quotes."""
    masked = re.sub(r'"[^"]*"', lambda m: "x" * len(m[0]), text)
    match = _NOTES_SEPARATOR.search(masked)
    if match is None:
        return text.strip(), ""
    return text[: match.start()].strip(), text[match.end() :].strip()


def _split_follow_up(notes: str) -> tuple[str, str]:
    match = _FOLLOW_UP.search(notes)
    if match is None:
        return notes, ""
    return notes[: match.start()].lstrip(" ,.;").rstrip(" ,.;:-–—"), match[1].strip()


def log(ctx: Context, word: str, rest: str) -> Reply:
    """`log <kind> with <party> <when>: <notes>, follow up <when>` and its natural variants."""
    request = parse_log(word.lower(), rest)
    if request is None:
        return problem("Who was it with?", EXAMPLE)
    if too_long := notes_problem(request.notes):
        return problem(too_long)
    head = read_head(ctx, request.party_text)
    unread = _unread_dates(ctx, head, request)
    if unread is not None:
        return unread
    when = head.when or ctx.now
    follow_up = None
    if request.follow_up_text:
        follow_up = parse_when(request.follow_up_text, ctx.dates(), "future")
        if follow_up is None:
            return problem(
                f"I couldn't read the follow-up date “{request.follow_up_text}”.",
                "…, follow up next tuesday",
            )
    notes = " — ".join(n for n in (head.notes, request.notes) if n)
    refused = log_problem(ctx, request.kind, when, notes, follow_up)
    if refused is not None:  # before asking which party: the answer would be refused too
        return refused
    retry = carried.command(LOG, request.kind, when.isoformat(), notes, _iso(follow_up))
    party = find_party(ctx, head.party_text, retry)
    if isinstance(party, Reply):
        return party
    return log_interaction(ctx, party, request.kind, when, notes, follow_up)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _logged(ctx: Context, party: Party, values: carried.Values) -> Reply:
    """A pressed "which party?" button of log: the interaction, from its values."""
    when = values.time(1)
    if when is None:
        raise carried.Unreadable(1)
    return log_interaction(ctx, party, values.text(0), when, values.text(2), values.time(3))


LOG = "log"
CARRIED = carried.UseCase(LOG, _logged)


def _unread_dates(ctx: Context, head: Head, request: LogRequest) -> Reply | None:
    """The question about a date-like leftover: in unmatched party text or in the notes."""
    notes = head.notes
    if head.date_text and maybe_date_word(notes.split(" ", 1)[0]):
        notes = f"{head.date_text} {notes}"  # "on the 31st" read, "of november" left: ask of both
    leftovers = [notes, request.notes]
    if not ctx.store.parties.named(head.party_text.strip('"')):
        leftovers.insert(0, head.party_text)
    party = head.party_text
    for fragment in date_like(party):
        party = party.replace(fragment, " ")
    example = f"log {request.kind} with {' '.join(party.split())} yesterday 14:30: …"
    return ask_about_dates(leftovers, ctx.dates(), "past", head.when is not None, example)


@dataclass(frozen=True)
class Head:
    """The part of a log line before its notes: who, and when as typed and as read."""

    party_text: str
    date_text: str = ""
    when: datetime | None = None
    notes: str = ""


def read_head(ctx: Context, text: str) -> Head:
    """`Acme yesterday`, `"Acme, Inc" 3 Nov`, `Acme the price list`: the party, date and notes."""
    dates = ctx.dates()
    if text.startswith('"') and '"' in text[1:]:
        name, _, rest = text[1:].partition('"')
        return _after_party(ctx, name, rest.strip())
    words = text.split()
    for count in range(len(words), 0, -1):  # the longest run of words that is a known name
        name = " ".join(words[:count])
        if ctx.store.parties.named(name):
            return _after_party(ctx, name, " ".join(words[count:]))
    party_text, when = split_trailing_when(text, dates, "past", short_days=True)
    if not party_text or when is None:
        return Head(text)
    return Head(party_text, text[len(party_text) :].strip(), when)


def _after_party(ctx: Context, name: str, rest: str) -> Head:
    """What follows a party's name: a date, a date then notes, or notes then a date."""
    if not rest:
        return Head(name)
    dates = ctx.dates()
    when, notes = split_leading_when(rest, dates, "past", short_days=True)
    if when is not None:
        return Head(name, rest[: len(rest) - len(notes)].strip(), when, notes)
    notes, when = split_trailing_when(rest, dates, "past", short_days=True)
    if when is not None:
        return Head(name, rest[len(notes) :].strip(), when, notes)
    return Head(name, notes=rest)


def interaction_line(ctx: Context, interaction: Interaction) -> str:
    """One interaction as the card and the history list it: when, what, who, notes, files."""
    line = f"{ctx.show_time(interaction.at)} · {interaction.kind} by {interaction.by}"
    if interaction.notes:
        line += f": {interaction.notes}"
    if interaction.files:
        line += f" · file: {files_text(interaction.files)}"
    return line


def history(ctx: Context, _word: str, rest: str) -> Reply:
    """`history <party> [since <when>]`: interactions, newest first."""
    party_text, since = rest.strip(), None
    match = re.search(r"\s+since\s+(.+)$", f" {party_text}", re.IGNORECASE)
    if match:
        since = parse_when(match[1], ctx.dates(), "past")
        if since is None:
            return problem(f"I couldn't read “since {match[1]}”.", "history acme since last month")
        party_text = f" {party_text}"[: match.start()].strip()
    suffix = f" since {match[1]}" if match else ""
    party = find_party(ctx, party_text, "history {party}" + suffix)
    if isinstance(party, Reply):
        return party
    found = ctx.store.interactions.for_party(party.id, since=since.isoformat() if since else "")
    if not found:
        return Reply(title=f"No interactions with {party.name}{suffix} yet.")
    lines = tuple(interaction_line(ctx, i) for i in found[:20])
    if len(found) > 20:
        lines += (f"and {len(found) - 20} more (export interactions for all)",)
    title = f"{party.name}: {plural(len(found), 'interaction')}{suffix}, newest first"
    return Reply(title=title, sections=(Section(lines=lines),))


VERBS = (
    Verb(
        "log",
        ("log", *KIND_WORDS),
        log,
        "record a call, meeting, delivery… with a party",
        (
            EXAMPLE,
            "met GreenPack today about the recycled boxes",
            "delivery from GreenPack on 3 Nov: 2 pallets late",
        ),
        "Kinds: " + ", ".join(sorted(set(KIND_WORDS.values()))) + ". The time defaults to now; "
        "`follow up <when>` sets you a reminder. Or say it: spoke to Acme yday about pricing · "
        "Acme called re the invoice · lunch w/ Acme · got 3 pallets from GreenPack, one damaged.",
    ),
    Verb(
        "history",
        ("history", "interactions", "timeline"),
        history,
        "a party's interactions, newest first",
        ("history acme", "history acme since last month"),
    ),
)
