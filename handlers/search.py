"""`find` and `list`: parties filtered by role, tags, fields, status, owner and text, best first."""

from __future__ import annotations

from collections.abc import Callable

from handlers import points, scorecards
from handlers.cards import summary_line
from handlers.context import Context
from handlers.parsing import Args, split_args
from handlers.reply import Reply, Section, first_lines, plural, problem
from handlers.terms.compliance import has_policy_state
from handlers.verbs import Verb
from storage.models import (
    CUSTOMER,
    CUSTOMER_STATUSES,
    SUPPLIER,
    SUPPLIER_STATUSES,
    Party,
    name_key,
)

PAGE = 15
EXAMPLE = "find suppliers #eco category:packaging"
ROLE_WORDS = {
    "customers": CUSTOMER,
    "customer": CUSTOMER,
    "clients": CUSTOMER,
    "suppliers": SUPPLIER,
    "supplier": SUPPLIER,
    "vendors": SUPPLIER,
}
EVERYTHING = {"all", "parties", "everyone", "everything"}
FILLERS = {"me", "the", "some", "any", "our"}
STATUSES = set(CUSTOMER_STATUSES + SUPPLIER_STATUSES)

Filter = Callable[[Context, Party, str], bool]
SortKey = Callable[[Context, Party], object]


def _has_status(_ctx: Context, party: Party, value: str) -> bool:
    return value.lower() in (party.customer_status, party.supplier_status)


def _owned_by(ctx: Context, party: Party, value: str) -> bool:
    person = ctx.team.find(value)
    return person is not None and party.owner.casefold() == person.handle


def _in_category(_ctx: Context, party: Party, value: str) -> bool:
    return party.category.casefold() == value.casefold()


def _last_contact(ctx: Context, party: Party) -> object:
    return ctx.store.interactions.last_contact(party.id) or ""


# Each `key:value` of a find is one of these; any other key matches a party's own field.
FILTERS: dict[str, Filter] = {
    "status": _has_status,
    "owner": _owned_by,
    "category": _in_category,
    "tier": points.has_tier,
    "standing": scorecards.has_standing,
    "policy": has_policy_state,
}
# `sort:<key>`, with whether larger is better.
SORTS: dict[str, tuple[SortKey, bool]] = {
    "name": (lambda _ctx, p: name_key(p.name), False),
    "last": (_last_contact, True),
    "recent": (_last_contact, True),
    "contact": (_last_contact, True),
    "new": (lambda _ctx, p: p.id, True),
    "points": (points.balance_of, True),
    "score": (scorecards.score_of, True),
}


def _field_matches(party: Party, key: str, value: str) -> bool:
    return party.fields.get(key, "").casefold() == value.casefold()


def _text_matches(party: Party, words: list[str]) -> bool:
    haystack = " ".join(name_key(n) for n in party.names)
    return all(name_key(w) in haystack for w in words)


def find(ctx: Context, _word: str, rest: str) -> Reply:
    """`find [customers|suppliers] [#tag] [key:value] [status:…] [owner:@x] [sort:…] [text]`."""
    args = split_args(rest)
    role = None
    words = []
    for word in args.words:
        if word.lower() in ROLE_WORDS and role is None:
            role = ROLE_WORDS[word.lower()]
        elif word.lower() not in EVERYTHING | FILLERS and not _known_filter(ctx, word, args):
            words.append(word)
    sort_by = args.fields.pop("sort", "name").lower()
    if sort_by not in SORTS:
        return problem(f"I can't sort by “{sort_by}”; try {', '.join(SORTS)}.", EXAMPLE)
    wants_excluded = args.fields.get("status", "").lower() == "excluded"
    matches = [
        p
        for p in ctx.store.parties.having(role, args.add_tags)
        if (wants_excluded or not p.excluded)
        and not any(t in p.tags for t in args.drop_tags)
        and all(_matches(ctx, p, k, v) for k, v in args.fields.items())
        and (not words or _text_matches(p, words))
    ]
    key, descending = SORTS[sort_by]
    matches.sort(key=lambda p: ctx.store.parties.sort_name(p.id))
    if sort_by != "name":
        matches.sort(key=lambda p: key(ctx, p), reverse=descending)  # type: ignore[arg-type, return-value]
    return _list_reply(ctx, matches, role)


def _known_filter(ctx: Context, word: str, args: Args) -> bool:
    """`find eco suppliers`: a word that is a known tag, category or status filters by it."""
    key = word.lower().lstrip("#")
    if ctx.store.parties.having(None, [key]):
        args.add_tags.append(key)
    elif key in STATUSES and "status" not in args.fields:
        args.fields["status"] = key
    elif "category" not in args.fields and any(
        p.category.casefold() == key for p in ctx.store.parties.all()
    ):
        args.fields["category"] = key
    else:
        return False
    return True


def _matches(ctx: Context, party: Party, key: str, value: str) -> bool:
    rule = FILTERS.get(key)
    return rule(ctx, party, value) if rule else _field_matches(party, key, value)


def _list_reply(ctx: Context, parties: list[Party], role: str | None) -> Reply:
    noun = role or "party"
    if not parties:
        title = f"No {plural(2, noun).split()[1]} match."
        return Reply(title=title, sections=(Section(lines=(f"Try: {EXAMPLE}",)),))
    lines = first_lines(parties, lambda p: summary_line(ctx, p), PAGE)
    return Reply(title=f"Found {plural(len(parties), noun)}:", sections=(Section(lines=lines),))


VERBS = (
    Verb(
        "find",
        ("find", "list", "search"),
        find,
        "filtered list of parties, best first",
        (EXAMPLE, "find customers owner:@ana", "list suppliers status:probation sort:points"),
        "Filters: customers/suppliers, #tag, -#tag, status:, owner:@name, category:, tier:, "
        "standing:, policy:failing, any field:value, free text; sort:"
        + "|".join(("name", "last", "new", "points", "score"))
        + ".",
    ),
)
