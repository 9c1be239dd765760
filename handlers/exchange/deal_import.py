"""Importing deals from a CSV: our own export, or the deal exports of HubSpot, Salesforce and
Pipedrive as they come (their headers and stage names), with a report of rows skipped and why.

A company no party is called is added as a customer (a prospect); a deal already kept (same
title with the same party) is skipped, so an import can be run again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

from handlers.amounts import parse_amount
from handlers.context import Team
from handlers.deals.rules import open_stages, stage_names
from storage.deals import LOST, WON, Deal
from storage.models import CUSTOMER, Party, name_key
from storage.store import Store
from storage.unit_of_work import Actor, Change

Row = Mapping[str, str]
BATCH = 500
COLUMNS = {
    "title": ("title", "deal name", "opportunity name", "deal - title", "deal", "name"),
    "party": (
        "party",
        "associated company",
        "account name",
        "deal - organization",
        "company",
        "organization",
        "account",
    ),
    "value": ("value", "amount", "deal - value", "opportunity amount"),
    "currency": ("currency", "deal - currency", "amount currency", "opportunity currency"),
    "stage": ("stage", "deal stage", "deal - stage"),
    "status": ("status", "deal - status"),
    "close": ("close", "close date", "deal - expected close date", "expected close date"),
    "owner": ("owner", "deal owner", "opportunity owner", "deal - owner"),
}
# CRM stage words → the default stage they mean (the first open stage when not configured).
STAGE_WORDS = (
    ("won", WON),
    ("lost", LOST),
    ("negotiat", "negotiation"),
    ("contract", "negotiation"),
    ("decision", "negotiation"),
    ("proposal", "proposal"),
    ("quote", "proposal"),
    ("presentation", "proposal"),
    ("value proposition", "proposal"),
    ("qualif", "qualified"),
    ("needs analysis", "qualified"),
    ("demo", "qualified"),
)


def column_map(header: Iterable[str]) -> dict[str, str]:
    """Each CSV column → the deal field it holds (columns not recognised are left out)."""
    found: dict[str, str] = {}
    for column in header:
        key = " ".join(column.strip().lower().split())
        for target, names in COLUMNS.items():
            if key in names and target not in found.values():
                found[column] = target
                break
    return found


class RowProblem(Exception):
    """A row that cannot be imported; the message says why."""


def stage_of(team: Team, text: str, status: str = "") -> str:
    """The configured stage a CRM's stage (or won/lost status) means."""
    rules = team.policy.deals
    for word in (status, text):
        key = word.strip().lower()
        if key in stage_names(rules):
            return key
        for fragment, stage in STAGE_WORDS:
            if fragment in key and stage in stage_names(rules):
                return stage
    return open_stages(rules)[0]


def close_day(text: str, date_order: str) -> str:
    """'2027-01-15', '2027-01-15 00:00', '15/01/2027', '1/15/2027', '15.01.2027' → ISO day."""
    text = text.strip()
    if not text:
        return ""
    if re.match(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text[:10]).isoformat()
    parts = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text.split(" ")[0])
    if parts is None:
        raise RowProblem(f"close date “{text}” is not a date")
    first, second, year = (int(p) for p in parts.groups())
    orders = [(first, second), (second, first)]  # (day, month) as DMY reads it, then swapped
    if date_order == "MDY":
        orders.reverse()
    for day, month in orders:
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            continue
    raise RowProblem(f"close date “{text}” is not a date")


def _value(text: str) -> int:
    """'48000', '1,200.50', '€12k', '' (no amount: 0) → whole units."""
    if text.strip() and not any(c.isdigit() for c in text):
        raise RowProblem(f"amount “{text}” is not a number")
    cleaned = re.sub(r"[^\d.,kKmM]", "", text)
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "")
    found = parse_amount(cleaned or "0")
    if found is None:
        raise RowProblem(f"amount “{text}” is not a number")
    return found


def _owner(team: Team, text: str, default: str) -> str:
    """A CRM owner ('Ana Smith', 'ana@example.com') → the person of the team, else `default`."""
    for word in re.split(r"[\s@.]+", text.strip()):
        person = team.find(word)
        if person is not None:
            return person.name
    return default


class DealImport:
    """One import run: the rows as dicts of deal fields, written in batches."""

    def __init__(self, store: Store, team: Team, actor: Actor) -> None:
        self.store, self.team, self.actor = store, team, actor
        self.added = self.parties_added = 0
        self.skipped: list[tuple[int, str]] = []
        self._new_parties: dict[str, int] = {}
        self._seen: set[tuple[int, str]] = set()

    def run(
        self, rows: Sequence[tuple[int, Row]], dry_run: bool, advance: Callable[[int], None]
    ) -> list[str]:
        """Import (line number, row) pairs, a batch per change; nothing stored on a dry run."""
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            summary = f"Imported deals, lines {batch[0][0]}–{batch[-1][0]}"
            try:
                with self.store.command(), self.store.change(self.actor, summary) as change:
                    for line, row in batch:
                        try:
                            self._row(change, row)
                        except RowProblem as problem:
                            self.skipped.append((line, str(problem)))
                    if dry_run:
                        raise _DryRun
            except _DryRun:
                pass
            advance(len(batch))
        head = (
            f"{self.added} deals added, {self.parties_added} customers added, "
            f"{len(self.skipped)} skipped"
        )
        return [head] + [f"  line {line}: {reason}" for line, reason in self.skipped]

    def _row(self, change: Change, row: Row) -> None:
        title = row.get("title", "").strip()
        company = row.get("party", "").strip()
        if not title:
            raise RowProblem("no deal name")
        if not company:
            raise RowProblem("no company")
        value = _value(row.get("value", ""))
        close = close_day(row.get("close", ""), self.team.date_order)
        party_id = self._party(change, company)
        if (party_id, name_key(title)) in self._seen or any(
            name_key(d.title) == name_key(title) for d in self.store.deals.of_party(party_id)
        ):
            raise RowProblem(f"{title} with {company} is already kept")
        stage = stage_of(self.team, row.get("stage", ""), row.get("status", ""))
        at = self.actor.at
        deal = Deal(
            id=0,
            party_id=party_id,
            title=title,
            value=value,
            currency=(row.get("currency") or self.team.policy.deals.currency).strip().upper()[:3],
            stage=stage,
            owner=_owner(self.team, row.get("owner", ""), self.actor.name),
            close=close,
            opened_at=at,
            opened_by=self.actor.name,
            closed_at=at if stage in (WON, LOST) else None,
            history=({"stage": stage, "at": at, "by": self.actor.name},),
        )
        change.add(deal)
        self._seen.add((party_id, name_key(title)))
        self.added += 1

    def _party(self, change: Change, name: str) -> int:
        """The party the company names: found, made a customer, or added as a prospect."""
        key = name_key(name)
        if key in self._new_parties:
            return self._new_parties[key]
        named = self.store.parties.named(name)
        if named:
            found = named[0]
            if not found.is_(CUSTOMER):
                change.save_party(found.with_role(CUSTOMER))
            return found.id
        party = Party(
            id=0, name=name, roles=(), created_at=self.actor.at, created_by=self.actor.name
        )
        party_id = change.add_party(party.with_role(CUSTOMER))
        self._new_parties[key] = party_id
        self.parties_added += 1
        return party_id


class _DryRun(Exception):
    """Leaves a batch's transaction without writing it."""
