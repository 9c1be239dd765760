"""Adding and changing parties: add, add contact, edit, rename, alias."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from handlers import carried
from handlers.context import Context
from handlers.ownership import refusal, save_party
from handlers.parsing import Args, quote_name, split_args, split_once
from handlers.reply import Button, Reply, Section, changed, problem
from handlers.resolve import find_party
from handlers.verbs import Verb
from storage.models import (
    CUSTOMER,
    Contact,
    Party,
    looks_like_email,
    name_key,
    to_doc,
)

ADD_EXAMPLE = "add customer Acme Corp #enterprise region:EU owner:@ana"
CONTACT_EXAMPLE = "add contact Jane Doe at Acme title:CFO email:jane@acme.example"
EDIT_EXAMPLE = 'edit Acme phone:"+49 30 1234" #priority -#enterprise'
PARTY_KEYS = ("category", "owner", "cadence")
CONTACT_KEYS = ("title", "email", "phone")
_CADENCE = re.compile(r"^(\d{1,4})\s*(d|day|days|w|wk|week|weeks)?$", re.IGNORECASE)
ROLE_WORDS = {
    "customer": CUSTOMER,
    "client": CUSTOMER,
    "supplier": "supplier",
    "vendor": "supplier",
}


def add(ctx: Context, _word: str, rest: str) -> Reply:
    """`add customer|supplier <name> …` or `add contact <name> at <party> …`."""
    kind, _, rest = rest.strip().partition(" ")
    kind = kind.lower().rstrip("s")
    if kind == "contact":
        return _add_contact(ctx, rest)
    role = ROLE_WORDS.get(kind)
    if role is None:
        return problem("Add what? A customer, a supplier or a contact.", ADD_EXAMPLE)
    args = split_args(rest)
    if not args.text:
        return problem(f"What is the {role} called?", ADD_EXAMPLE)
    existing = ctx.store.parties.named(args.text)
    if existing:
        return _add_role(ctx, existing[0], role, args)
    values = _party_values(ctx, args)
    if isinstance(values, Reply):
        return values
    new = Party(
        id=0, name=args.text, roles=(), created_at=ctx.now.isoformat(), created_by=ctx.person.name
    )
    party = _merge(new.with_role(role), values, args)
    with ctx.store.change(ctx.actor(), f"Added {role} {party.name}") as change:
        party_id = change.add_party(party)
    return changed(
        f"Added {role} {party.name} (#{party_id}).", change.entry_id, show_button(party.name)
    )


def _add_role(ctx: Context, party: Party, role: str, args: Args) -> Reply:
    if party.is_(role):
        return problem(
            f"{party.name} is already a {role} (#{party.id}).", f"show {quote_name(party.name)}"
        )
    values = _party_values(ctx, args)
    if isinstance(values, Reply):
        return values
    updated = _merge(party.with_role(role), values, args)
    kept_out = refusal(ctx, party, updated)
    if kept_out is not None:  # the role is anyone's to add; the rest is the owner's
        updated = party.with_role(role)
    with ctx.store.change(ctx.actor(), f"Made {party.name} a {role}") as change:
        save_party(ctx, change, party, updated)
    reply = changed(f"{party.name} is now a {role} too ({updated.status}).", change.entry_id)
    if kept_out is None:
        return reply
    owner = party.owner or "its owner"
    note = f"Nothing else was changed: only {owner} or a manager can change {party.name}."
    return replace(reply, sections=(Section(lines=(note,)),))


def _party_values(ctx: Context, args: Args) -> dict[str, Any] | Reply:
    """The party attributes a command's `key:value` fields set, checked; or the problem."""
    values: dict[str, Any] = {}
    fields: dict[str, str] = {}
    for key, value in args.fields.items():
        if key == "owner":
            person = ctx.team.find(value)
            if person is None and value not in ("", "-"):
                return problem(f"I don't know anyone called {value}.", "owner:@ana")
            values["owner"] = person.name if person else ""
        elif key == "cadence":
            days = parse_cadence(value)
            if days is None:
                return problem(f"I can't read the cadence “{value}”.", "cadence:30d")
            values["cadence_days"] = days or None
        elif key == "category":
            values["category"] = "" if value == "-" else value
        elif key == "email" and value != "-" and not looks_like_email(value):
            return problem(
                f"“{value}” doesn't look like an e-mail address.", "email:jane@acme.example"
            )
        else:
            fields[key] = value
    values["fields"] = fields
    return values


def parse_cadence(text: str) -> int | None:
    """'30d', '2w', '14' → days; '0' or '-' → 0 (no cadence); otherwise None."""
    if text.strip() in ("-", "none", "off"):
        return 0
    match = _CADENCE.match(text.strip())
    if match is None:
        return None
    days = int(match[1])
    return days * 7 if (match[2] or "d").lower().startswith("w") else days


