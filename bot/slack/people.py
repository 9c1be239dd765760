"""Who is writing in Slack, from Slack's side: profiles (`users.info`, scope users:read) for the
zone of a person's Slack profile (read the first time they write, refreshed daily), for the
name of someone mentioned who is not on the team yet, and for the join request of a stranger.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handlers import joins
from handlers.context import Team
from handlers.notices import SYSTEM
from storage.models import Person
from storage.store import Store
from storage.unit_of_work import Actor

log = logging.getLogger(__name__)
ZONE_FRESH_FOR = timedelta(days=1)
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


class SlackPeople:
    """Slack profiles, read through the Web API and kept for the run; zones kept in the store."""

    def __init__(
        self, client: AsyncWebClient, store: Store, team: Team, clock: Callable[[], datetime]
    ) -> None:
        self.client = client
        self.store = store
        self.team = team
        self.clock = clock
        self._profiles: dict[str, dict[str, Any]] = {}

    async def profile(self, user_id: str, fresh: bool = False) -> dict[str, Any]:
        """The member's `users.info` user object ({} when Slack will not say)."""
        if fresh or user_id not in self._profiles:
            try:
                found = await self.client.users_info(user=user_id)
            except SlackApiError as error:  # the log names no person: the reason only
                log.warning("Slack: users.info refused: %s", error.response.get("error"))
                return self._profiles.get(user_id, {})
            except (TimeoutError, SlackClientError, OSError) as error:
                log.warning("Slack: users.info failed: %s", type(error).__name__)
                return self._profiles.get(user_id, {})
            self._profiles[user_id] = dict(found.get("user") or {})
        return self._profiles[user_id]

    async def name_of(self, user_id: str) -> str:
        """A member's Slack name (display name, else username), as a one-word handle base."""
        user = await self.profile(user_id)
        shown = (user.get("profile") or {}).get("display_name") or user.get("name") or ""
        return re.sub(r"[^\w.-]+", "", shown.replace(" ", ".")).strip(".-")

    async def refresh_zone(self, person: Person) -> None:
        """Keep the zone of the person's Slack profile, read when missing or a day old."""
        if not person.slack:
            return
        now = self.clock()
        zone, read_at = self.store.people.slack_zone(person.handle)
        if read_at and now - datetime.fromisoformat(read_at) < ZONE_FRESH_FOR:
            return
        user = await self.profile(person.slack, fresh=True)
        found = _valid_zone(str(user.get("tz") or ""))
        if found or not read_at:
            await asyncio.to_thread(self._keep_zone, person.handle, found or zone, now)

    def _keep_zone(self, handle: str, zone: str, now: datetime) -> None:
        actor = Actor(name=SYSTEM, channel="slack", at=now.isoformat())
        with (
            self.store.command(),
            self.store.change(actor, f"Slack profile zone of {handle}") as change,
        ):
            fields = {"slack_zone": zone, "slack_zone_at": actor.at}
            self.store.people.update(change, handle, fields)

    async def name_strangers(self, text: str, bot_user_id: str = "") -> str:
        """`<@U…>` of someone not on the team becomes `@name slack:U…`, so `team add` has both."""
        for user_id in set(_MENTION.findall(text)):
            if user_id == bot_user_id or self.team.by_slack(user_id) is not None:
                continue
            name = await self.name_of(user_id) or user_id.lower()
            text = re.sub(rf"<@{user_id}(?:\|[^>]*)?>", f"@{name} slack:{user_id}", text)
        return text

    async def stranger(self, user_id: str) -> bool:
        """Someone not on the team wrote: True the first time (they hear the refusal once),
        when the admins and managers are asked about them."""
        if not user_id or self.store.settings.get(f"join:slack:{user_id}") is not None:
            return False
        name = await self.name_of(user_id)

        def ask() -> bool:
            with self.store.command():
                return joins.request(self.store, self.team, "slack", user_id, name, self.clock())

        return await asyncio.to_thread(ask)


def _valid_zone(name: str) -> str:
    try:
        return str(ZoneInfo(name)) if name else ""
    except (ZoneInfoNotFoundError, ValueError):
        return ""
