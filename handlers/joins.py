"""Join requests: someone unknown writes, hears one refusal, and the admins and managers get a
message with buttons (rep, buyer, manager, ignore) that adds them with `team add`.

A request is a team setting `join:<platform>:<id>` = {name, state, at}; its state is `asked`,
`ignored` or `added`, so a stranger is refused once and asked about once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from handlers.context import Team
from handlers.notices import SYSTEM, reply_to_doc
from handlers.reply import Button, Reply, Section
from storage.deliveries import Delivery
from storage.models import Person
from storage.settings import put_setting
from storage.store import Store
from storage.unit_of_work import Actor, Change

PLATFORMS = ("slack", "telegram")
JOIN_ROLES = ("rep", "buyer", "manager")


def key_of(fields: Mapping[str, str]) -> str | None:
    """`slack:U123` or `telegram:123` from a line's fields; None when neither is there."""
    for platform in PLATFORMS:
        if fields.get(platform):
            return f"{platform}:{fields[platform].lstrip('@')}"
    return None


def pending(store: Store, key: str) -> bool:
    request = store.settings.get(f"join:{key}")
    return request is not None and request.get("state") == "asked"


def mark(change: Change, store: Store, key: str, state: str) -> None:
    request = store.settings.get(f"join:{key}")
    if request is not None:
        put_setting(change, store.settings, f"join:{key}", {**request, "state": state})


def settle(change: Change, store: Store, person: Person, state: str) -> None:
    """Close the join requests of the accounts a person was just given."""
    for key in (f"slack:{person.slack}", f"telegram:{person.telegram}"):
        if pending(store, key):
            mark(change, store, key, state)


def request(
    store: Store, team: Team, platform: str, user_id: str, name: str, now: datetime
) -> bool:
    """Record a stranger's first message and ask the admins and managers about them.

    True only the first time (the stranger hears the refusal once); call under the store's lock.
    """
    key = f"{platform}:{user_id}"
    if store.settings.get(f"join:{key}") is not None:
        return False
    former = _former(store, platform, user_id)  # removed once: asked about under their name
    handle = former or free_handle(store, team, name or f"{platform}{user_id}")
    actor = Actor(name=SYSTEM, channel=platform, at=now.isoformat())
    with store.change(actor, f"Join request from {handle} ({key})") as change:
        put_setting(
            change,
            store.settings,
            f"join:{key}",
            {"name": handle, "state": "asked", "at": actor.at},
        )
        for person in team.members():
            if person.is_manager:
                _ask(change, person, handle, key, actor.at)
    return True


def _ask(change: Change, to: Person, handle: str, key: str, at: str) -> None:
    """The join request as a notice with one button per role and Ignore."""
    platform = key.split(":", 1)[0].capitalize()
    buttons = tuple(
        Button(
            role.capitalize(),
            f"team add @{handle} as {role} {key}",
            "primary" if role == "rep" else "",
        )
        for role in JOIN_ROLES
    )
    reply = Reply(
        title=f"{handle} wrote to Rapport on {platform} but isn't on the team.",
        sections=(Section(lines=("Add them as:",)),),
        buttons=(*buttons, Button("Ignore", f"team ignore {key}", "danger")),
    )
    delivery = Delivery(
        id=0, to=to.name, reply=reply_to_doc(reply), kind="notice", created_at=at, created_by=SYSTEM
    )
    change.add(delivery)


def _former(store: Store, platform: str, user_id: str) -> str:
    """The name of a removed person who had this account, or ""."""
    for person, active, _source in store.people.stored():
        account = person.slack if platform == "slack" else str(person.telegram or "")
        if not active and account == user_id:
            return person.name
    return ""


def free_handle(store: Store, team: Team, name: str) -> str:
    """A one-word handle from a display name, made unique with a number when it is taken."""
    base = re.sub(r"[^\w.-]+", "", name.replace(" ", ".")).strip(".-") or "newcomer"
    handle, number = base, 1
    while team.find(handle) is not None or "member" in store.people.settings(handle)[1]:
        number += 1
        handle = f"{base}{number}"
    return handle
