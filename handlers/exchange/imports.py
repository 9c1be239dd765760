"""Bulk import of parties and contacts from CSV rows: mapped, checked, matched, reported."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from handlers.context import Team
from handlers.exchange.spreadsheet import incoming_cell, read_list
from storage.models import (
    CUSTOMER,
    STANDARD_FIELDS,
    Contact,
    Party,
    from_doc,
    looks_like_email,
    name_key,
    statuses_for,
    to_doc,
)
from storage.store import Store
from storage.text import clean_line
from storage.unit_of_work import Actor, Change

BATCH = 500
CONTACT_KEYS = ("name", "title", "email", "phone")
KINDS = ("customers", "suppliers", "contacts")
SYNONYMS = {
    "name": ("name", "company", "company name", "organisation", "organization", "party", "account"),
    "email": ("email", "e-mail", "mail", "email address"),
    "phone": ("phone", "telephone", "tel", "phone number", "mobile"),
    "website": ("website", "web", "url", "site", "homepage"),
    "region": ("region", "country", "area"),
    "category": ("category", "segment", "industry"),
    "owner": ("owner", "account owner", "rep", "buyer"),
    "tags": ("tags", "tag", "labels"),
    "aliases": ("aliases", "alias", "aka"),
    "party": ("party", "company", "organisation", "organization", "account", "at"),
    "title": ("title", "job title", "position", "role"),
}
IGNORED = {"id", "points", "tier", "score", "standing", "last_contact", "roles", "status"}

Row = Mapping[str, str]
Progress = Callable[[int], None]


@dataclass
class ImportReport:
    """What an import did: rows added, updated, and skipped with their line and reason."""

    added: int = 0
    updated: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = f"{self.added} added, {self.updated} updated, {len(self.skipped)} skipped"
        return [head] + [f"  line {line}: {reason}" for line, reason in self.skipped]


class RowProblem(Exception):
    """A row that cannot be imported; the message says why."""


def column_map(header: Iterable[str], kind: str) -> dict[str, str]:
    """Each CSV column to its field: a known one by its usual names, else a custom field."""
    known = ("name", "party", "title", "email", "phone") if kind == "contacts" else tuple(SYNONYMS)
    mapping = {}
    for column in header:
        key = " ".join(column.strip().lower().replace("_", " ").split())
        target = next((f for f in known if key in SYNONYMS.get(f, (f,))), None)
        if kind != "contacts" and target == "party":
            target = "name"
        snake = key.replace(" ", "_")
        mapping[column] = target or (snake if snake in IGNORED else " ".join(column.split()))
    return mapping


def import_rows(
    store: Store,
    team: Team,
    actor: Actor,
    kind: str,
    rows: Iterable[tuple[int, Row]],
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import (line number, row) pairs in batches of one change each; nothing on a dry run."""
    report = ImportReport()
    batch: list[tuple[int, Row]] = []
    for line, row in rows:
        batch.append((line, {key: incoming_cell(value) for key, value in row.items()}))
        if len(batch) == BATCH:
            _import_batch(store, team, actor, kind, batch, report, dry_run)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        _import_batch(store, team, actor, kind, batch, report, dry_run)
        if progress:
            progress(len(batch))
    return report


def _import_batch(
    store: Store,
    team: Team,
    actor: Actor,
    kind: str,
    batch: list[tuple[int, Row]],
    report: ImportReport,
    dry_run: bool,
) -> None:
    summary = f"Imported {kind}, lines {batch[0][0]}–{batch[-1][0]}"
    try:
        with store.command(), store.change(actor, summary) as change:
            pending: dict[str, int] = {}  # parties added in this batch, by name key
            for line, row in batch:
                try:
                    added = _import_row(store, team, change, kind, row, pending)
                except RowProblem as problem:
                    report.skipped.append((line, str(problem)))
                    continue
                report.added += added
                report.updated += 1 - added
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass


class _DryRun(Exception):
    """Leaves a batch's transaction without writing it."""


def _import_row(
    store: Store, team: Team, change: Change, kind: str, row: Row, pending: dict[str, int]
) -> int:
    """Add or update one party (or contact); 1 when added, 0 when an existing one was updated."""
    if kind == "contacts":
        return _import_contact(store, change, row, pending)
    role = CUSTOMER if kind == "customers" else "supplier"
    name = (row.get("name") or "").strip()
    if not name:
        raise RowProblem("no name")
    party = _existing(store, change, name, pending)
    fresh = party is None
    base = party or Party(
        id=0, name=name, roles=(), created_at=change.actor.at, created_by=change.actor.name
    )
    updated = _apply_row(team, base.with_role(role), row)
    if fresh:
        pending[name_key(name)] = change.add_party(updated)
    elif updated != party:
        change.save_party(updated)
    return int(fresh)


