"""What a handler works with: the store, the team, the rules, and the message being answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.dates import DateContext, format_when
from handlers.reply import Message
from storage.models import Person, Policy
from storage.store import Actor, Store


@dataclass(frozen=True)
class Team:
    """The people the config lists, and the defaults that apply to them."""

    people: tuple[Person, ...]
    timezone: str = "UTC"
    work_hour: time = time(9, 0)
    date_order: str = "DMY"
    policy: Policy = field(default_factory=Policy)

    def find(self, handle: str) -> Person | None:
        """The person with this name, with or without a leading @, any case."""
        key = handle.lstrip("@").casefold()
        return next((p for p in self.people if p.handle == key), None)

    def by_slack(self, user_id: str) -> Person | None:
        return next((p for p in self.people if p.slack and p.slack == user_id), None)

    def by_telegram(self, user_id: int) -> Person | None:
        return next((p for p in self.people if p.telegram == user_id), None)

    def reports_of(self, manager: Person) -> list[Person]:
        return [p for p in self.people if p.manager.casefold() == manager.handle]


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
        """The person's zone: their own setting, else the config's, else the team default."""
        _, settings = self.store.people.settings(person.handle)
        for name in (settings.get("timezone"), person.timezone, self.team.timezone, "UTC"):
            if name:
                try:
                    return ZoneInfo(name)
                except (ZoneInfoNotFoundError, ValueError):
                    continue
        return ZoneInfo("UTC")

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
