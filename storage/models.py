"""The documents Rapport keeps, as frozen dataclasses, and the pure rules about them."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cache, lru_cache
from typing import Any, ClassVar, TypeVar

from anyascii import anyascii

from storage.text import match_form

CUSTOMER, SUPPLIER = "customer", "supplier"
ROLES = (CUSTOMER, SUPPLIER)
CUSTOMER_STATUSES = ("prospect", "active", "inactive")
SUPPLIER_STATUSES = ("onboarding", "approved", "preferred", "probation", "excluded")
FIRST_STATUS = {CUSTOMER: "prospect", SUPPLIER: "onboarding"}
STANDARD_FIELDS = ("email", "phone", "website", "region")
INTERACTION_KINDS = (
    "call",
    "meeting",
    "email",
    "message",
    "visit",
    "note",
    "order",
    "delivery",
    "complaint",
    "quote",
    "contract",
    "joint activity",
)
PERSON_ROLES = ("rep", "buyer", "manager", "admin")
CHANNELS = ("slack", "telegram", "terminal")

T = TypeVar("T")


def to_doc(obj: Any) -> dict[str, Any]:
    """A dataclass as a JSON-ready document (tuples become lists, the id is left out)."""
    doc = asdict(obj)
    doc.pop("id", None)
    return doc


def from_doc(cls: type[T], doc_id: int, doc: dict[str, Any]) -> T:
    """Rebuild a dataclass from a stored document, ignoring unknown keys from newer versions."""
    stored, tuple_fields = _shape(cls)  # type: ignore[arg-type]
    if doc.keys() == stored:
        # A document this version wrote has every field: filling the instance directly skips
        # the frozen constructor's per-field checks, a third of loading a year's store.
        result: T = object.__new__(cls)
        values = result.__dict__
        values.update(doc)
        values["id"] = doc_id
    else:
        maker: Any = cls
        result = maker(id=doc_id, **{k: v for k, v in doc.items() if k in stored})
        values = result.__dict__
    for name in tuple_fields:
        if isinstance(values[name], list):
            values[name] = tuple(_tuplify(v) for v in values[name])
    return result


@cache
def _shape(cls: type) -> tuple[frozenset[str], tuple[str, ...]]:
    """A dataclass's stored field names (all but `id`), and those stored as lists but kept as
    tuples."""
    found = [f for f in fields(cls) if f.name != "id"]
    return frozenset(f.name for f in found), tuple(f.name for f in found if "tuple" in str(f.type))


def _tuplify(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuplify(v) for v in value)
    return value


@dataclass(frozen=True)
class Contact:
    name: str
    title: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class StatusChange:
    role: str
    status: str
    reason: str
    by: str
    at: str


@dataclass(frozen=True)
class Party:
    COLLECTION: ClassVar[str] = "parties"

    id: int
    name: str
    roles: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    customer_status: str | None = None
    supplier_status: str | None = None
    tags: tuple[str, ...] = ()
    category: str = ""
    owner: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    contacts: tuple[dict[str, str], ...] = ()
    status_history: tuple[dict[str, str], ...] = ()
    cadence_days: int | None = None
    created_at: str = ""
    created_by: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def is_(self, role: str) -> bool:
        return role in self.roles

    @property
    def excluded(self) -> bool:
        return self.supplier_status == "excluded"

    def status_of(self, role: str) -> str | None:
        return self.customer_status if role == CUSTOMER else self.supplier_status

    @property
    def status(self) -> str:
        """One word per role, customer first: 'active' or 'active, approved'."""
        return ", ".join(s for s in (self.customer_status, self.supplier_status) if s)

    def with_role(self, role: str) -> Party:
        """This party with one more role, starting at that role's first status."""
        if role in self.roles:
            return self
        roles = tuple(r for r in ROLES if r in self.roles or r == role)
        status: dict[str, Any] = {f"{role}_status": FIRST_STATUS[role]}
        return replace(self, roles=roles, **status)


@dataclass(frozen=True)
class Interaction:
    COLLECTION: ClassVar[str] = "interactions"

    id: int
    party_id: int
    kind: str
    at: str
    notes: str
    by: str
    channel: str
    logged_at: str
    follow_up: str | None = None
    reminder_id: int | None = None
    files: tuple[tuple[str, str], ...] = ()  # (name, link) of files attached in the chat


def files_text(files: tuple[tuple[str, str], ...]) -> str:
    """Attached files as one line of text: `quote.pdf https://…; plan.xlsx https://…`."""
    return "; ".join(" ".join(part for part in (name, link) if part) for name, link in files)


def statuses_for(role: str) -> tuple[str, ...]:
    return CUSTOMER_STATUSES if role == CUSTOMER else SUPPLIER_STATUSES


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def looks_like_email(text: str) -> bool:
    """A loose check that catches typos (no @, no dot after it, spaces), not a validator."""
    return _EMAIL.match(text) is not None


def normalise_tag(tag: str) -> str:
    return tag.lstrip("#").strip().lower()


def name_key(name: str) -> str:
    """How names are compared: case, accents, spacing, punctuation, look-alike forms and
    invisible characters ignored."""
    name = match_form(name)
    if not name.isascii():
        name = anyascii(name)  # Müller → Muller, Søhne → Sohne, Straße → Strasse
    return " ".join(name.casefold().replace(",", " ").replace(".", " ").split())