def _merge(party: Party, values: dict[str, Any], args: Args) -> Party:
    """The party with the new values, fields merged (`key:-` removes), tags added and dropped."""
    values = dict(values)
    fields = dict(party.fields)
    for key, value in values.pop("fields", {}).items():
        if value == "-":
            fields.pop(key, None)
        else:
            fields[key] = value
    tags = [t for t in party.tags if t not in args.drop_tags]
    tags += [t for t in args.add_tags if t not in tags]
    return replace(party, fields=fields, tags=tuple(tags), **values)


def edit(ctx: Context, _word: str, rest: str) -> Reply:
    """`edit <party> key:value #tag -#tag`."""
    args = split_args(rest)
    if not (args.fields or args.add_tags or args.drop_tags):
        return problem("What should I change?", EDIT_EXAMPLE)
    values = _party_values(ctx, args)  # before asking which party: nobody else answers
    if isinstance(values, Reply):
        return values
    party = find_party(ctx, args.text, carried.command(EDIT, *_change_tokens(args)))
    if isinstance(party, Reply):
        return party
    return edit_party(ctx, party, args)


def edit_party(ctx: Context, party: Party, changes: Args) -> Reply:
    """Change `party`'s fields (`key:-` removes one) and tags as `changes` say: the one place
    for an edit's checks, its write and its reply. Values are kept as given."""
    values = _party_values(ctx, changes)
    if isinstance(values, Reply):
        return values
    updated = _merge(party, values, changes)
    refused = refusal(ctx, party, updated)
    if refused is not None:
        return refused
    if updated == party:
        return Reply(title=f"Nothing to change on {party.name}.")
    with ctx.store.change(ctx.actor(), f"Edited {party.name}") as change:
        save_party(ctx, change, party, updated)
    return changed(f"Updated {party.name}: {describe_changes(party, updated)}.", change.entry_id)


def _change_tokens(args: Args) -> list[str]:
    """Fields as `key:value`, tags as `#tag` and `-#tag`: one carried value each."""
    fields = [f"{key}:{value}" for key, value in args.fields.items()]
    return fields + [f"#{t}" for t in args.add_tags] + [f"-#{t}" for t in args.drop_tags]


def _changes(tokens: tuple[str, ...]) -> Args:
    """The fields and tags `_change_tokens` carried, read back (anything else: unreadable)."""
    changes = Args()
    for index, token in enumerate(tokens):
        key, colon, value = token.partition(":")
        if token.startswith("-#"):
            changes.drop_tags.append(token[2:])
        elif token.startswith("#"):
            changes.add_tags.append(token[1:])
        elif colon and key:
            changes.fields[key] = value
        else:
            raise carried.Unreadable(index)
    return changes


def _edited(ctx: Context, party: Party, values: carried.Values) -> Reply:
    """A pressed "which party?" button of edit: the changes, from its values."""
    return edit_party(ctx, party, _changes(values.texts))


EDIT = "edit"
CARRIED_EDIT = carried.UseCase(EDIT, _edited)


def describe_changes(before: Party, after: Party) -> str:
    """What an edit changed, in a few words."""
    parts = []
    old, new = to_doc(before), to_doc(after)
    for key in ("owner", "category", "cadence_days"):
        if old[key] != new[key]:
            parts.append(f"{key.replace('_days', '')} {new[key] or '(none)'}")
    for key in sorted(set(old["fields"]) | set(new["fields"])):
        if old["fields"].get(key) != new["fields"].get(key):
            parts.append(f"{key} {new['fields'].get(key, '(removed)')}")
    parts += [f"+#{t}" for t in after.tags if t not in before.tags]
    parts += [f"-#{t}" for t in before.tags if t not in after.tags]
    return ", ".join(parts)


def rename(ctx: Context, word: str, rest: str) -> Reply:
    """`rename <party> to <new name>`."""
    found = _party_and_new_name(ctx, word, rest, "to", "rename Acme to Acme Corporation")
    if isinstance(found, Reply):
        return found
    party, new_name = found
    aliases = tuple(a for a in party.aliases if name_key(a) != name_key(new_name))
    updated = replace(party, name=new_name, aliases=(*aliases, party.name))
    with ctx.store.change(ctx.actor(), f"Renamed {party.name} to {new_name}") as change:
        save_party(ctx, change, party, updated)
    return changed(
        f"Renamed {party.name} to {new_name} (the old name still finds it).", change.entry_id
    )


def alias(ctx: Context, word: str, rest: str) -> Reply:
    """`alias <party> as <other name>`."""
    found = _party_and_new_name(ctx, word, rest, "as", "alias Acme as ACME")
    if isinstance(found, Reply):
        return found
    party, new_alias = found
    if name_key(new_alias) in map(name_key, party.names):
        return Reply(title=f"{party.name} is already known as {new_alias}.")
    updated = replace(party, aliases=(*party.aliases, new_alias))
    with ctx.store.change(ctx.actor(), f"Added alias {new_alias} to {party.name}") as change:
        save_party(ctx, change, party, updated)
    return changed(f"{party.name} is now also found as {new_alias}.", change.entry_id)


