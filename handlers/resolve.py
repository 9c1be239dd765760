"""Which party a person means: exact name, alias, unique prefix, fuzzily; never a silent guess."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from handlers import carried
from handlers.choices import for_asker
from handlers.context import Context
from handlers.parsing import party_id_ref, quote_name
from handlers.reply import Button, Reply, Section, problem
from storage.models import Party, name_key
from storage.parties import PartyRepository

FUZZY_CUTOFF = 75
_SPEECH = re.compile(r"[!?:;\"“”«»]")
MAX_CHOICES = 5


@dataclass(frozen=True)
class Resolution:
    """The party found, or the candidates to ask about (empty: nothing like it)."""

    party: Party | None
    candidates: tuple[Party, ...] = ()


def resolve(parties: PartyRepository, text: str) -> Resolution:
    """Exact name or alias, then `#id`, then a unique prefix; otherwise the candidates."""
    text = text.strip().strip("\"'“”").rstrip("!?,;:")
    if not text:
        return Resolution(None)
    party_id = party_id_ref(text)
    if party_id is not None:
        return Resolution(parties.get(party_id))
    for spelling in dict.fromkeys((text, _without_umlaut_e(text))):
        for lookup in (parties.named, parties.with_prefix):
            found = lookup(spelling)
            if len(found) == 1:
                return Resolution(found[0])
            if found:
                return Resolution(None, tuple(found[:MAX_CHOICES]))
    return Resolution(None, tuple(closest(parties, text)))


def _without_umlaut_e(text: str) -> str:
    """`mueller` → `muller`: German writes ü as ue without the key; names are keyed as Muller."""
    return re.sub(r"(?<=[a-z])([aou])e", r"\1", text, flags=re.IGNORECASE)


def names_a_party(parties: PartyRepository, text: str) -> bool:
    """Does `text` name a party (or a few) by name, alias or prefix? Look-alikes don't count."""
    text = text.strip().strip("\"'")
    if len(text) < 2 or party_id_ref(text) is not None:
        return party_id_ref(text) is not None
    for spelling in dict.fromkeys((text, _without_umlaut_e(text))):
        if parties.named(spelling) or (len(spelling) >= 3 and parties.with_prefix(spelling)):
            return True
    return False


def closest(parties: PartyRepository, text: str, limit: int = 3) -> list[Party]:
    """Parties whose names look like `text`, best first."""
    keys = parties.name_keys()
    matches = process.extract(
        text.casefold(), list(keys), scorer=fuzz.WRatio, limit=limit * 2, score_cutoff=FUZZY_CUTOFF
    )
    seen: dict[int, Party] = {}
    for key, _score, _index in matches:
        for party_id in sorted(keys[key]):
            party = parties.get(party_id)
            if party is not None:
                seen.setdefault(party_id, party)
    return list(seen.values())[:limit]


def ask_which(resolution: Resolution, text: str, command_for: str) -> Reply:
    """Ask which party was meant; each button re-sends the command with `#id` in its place.

    `command_for` is the command with `{party}` where the party reference stands (its first
    one: what follows may be the person's own text, braces and all).
    """
    if not resolution.candidates:
        return Reply(
            title=f"I don't know a party called “{text}”.",
            sections=(Section(lines=("Add it with: add customer <name> (or add supplier …)",)),),
            ok=False,
        )
    buttons = tuple(
        Button(label=party.name, command=carried.for_party(command_for, party.id))
        for party in resolution.candidates
    )
    question = (
        f"Which party do you mean by “{text}”?"
        if len(buttons) > 1
        else f"I don't know “{text}”. Did you mean {quote_name(buttons[0].label)}?"
    )
    return Reply(title=question, buttons=buttons, ok=False)


def find_party(ctx: Context, text: str, command_for: str) -> Party | Reply:
    """The party `text` names, or the reply that asks which one (or says there is none)."""
    if not text:
        return problem("Which party?", "show Acme")
    found = resolve(ctx.store.parties, text)
    if found.party:
        return found.party
    return ask_which(found, text, for_asker(ctx.person, command_for))


def named_in(parties: PartyRepository, text: str) -> list[Party]:
    """Parties whose name or alias appears as whole words in `text` (a forwarded message).

    A name inside a longer matched name ("Acme" in "Acme Corp") does not count on its own.
    """
    text = _SPEECH.sub(" ", re.sub(r"['’]s\b", "", text))  # "Acme's offer!" names Acme
    padded = f" {name_key(text)} "
    keys = [key for key in parties.name_keys() if key and f" {key} " in padded]
    longest = [k for k in keys if not any(k != o and f" {k} " in f" {o} " for o in keys)]
    ids = sorted({i for key in longest for i in parties.name_keys()[key]})
    return [party for i in ids if (party := parties.get(i)) is not None]