@dataclass(frozen=True)
class Person:
    """Somebody of the team, as the config lists them."""

    name: str
    role: str = "rep"
    timezone: str = "UTC"
    slack: str = ""
    telegram: int | None = None
    manager: str = ""
    notify: str = ""

    @property
    def handle(self) -> str:
        return self.name.casefold()

    @property
    def is_manager(self) -> bool:
        return self.role in ("manager", "admin")


@dataclass(frozen=True)
class Reward:
    name: str
    cost: int
    for_role: str = "any"
    kind: str = "points"  # points | contract (redeeming opens a draft contract)


DEFAULT_STAGES = (
    ("lead", 0.1),
    ("qualified", 0.25),
    ("proposal", 0.5),
    ("negotiation", 0.75),
    ("won", 1.0),
    ("lost", 0.0),
)


@dataclass(frozen=True)
class DealRules:
    """`[deals]`: the stages in order with their probability, the currency, when a deal is stale."""

    stages: tuple[tuple[str, float], ...] = DEFAULT_STAGES
    currency: str = "EUR"
    stale_days: int = 14


@dataclass(frozen=True)
class SupplierPolicy:
    """One `[[policies]]` entry: suppliers of the category or tag must hold these certificates."""

    name: str
    require: tuple[str, ...]
    category: str = ""
    tag: str = ""


@dataclass(frozen=True)
class Policy:
    """The business rules the config sets: limits, tiers, rewards, scorecard, reminders."""

    award_limit: int = 100
    tiers: tuple[tuple[str, int], ...] = (
        ("bronze", 0),
        ("silver", 500),
        ("gold", 2000),
        ("platinum", 5000),
    )
    rewards: tuple[Reward, ...] = ()
    auto_points: tuple[tuple[str, int], ...] = ()
    scorecard_weights: tuple[tuple[str, float], ...] = (
        ("quality", 0.3),
        ("delivery", 0.3),
        ("price", 0.2),
        ("communication", 0.1),
        ("sustainability", 0.1),
    )
    scorecard_period_days: int = 180
    digest_time: str = "08:30"
    escalate_after_days: int = 2
    tag_cadences: tuple[tuple[str, int], ...] = ()
    deals: DealRules = field(default_factory=DealRules)
    supplier_policies: tuple[SupplierPolicy, ...] = ()
    weekly_report: str = "mon 08:00"  # leads' weekly charts: a day and a time, or "off"


def may_change_party(person: Person, party: Party) -> bool:
    """Reps and buyers change what they own or log; managers and admins change anything."""
    return person.is_manager or not party.owner or party.owner.casefold() == person.handle


def needs_manager_for_status(status: str) -> bool:
    return status in ("probation", "excluded")


def may_set_status(person: Person, party: Party, role: str, status: str) -> bool:
    """Into or out of probation or exclusion is a manager's call; other moves the owner's."""
    current = party.status_of(role) or ""
    if needs_manager_for_status(status) or needs_manager_for_status(current):
        return person.is_manager
    return may_change_party(person, party)


def may_write_party(person: Person, before: Party | None, after: Party) -> bool:
    """The one check every write of a party passes: a new party is anyone's to add; adding a
    role (at its first status) is anyone's; a status move follows `may_set_status`; any other
    change follows `may_change_party` on the party as it was."""
    if before is None:
        return True
    with_roles = before
    for role in after.roles:
        with_roles = with_roles.with_role(role)
    if with_roles == after:
        return True
    moved = [r for r in ROLES if before.status_of(r) != after.status_of(r)]
    status_only = replace(
        before,
        customer_status=after.customer_status,
        supplier_status=after.supplier_status,
        status_history=after.status_history,
    )
    if moved and status_only == after:
        return all(may_set_status(person, before, r, after.status_of(r) or "") for r in moved)
    return may_change_party(person, before)


def may_move_points(person: Person, points: int, policy: Policy) -> bool:
    """Awards, deductions and redemptions above the award limit need a manager or an admin."""
    return person.is_manager or points <= policy.award_limit


@dataclass(frozen=True)
class Tier:
    """The tier a party's points earned reach (None below the lowest) and the next one."""

    name: str | None
    next_name: str | None = None
    to_next: int = 0


@lru_cache(maxsize=4096)  # pure, and asked for every party of a `find … tier:gold`
def tier_for(earned: int, tiers: tuple[tuple[str, int], ...]) -> Tier:
    """Tiers follow points *earned*, not the balance, so redeeming never drops a tier."""
    reached = None
    for name, floor in sorted(tiers, key=lambda tier: tier[1]):
        if earned < floor:
            return Tier(reached, name, math.ceil(floor - earned))
        reached = name
    return Tier(reached)


def may_change_deal(person: Person, owner: str) -> bool:
    """A deal is changed by its owner or by a manager (or an admin)."""
    return person.is_manager or owner.casefold() == person.handle


def may_manage_terms(person: Person) -> bool:
    """Contracts and certificates are kept by buyers and managers (and admins)."""
    return person.is_manager or person.role == "buyer"