def _party_and_new_name(
    ctx: Context, word: str, rest: str, joiner: str, example: str
) -> tuple[Party, str] | Reply:
    """`<party> to|as <name>`: the party (the person may change) and a name no other party has."""
    parts = split_once(rest, joiner)
    if parts is None or not all(parts):
        return problem("Which party, and what name?", example)
    text, new_name = (p.strip("\"'") for p in parts)
    party = find_party(ctx, text, f"{word} {{party}} {joiner} " + quote_name(new_name))
    if isinstance(party, Reply):
        return party
    refused = refusal(ctx, party, replace(party, name=new_name))
    if refused is not None:
        return refused
    taken = [p for p in ctx.store.parties.named(new_name) if p.id != party.id]
    if taken:
        return problem(f"“{new_name}” already names {taken[0].name} (#{taken[0].id}).")
    return party, new_name


def _add_contact(ctx: Context, rest: str) -> Reply:
    """`add contact <name> at <party> title:… email:… phone:…`."""
    parts = split_once(rest, "at|of|to|for")
    if parts is None or not all(parts):
        return problem("Add which contact to which party?", CONTACT_EXAMPLE)
    name, tail = parts
    name = name.strip("\"'")
    args = split_args(tail)
    if refused := _contact_problem(args.fields):  # before asking: nobody else answers
        return refused
    fields = [f"{key}:{value}" for key, value in args.fields.items()]
    party = find_party(ctx, args.text, carried.command(CONTACT, name, *fields))
    if isinstance(party, Reply):
        return party
    return add_contact(ctx, party, name, args.fields)


def _contact_problem(fields: Mapping[str, str]) -> Reply | None:
    """Why a contact can't have these fields (an unknown key, an e-mail that isn't one)."""
    unknown = sorted(set(fields) - set(CONTACT_KEYS))
    if unknown:
        return problem(
            f"A contact has no “{unknown[0]}”; use title, email or phone.", CONTACT_EXAMPLE
        )
    email = fields.get("email", "")
    if email not in ("", "-") and not looks_like_email(email):
        return problem(f"“{email}” doesn't look like an e-mail address.", CONTACT_EXAMPLE)
    return None


def add_contact(ctx: Context, party: Party, name: str, fields: Mapping[str, str]) -> Reply:
    """Add contact `name` at `party` (or update the one of that name in the `fields` given):
    the one place for its checks, its write and its reply. Values are kept as given."""
    if refused := _contact_problem(fields):
        return refused
    contacts, contact = with_contact(party.contacts, name, dict(fields))
    updated = replace(party, contacts=contacts)
    refused = refusal(ctx, party, updated)
    if refused is not None:
        return refused
    with ctx.store.change(ctx.actor(), f"Added contact {contact.name} at {party.name}") as change:
        save_party(ctx, change, party, updated)
    verb = "Updated" if len(contacts) == len(party.contacts) else "Added"
    return changed(f"{verb} contact {contact.name} at {party.name}.", change.entry_id)


def _contact_added(ctx: Context, party: Party, values: carried.Values) -> Reply:
    """A pressed "which party?" button of add contact: the contact, from its values."""
    fields: dict[str, str] = {}
    for index, token in enumerate(values.texts[1:], start=1):
        key, colon, value = token.partition(":")
        if not (colon and key):
            raise carried.Unreadable(index)
        fields[key] = value
    return add_contact(ctx, party, values.text(0), fields)


CONTACT = "contact"
CARRIED_CONTACT = carried.UseCase(CONTACT, _contact_added)


def with_contact(
    contacts: tuple[dict[str, str], ...], name: str, given: dict[str, str]
) -> tuple[tuple[dict[str, str], ...], Contact]:
    """The contacts with this one added, or (same name) updated in only the fields given
    (`key:-` blanks one)."""
    key = name_key(name)
    old = next((c for c in contacts if name_key(c["name"]) == key), None)
    given = {k: "" if v == "-" else v for k, v in given.items()}
    contact = Contact(**{**(old or {"name": name}), **given})
    if old is None:
        return (*contacts, to_doc(contact)), contact
    return tuple(to_doc(contact) if c is old else c for c in contacts), contact


def show_button(name: str) -> tuple[Button, ...]:
    return (Button(label="Show", command=f"show {quote_name(name)}"),)


VERBS = (
    Verb(
        "add",
        ("add", "new", "create"),
        add,
        "add a customer, a supplier, or a contact person",
        (ADD_EXAMPLE, 'add supplier "Green Pack, Ltd" #eco category:packaging', CONTACT_EXAMPLE),
        "Fields: email, phone, website, region, category, owner:@name, cadence:30d, any key:value.",
    ),
    Verb(
        "edit",
        ("edit", "update", "set"),
        edit,
        "change fields and tags",
        (EDIT_EXAMPLE,),
        "key:- removes a field; -#tag removes a tag.",
    ),
    Verb("rename", ("rename",), rename, "rename a party", ("rename Acme to Acme Corporation",)),
    Verb("alias", ("alias",), alias, "another name a party is found by", ("alias Acme as ACME",)),
)
