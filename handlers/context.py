"""What a handler works with: the store, the team, the rules, and the message being answered."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.dates import DateContext, format_when
from handlers.reply import Message
from storage.models import Person, Policy
from storage.store import Store
from storage.unit_of_work import Actor


class Roster(Protocol):
    """Where the live team comes from: the store's people, with the config's `seed` winning."""

    def members(self, seed: tuple[Person, ...]) -> tuple[Person, ...]: ...

    def member(self, seed: tuple[Person, ...], handle: str) -> Person | None: ...


@dataclass(frozen=True)
class Team:
    """The team: `people` as the config lists them (the seed), the people added in chat through
    `roster` once bound to a store, and the defaults that apply to them."""

    people: tuple[Person, ...]
    timezone: str = "UTC"
    work_hour: time = time(9, 0)
    date_order: str = "DMY"
    policy: Policy = field(default_factory=Policy)
    roster: Roster | None = field(default=None, compare=False, repr=False)

    def bound_to(self, roster: Roster) -> Team:
        """The same team, reading who is in it live from `roster` (the store's people)."""
        return replace(self, roster=roster)

    def members(self) -> tuple[Person, ...]:
        """Everyone served now: the config's people and the active people added in chat."""
        return self.roster.members(self.people) if self.roster is not None else self.people

    def find(self, handle: str) -> Person | None:
        """The person with this name, with or without a leading @, any case."""
        key = handle.lstrip("@").casefold()
        if self.roster is not None:
            return self.roster.member(self.people, key)
        return next((p for p in self.people if p.handle == key), None)

    def by_slack(self, user_id: str) -> Person | None:
        return next((p for p in self.members() if p.slack and p.slack == user_id), None)

    def by_telegram(self, user_id: int) -> Person | None:
        return next((p for p in self.members() if p.telegram == user_id), None)

    def reports_of(self, manager: Person) -> list[Person]:
        return [p for p in self.members() if p.manager.casefold() == manager.handle]

    def leads(self, person: Person) -> bool:
        """Does the person lead a team (a manager, or anyone people report to)?"""
        return person.role == "manager" or bool(self.reports_of(person))

    def team_of(self, person: Person) -> list[Person]:
        """The person and everyone reporting to them, directly or not."""
        found, queue = [person], [person]
        while queue:
            for report in self.reports_of(queue.pop()):
                if report not in found:
                    found.append(report)
                    queue.append(report)
        return found


@dataclass
class Context:
    """One message being answered: everything a handler needs, the clock included."""

    store: Store
    team: Team
    message: Message

    @property
    def person(self) -> Person:
        return self.message.person

    @property
    def now(self) -> datetime:
        return self.message.now

    @property
    def policy(self) -> Policy:
        return self.team.policy

    def tz_of(self, person: Person) -> ZoneInfo:
        """The person's zone (see zone_source)."""
        return self.zone_source(person)[0]

    def zone_source(self, person: Person) -> tuple[ZoneInfo, str]:
        """The person's zone and why: their own setting, else the one the config or `team add`
        gave, else their Slack profile's, else the team's."""
        _, settings = self.store.people.settings(person.handle)
        slack_zone, _read_at = self.store.people.slack_zone(person.handle)
        for name, why in (
            (settings.get("timezone"), "your setting"),
            (person.timezone, "set for you by the team"),
            (slack_zone, "your Slack profile"),
            (self.team.timezone, "the team's"),
        ):
            if name:
                try:
                    return ZoneInfo(name), why
                except (ZoneInfoNotFoundError, ValueError):
                    continue
        return ZoneInfo("UTC"), "the team's"

    @property
    def tz(self) -> ZoneInfo:
        return self.tz_of(self.person)

    def dates(self) -> DateContext:
        return DateContext(
            now=self.now, tz=self.tz, work_hour=self.team.work_hour, date_order=self.team.date_order
        )

    def show_time(self, iso: str | datetime) -> str:
        """An absolute date and time in the reader's zone."""
        moment = datetime.fromisoformat(iso) if isinstance(iso, str) else iso
        return format_when(moment, self.tz)

    def actor(self) -> Actor:
        return Actor(
            name=self.person.name,
            channel=self.message.channel,
            at=self.now.isoformat(),
            message_id=self.message.message_id,
        )
