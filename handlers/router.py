"""The verb table: picks the verb of a message, runs it under the store's lock, never crashes."""

from __future__ import annotations

import logging
from collections.abc import Callable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from handlers import (
    admin,
    cards,
    carried,
    choices,
    digest,
    governance,
    interactions,
    log_use_case,
    parties,
    phrases,
    points,
    reminders,
    rewards,
    scorecards,
    search,
    team,
)
from handlers.context import Context, Team
from handlers.deals import lifecycle, lists, pipeline
from handlers.reply import Message, Reply, Section, drawn, problem
from handlers.reports import report
from handlers.terms import certs, contracts
from handlers.verbs import Verb
from storage.errors import AlreadyProcessed, StoreError
from storage.store import Store
from storage.text import clean_line

log = logging.getLogger(__name__)
MAX_TEXT = 8000
Action = Callable[[Context], Reply]

AREAS = (
    parties,
    cards,
    search,
    interactions,
    reminders,
    digest,
    points,
    rewards,
    scorecards,
    governance,
    lifecycle,
    lists,
    pipeline,
    contracts,
    certs,
    report,
    admin,
    team,
)


def _help(ctx: Context, _word: str, rest: str) -> Reply:
    """`help [verb]`: the verbs, or one verb's details and examples."""
    return help_reply(rest.strip().lower())


HELP = Verb("help", ("help", "?", "start", "commands"), _help, "this list", ("help", "help log"))
VERBS: tuple[Verb, ...] = (*(v for area in AREAS for v in area.VERBS), HELP)
CARRIED = (
    points.CARRIED,
    scorecards.CARRIED,
    governance.CARRIED,
    interactions.CARRIED,
    parties.CARRIED_EDIT,
    parties.CARRIED_CONTACT,
    lifecycle.CARRIED,
    contracts.CARRIED,
    certs.CARRIED,
    log_use_case.CARRIED,
)
# reached from buttons only: not in help or menus, and no phrase is read into them
BUTTON_VERBS = (
    carried.verb(CARRIED, older={log_use_case.OLDER_NOTE_BUTTON: log_use_case.CARRIED.name}),
)
_BY_WORD = {word: verb for verb in (*VERBS, *BUTTON_VERBS) for word in verb.words}


def help_reply(topic: str = "") -> Reply:
    """Help generated from the verb table."""
    verb = _BY_WORD.get(topic.split()[0]) if topic else None
    if verb is not None:
        lines = tuple(verb.examples) + ((verb.details,) if verb.details else ())
        return Reply(title=f"{verb.name}: {verb.summary}", sections=(Section(lines=lines),))
    lines = tuple(f"{v.name} — {v.summary}" for v in VERBS)
    return Reply(
        title="Here is what I understand (help <verb> for examples):",
        sections=(Section(lines=lines), Section("Or just say it:", phrases.examples())),
    )


def verb_for(text: str) -> tuple[Verb | None, str, str]:
    """The verb a line starts with, the word as typed, and the rest."""
    word, _, rest = text.partition(" ")
    word = word.lower().lstrip("/").split("@", 1)[0]  # Telegram's /log@RapportBot
    return _BY_WORD.get(word), word, rest.strip()


class Router:
    """Answers messages for one store and one team."""

    def __init__(self, store: Store, team: Team) -> None:
        self.store = store
        self.team = team if team.roster is not None else team.bound_to(store.people)

    def handle(self, message: Message) -> Reply:
        """A reply for every message: understood, refused, or a friendly problem; never a crash.
        A chart is drawn here, after the store's lock is let go (callers on an event loop run
        this in a worker thread)."""
        return drawn(self._answer(message))

    def _answer(self, message: Message) -> Reply:
        text, not_theirs = choices.unwrap(self.team, message.person, clean_line(message.text))
        if not_theirs is not None:
            return not_theirs
        if not text:
            return help_reply()
        if len(text) > MAX_TEXT:
            return problem(f"That message is too long ({len(text)} characters); please shorten it.")
        if verb_for(text)[0] not in BUTTON_VERBS:
            with self.store.command():
                text = phrases.understand(text, self.store.parties, _BY_WORD)
        verb, word, rest = verb_for(text)
        if verb is None:
            return _unknown(word)
        run = verb.run
        return self.perform(message, lambda ctx: run(ctx, word, rest), verb.name)

    def perform(self, message: Message, action: Action, name: str = "action") -> Reply:
        """`action`'s reply under the store's lock: a repeat says done, a failure stores nothing.

        Verbs come here after their line is read; adapters come here with values (a form, a
        forwarded text) for a use case, with the same checks on repeats and failures.
        """
        ctx = Context(self.store, self.team, message)
        try:
            with self.store.command():
                self.store.refuse_repeat(message.message_id)  # before any check: say done
                return action(ctx)
        except AlreadyProcessed as done:
            return Reply(title=f"Already done: {done.entry.get('summary', 'that change')}.")
        except StoreError as error:
            log.error("store refused a change: %s", error)
            return Reply(title="I couldn't save that, so nothing was stored. Try again.", ok=False)
        except Exception:
            log.exception("%s failed on %r", name, message.text[:200])
            return Reply(title="Sorry, something went wrong; nothing was stored.", ok=False)


def _unknown(word: str) -> Reply:
    """A word one typo from a verb (`remnd`, `lgo`) is asked about, never run."""
    typos = 1 if len(word) <= 5 else 2
    close = process.extractOne(word, list(_BY_WORD), scorer=OSA.distance, score_cutoff=typos)
    if close and len(word) >= 3:
        verb = _BY_WORD[close[0]]
        return problem(f"I don't know “{word}”. Did you mean {verb.name}?", verb.usage)
    return problem(f"I don't understand “{word}”.", "help")
