"""Supplier policies (`[[policies]]`): which certificates a supplier must hold, and who fails.

A supplier falls under a policy by its category or a tag; it is failing the policy while one
of the required certificates is missing or expired. Failing shows on the card and list line,
is found with `find suppliers policy:failing`, blocks `preferred`, and each manager is told
once when a supplier starts failing (the scheduler checks; a mark remembers who was told).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.approvals import managers
from handlers.context import Context, Team
from handlers.notices import context_for, notify
from handlers.reply import Reply, Section, problem
from storage.models import SUPPLIER, Party, SupplierPolicy, name_key
from storage.store import Store
from storage.unit_of_work import Change

POLICY_CHECK = "policy"
FAILING_MARK = "⚠ failing policy"


@dataclass(frozen=True)
class Failure:
    policy: SupplierPolicy
    missing: tuple[str, ...]

    def said(self) -> str:
        """'eco packaging (no valid ISO 14001)'."""
        return f"{self.policy.name} (no valid {', '.join(self.missing)})"


def covers(policy: SupplierPolicy, party: Party) -> bool:
    if not party.is_(SUPPLIER):
        return False
    if policy.category:
        return party.category.casefold() == policy.category.casefold()
    return policy.tag in party.tags


def team_day(team: Team, now: datetime) -> str:
    """Today in the team's zone: a certificate is valid until (not on) its expiry day."""
    return now.astimezone(ZoneInfo(team.timezone)).date().isoformat()


def failures(
    store: Store, policies: tuple[SupplierPolicy, ...], party: Party, day: str
) -> list[Failure]:
    """The policies the party falls under and fails on `day`, with the certificates missing."""
    found: list[Failure] = []
    applying = [p for p in policies if covers(p, party)]
    if not applying:
        return found
    held = {name_key(c.name) for c in store.certs.of_party(party.id) if c.valid_on(day)}
    for policy in applying:
        missing = tuple(r for r in policy.require if name_key(r) not in held)
        if missing:
            found.append(Failure(policy, missing))
    return found


def failures_now(ctx: Context, party: Party) -> list[Failure]:
    return failures(ctx.store, ctx.policy.supplier_policies, party, team_day(ctx.team, ctx.now))


def policy_section(ctx: Context, party: Party) -> Section | None:
    """The card's policies: each one the supplier falls under, passing or failing."""
    applying = [p for p in ctx.policy.supplier_policies if covers(p, party)]
    if not applying:
        return None
    failing = {f.policy.name: f for f in failures_now(ctx, party)}
    lines = tuple(
        f"{FAILING_MARK}: {failing[p.name].said()}" if p.name in failing else f"✓ {p.name}"
        for p in applying
    )
    return Section(title="Policies", lines=lines)


def failing_marker(ctx: Context, party: Party) -> str:
    """What a list line adds for a failing supplier ('' when it passes)."""
    found = failures_now(ctx, party)
    return f"{FAILING_MARK}: {'; '.join(f.said() for f in found)}" if found else ""


def has_policy_state(ctx: Context, party: Party, value: str) -> bool:
    """`find suppliers policy:failing` (or `policy:passing`)."""
    failing = bool(failures_now(ctx, party))
    return (
        failing
        if value.lower() == "failing"
        else (not failing and any(covers(p, party) for p in ctx.policy.supplier_policies))
    )


def preferred_refusal(ctx: Context, party: Party, status: str) -> Reply | None:
    """A supplier failing a policy cannot be made preferred; the refusal names what is missing."""
    if status != "preferred":
        return None
    found = failures_now(ctx, party)
    if not found:
        return None
    missing = ", ".join(f"{m}" for f in found for m in f.missing)
    return problem(
        f"{party.name} can't be preferred: it fails {', '.join(f.said() for f in found)}.",
        f'cert {party.name} "{missing.split(", ")[0]}" expires 31 dec',
    )


def _mark(party_id: int, policy: SupplierPolicy) -> str:
    return f"{POLICY_CHECK}:{party_id}:{policy.name}"


def policy_check_time(store: Store, team: Team, party_id: int, now: datetime) -> datetime | None:
    """When the party's policy standing next needs a look: now when it differs from what the
    managers were told, else the working hour of the day its next required certificate expires."""
    party = store.parties.get(party_id)
    policies = team.policy.supplier_policies
    if party is None or not policies:
        return None
    starts, ends = _news(store, team, party, now)
    if starts or ends:
        return now
    required = {name_key(r) for p in policies if covers(p, party) for r in p.require}
    day = team_day(team, now)
    upcoming = [
        c.expires
        for c in store.certs.of_party(party_id)
        if name_key(c.name) in required and c.valid_on(day)
    ]
    if not upcoming:
        return None
    zone = ZoneInfo(team.timezone)
    return datetime.combine(date.fromisoformat(min(upcoming)), team.work_hour, tzinfo=zone)


def _news(
    store: Store, team: Team, party: Party, now: datetime
) -> tuple[list[Failure], list[SupplierPolicy]]:
    """Failures the managers have not heard of, and told ones the party no longer fails."""
    found = failures(store, team.policy.supplier_policies, party, team_day(team, now))
    failing = {f.policy.name for f in found}
    starts = [f for f in found if not store.alerts.sent(_mark(party.id, f.policy))]
    ends = [
        p
        for p in team.policy.supplier_policies
        if p.name not in failing and store.alerts.sent(_mark(party.id, p))
    ]
    return starts, ends


def check_policies(store: Store, team: Team, change: Change, party_id: int, now: datetime) -> None:
    """Tell every manager of each policy the party starts failing; forget the ones it passes."""
    party = store.parties.get(party_id)
    if party is None:
        return
    starts, ends = _news(store, team, party, now)
    for policy in ends:
        store.alerts.unmark(change, _mark(party_id, policy))
    for failure in starts:
        store.alerts.mark(change, _mark(party_id, failure.policy), now.isoformat())
        for manager in managers(team):
            ctx = context_for(store, team, manager, now)
            title = f"{party.name} now fails the policy {failure.said()}."
            hint = f"It can't be made preferred until it holds {', '.join(failure.missing)}."
            reply = Reply(title=title, sections=(Section(lines=(hint,)),), ok=False)
            notify(ctx, change, manager.name, reply, kind="flag")


def needs_check(store: Store, team: Team, party_id: int, now: datetime) -> bool:
    """Is there news about this party's policies to write (a quick read, no change)?"""
    party = store.parties.get(party_id)
    if party is None or not team.policy.supplier_policies:
        return False
    starts, ends = _news(store, team, party, now)
    return bool(starts or ends)