def _existing(store: Store, change: Change, name: str, pending: dict[str, int]) -> Party | None:
    if name_key(name) in pending:
        doc_id = pending[name_key(name)]
        return from_doc(Party, doc_id, change.current("parties", doc_id) or {})
    found = store.parties.named(name)
    if len(found) > 1:
        raise RowProblem(f"{name} names {len(found)} parties")
    return found[0] if found else None


def _apply_row(team: Team, party: Party, row: Row) -> Party:
    """The party with the row's values: fields overwritten, tags and aliases added."""
    values: dict[str, Any] = {}
    fields = dict(party.fields)
    tags = list(party.tags)
    aliases = list(party.aliases)
    for key, value in row.items():
        value = (value or "").strip()
        if not value or key in IGNORED or key == "name":
            continue
        if key == "owner":
            person = team.find(value)
            if person is None:
                raise RowProblem(f"owner {value} is not on the team")
            values["owner"] = person.name
        elif key == "category":
            values["category"] = value
        elif key == "tags":
            tags += [t for t in _split_list(value, "#") if t not in tags]
        elif key == "aliases":
            items = read_list(value) or _split_list(value, separators=r"[;,]")
            aliases += [a for a in items if a not in aliases and a != party.name]
        elif key in ("customer_status", "supplier_status"):
            values.update(_status(party, key, value))
        elif key == "fields":
            fields.update(_json_object(value, "fields"))
        elif key == "contacts":
            values["contacts"] = tuple(_json_list(value))
        else:
            if key == "email" and not looks_like_email(value):
                raise RowProblem(f"“{value}” is not an e-mail address")
            fields[key] = value
    return replace(party, fields=fields, tags=tuple(tags), aliases=tuple(aliases), **values)


def _status(party: Party, key: str, value: str) -> dict[str, str]:
    role = key.removesuffix("_status")
    if not party.is_(role):
        return {}
    if value not in statuses_for(role):
        raise RowProblem(f"{value} is not a {role} status")
    return {key: value}


def _split_list(value: str, strip: str = "", separators: str = r"[;,]|\s+") -> list[str]:
    parts = re.split(r"[;,]" if re.search(r"[;,]", value) else separators, value)
    return [
        p.strip().lstrip(strip).strip().lower() if strip else p.strip() for p in parts if p.strip()
    ]


def _json_object(value: str, key: str) -> dict[str, str]:
    try:
        data = json.loads(value)
    except json.JSONDecodeError:
        raise RowProblem(f"{key} is not valid JSON") from None
    if not isinstance(data, dict):
        raise RowProblem(f"{key} should be a JSON object")
    cleaned = {clean_line(str(k)): clean_line(str(v)) for k, v in data.items()}
    return {k: v for k, v in cleaned.items() if k and (k not in STANDARD_FIELDS or v)}


def _json_list(value: str) -> list[dict[str, str]]:
    try:
        data = json.loads(value)
    except json.JSONDecodeError:
        raise RowProblem("contacts is not valid JSON") from None
    if not isinstance(data, list) or not all(isinstance(c, dict) and c.get("name") for c in data):
        raise RowProblem("contacts should be a JSON list of {name, title, email, phone}")
    return [
        to_doc(Contact(**{k: clean_line(str(c.get(k, ""))) for k in CONTACT_KEYS})) for c in data
    ]


def _import_contact(store: Store, change: Change, row: Row, pending: dict[str, int]) -> int:
    name, party_name = (row.get("name") or "").strip(), (row.get("party") or "").strip()
    if not name or not party_name:
        raise RowProblem("a contact needs a name and a party")
    party = _existing(store, change, party_name, pending)
    if party is None:
        raise RowProblem(f"no party called {party_name}")
    email = (row.get("email") or "").strip()
    if email and not looks_like_email(email):
        raise RowProblem(f"“{email}” is not an e-mail address")
    contact = Contact(
        name, (row.get("title") or "").strip(), email, (row.get("phone") or "").strip()
    )
    others = tuple(c for c in party.contacts if name_key(c["name"]) != name_key(name))
    change.save_party(replace(party, contacts=(*others, _contact_doc(contact, row))))
    return int(len(others) == len(party.contacts))


def _contact_doc(contact: Contact, row: Row) -> dict[str, Any]:
    """A contact as stored; the row's other columns kept under their headers as `fields`."""
    known = {"name", "party", "title", "email", "phone"}
    extra = {k: v.strip() for k, v in row.items() if k not in known and v and v.strip()}
    return {**to_doc(contact), "fields": extra} if extra else to_doc(contact)
