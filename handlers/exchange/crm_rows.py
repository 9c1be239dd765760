"""Reading a CRM's export row by row into the rows `imports.import_rows` takes: columns to our
fields by the table in crm_formats, stage words to statuses, owners to people of the team."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from handlers.context import Team
from handlers.exchange.crm_formats import CrmFormat, field_of, status_for
from storage.models import CUSTOMER, SUPPLIER, Person

NAME_PARTS = ("first_name", "last_name")


@dataclass
class CrmPlan:
    """How one export is read: each header's field ("" keeps it as a custom field)."""

    crm: CrmFormat
    kind: str
    columns: dict[str, str]
    unknown_owners: Counter[str] = field(default_factory=Counter)
    unread_stages: Counter[str] = field(default_factory=Counter)

    @classmethod
    def for_header(cls, crm: CrmFormat, kind: str, header: list[str]) -> CrmPlan:
        return cls(crm, kind, {h: field_of(crm, h) or "" for h in header if h.strip()})

    @property
    def role(self) -> str:
        return SUPPLIER if self.kind == "suppliers" else CUSTOMER

    def mapping_lines(self) -> list[str]:
        """The mapping as `--dry-run` shows it."""
        lines = [f"Recognised a {self.crm.title} export; columns read as:"]
        for header, ours in self.columns.items():
            shown = ours.replace("_", " ") if ours else f"custom field “{header.strip()}”"
            lines.append(f"  {header.strip()} → {shown}")
        return lines

    def notes(self) -> list[str]:
        """Owners not found on the team and stage words without a sure meaning."""
        lines = []
        if self.unknown_owners:
            found = ", ".join(f"{o} ({n})" for o, n in sorted(self.unknown_owners.items()))
            lines.append(f"Owners not on the team, left unassigned: {found}")
        if self.unread_stages:
            found = ", ".join(f"{w} ({n})" for w, n in sorted(self.unread_stages.items()))
            lines.append(f"Stages kept as a field, status left as it was: {found}")
        return lines

    def row(self, raw: Mapping[str, str | None], team: Team) -> dict[str, str]:
        """One export row as an import row."""
        out: dict[str, str] = {}
        for header, ours in self.columns.items():
            value = (raw.get(header) or "").strip()
            if not value:
                continue
            if not ours:
                out[header.strip()] = value
            elif ours == "owner":
                self._owner(out, value, team)
            elif ours == "status":
                self._status(out, header, value)
            else:
                out[ours] = value
        first, last = (out.pop(part, "") for part in NAME_PARTS)
        if first or last:
            out["name"] = f"{first} {last}".strip()
        return out

    def _owner(self, out: dict[str, str], value: str, team: Team) -> None:
        person = owner_of(team, value)
        if person is None:
            self.unknown_owners[value] += 1
        else:
            out["owner"] = person.name

    def _status(self, out: dict[str, str], header: str, value: str) -> None:
        status = status_for(self.role, value) if self.kind != "contacts" else None
        if status is None:
            if self.kind != "contacts":
                self.unread_stages[value] += 1
            out[header.strip()] = value
        else:
            out[f"{self.role}_status"] = status


def owner_of(team: Team, value: str) -> Person | None:
    """The person an owner column names: by name, first name, or the e-mail's name part."""
    text = value.strip().casefold()
    if "@" in text:
        local = text.split("@", 1)[0]
        candidates = [local, local.split(".")[0], local.split("_")[0]]
    else:
        candidates = [text, text.replace(" ", "."), text.split()[0] if text.split() else text]
    for candidate in candidates:
        person = team.find(candidate)
        if person is not None:
            return person
    return None
