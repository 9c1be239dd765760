"""The TOML config, read into frozen dataclasses; `env:NAME` values come from the environment."""

from __future__ import annotations

import getpass
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.context import Team
from handlers.reports.weekly import read_weekly
from storage.models import (
    INTERACTION_KINDS,
    PERSON_ROLES,
    DealRules,
    Person,
    Policy,
    Reward,
    SupplierPolicy,
    normalise_tag,
)

DEFAULT_STORE = "rapport-data"
DEFAULT_FILE = "rapport.toml"


class ConfigError(Exception):
    """The config is wrong; the message names the key."""


@dataclass(frozen=True)
class SlackConfig:
    mode: str = "socket"
    bot_token: str = ""
    app_token: str = ""
    signing_secret: str = ""
    port: int = 3000
    api_url: str = "https://slack.com/api/"


@dataclass(frozen=True)
class TelegramConfig:
    mode: str = "polling"
    token: str = ""
    webhook_url: str = ""
    secret_token: str = ""
    port: int = 8443
    base_url: str = "https://api.telegram.org/bot"
    groups: tuple[int, ...] = ()


@dataclass(frozen=True)
class Config:
    store_path: Path
    team: Team
    slack: SlackConfig | None = None
    telegram: TelegramConfig | None = None
    source: Path | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    store_url: str = ""  # a postgresql:// URL: the store is in that database, not the folder
    health_port: int = 8080  # `rapport run`'s /healthz and /readyz (0: not served)

    @property
    def store_location(self) -> str:
        """What `Store` opens: the database URL when one is set, else the folder."""
        return self.store_url or str(self.store_path)


def machine_timezone() -> str:
    """The machine's zone name (TZ, else /etc/localtime), or UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name and os.path.islink("/etc/localtime"):
        name = os.path.realpath("/etc/localtime").split("zoneinfo/", 1)[-1]
    try:
        return str(ZoneInfo(name)) if name else "UTC"
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"


def default_config(store: str | None = None) -> Config:
    """No config file: the store in ./rapport-data and the login as the only person, an admin."""
    zone = machine_timezone()
    person = Person(name=getpass.getuser() or "me", role="admin", timezone=zone)
    return Config(store_path=Path(store or DEFAULT_STORE), team=Team((person,), timezone=zone))


def load_config(path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> Config:
    """Read and check a config file; ConfigError names the first wrong key."""
    source = Path(path)
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such config file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{source}: not valid TOML: {error}") from None
    reader = _Reader(raw, os.environ if env is None else env)
    store = Path(reader.text("store.path", DEFAULT_STORE))
    if not store.is_absolute():
        store = source.parent / store
    return Config(
        store_path=store,
        team=_team(reader),
        slack=_slack(reader) if "slack" in raw else None,
        telegram=_telegram(reader) if "telegram" in raw else None,
        source=source,
        raw=raw,
        store_url=_store_url(reader),
        health_port=reader.number("health.port", 8080),
    )


def _store_url(reader: _Reader) -> str:
    """`[store] url`: a PostgreSQL URL, from the environment when it carries a password."""
    url = reader.text("store.url", "")
    if not url:
        return ""
    if not url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(f"store.url: should be a postgresql:// URL, not {url[:20]!r}…")
    literal = str(reader.get("store.url", ""))
    userinfo = url.split("://", 1)[1].split("/", 1)[0].rpartition("@")[0]
    if not literal.startswith("env:") and ":" in userinfo:
        raise ConfigError("store.url: a password never lives in the file; write env:NAME")
    return url


class _Reader:
    """Typed look-ups of dotted keys, with `env:NAME` secrets resolved."""

    def __init__(self, raw: Mapping[str, Any], env: Mapping[str, str]) -> None:
        self.raw = raw
        self.env = env

    def get(self, key: str, default: Any = None) -> Any:
        node: Any = self.raw
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node

    def text(self, key: str, default: str = "", secret: bool = False) -> str:
        value = self.get(key, default)
        if not isinstance(value, str):
            raise ConfigError(f"{key}: should be text, not {value!r}")
        if value.startswith("env:"):
            name = value[4:]
            if name not in self.env:
                raise ConfigError(f"{key}: environment variable {name} is not set")
            return self.env[name]
        if secret and value:
            raise ConfigError(f"{key}: secrets never live in the file; write env:NAME")
        return value

    def number(self, key: str, default: int) -> int:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{key}: should be a whole number ≥ 0, not {value!r}")
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(key, default)
        if value not in options:
            raise ConfigError(f"{key}: should be one of {', '.join(options)}, not {value!r}")
        return value

    def zone(self, key: str, default: str) -> str:
        name = self.text(key, default)
        try:
            return str(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{key}: unknown time zone {name!r}") from None

    def clock(self, key: str, default: str) -> time:
        value = self.text(key, default)
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value):
            raise ConfigError(f"{key}: should be a time like 09:00, not {value!r}")
        hour, minute = value.split(":")
        return time(int(hour), int(minute))


def _team(reader: _Reader) -> Team:
    zone = reader.zone("defaults.timezone", machine_timezone())
    people = reader.get("people", [])
    if not isinstance(people, list):
        raise ConfigError("people: should be a list of [[people]] tables")
    team = tuple(_person(reader, i, zone) for i in range(len(people)))
    names = [p.handle for p in team]
    for person in team:
        if names.count(person.handle) > 1:
            raise ConfigError(f"people: {person.name} is listed twice")
        if person.manager and person.manager.casefold() not in names:
            raise ConfigError(f"people.{person.name}.manager: {person.manager} is not in people")
    return Team(
        people=team,
        timezone=zone,
        work_hour=reader.clock("defaults.work_hour", "09:00"),
        date_order=reader.choice("defaults.date_order", ("DMY", "MDY", "YMD"), "DMY"),
        policy=_policy(reader),
    )


def _person(reader: _Reader, index: int, zone: str) -> Person:
    key = f"people.{index}"
    entry = reader.get("people")[index]
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{key}: should be a [[people]] table")
    scoped = _Reader({"people": {str(index): entry}}, reader.env)
    name = scoped.text(f"{key}.name")
    if not re.fullmatch(r"[\w.-]+", name):
        raise ConfigError(f"{key}.name: one word (it is the @handle), not {name!r}")
    telegram = entry.get("telegram")
    if telegram is not None and (isinstance(telegram, bool) or not isinstance(telegram, int)):
        raise ConfigError(f"people.{name}.telegram: the numeric Telegram user id, not {telegram!r}")
    return Person(
        name=name,
        role=scoped.choice(f"{key}.role", PERSON_ROLES, "rep"),
        timezone=scoped.zone(f"{key}.timezone", zone) if "timezone" in entry else "",
        slack=scoped.text(f"{key}.slack"),
        telegram=telegram,
        manager=scoped.text(f"{key}.manager"),
        notify=scoped.choice(f"{key}.notify", ("", "slack", "telegram"), ""),
    )


def _policy(reader: _Reader) -> Policy:
    tiers = reader.get("points.tiers", None)
    weights = reader.get("scorecard.weights", None)
    rewards = reader.get("rewards", [])
    defaults = Policy()
    return Policy(
        award_limit=reader.number("points.award_limit", defaults.award_limit),
        tiers=_numbers("points.tiers", tiers) if tiers is not None else defaults.tiers,
        rewards=tuple(_reward(reader, i) for i in range(len(rewards))),
        auto_points=_auto_points(reader.get("points.auto", {})),
        scorecard_weights=(
            _numbers("scorecard.weights", weights)
            if weights is not None
            else defaults.scorecard_weights
        ),
        scorecard_period_days=reader.number("scorecard.period_days", 180),
        digest_time=reader.text("reminders.digest_time", "08:30"),
        escalate_after_days=reader.number("reminders.escalate_after_days", 2),
        tag_cadences=_numbers("reminders.tag_cadences", reader.get("reminders.tag_cadences", {})),
        deals=_deal_rules(reader),
        supplier_policies=_supplier_policies(reader),
        weekly_report=_weekly(reader),
    )


def _deal_rules(reader: _Reader) -> DealRules:
    """`[deals]`: stages = { lead = 0.1, … } in order (won and lost are always there)."""
    defaults = DealRules()
    table = reader.get("deals.stages", None)
    stages = defaults.stages
    if table is not None:
        if not isinstance(table, Mapping) or not table:
            raise ConfigError("deals.stages: should be a table like { lead = 0.1, proposal = 0.5 }")
        for name, chance in table.items():
            if (
                isinstance(chance, bool)
                or not isinstance(chance, (int, float))
                or not 0 <= chance <= 1
            ):
                raise ConfigError(f"deals.stages.{name}: a probability from 0 to 1, not {chance!r}")
        found = {str(k).lower(): float(v) for k, v in table.items()}
        stages = tuple(found.items()) + tuple(
            (s, p) for s, p in (("won", 1.0), ("lost", 0.0)) if s not in found
        )
    currency = reader.text("deals.currency", defaults.currency).upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ConfigError(f"deals.currency: a three-letter code like EUR, not {currency!r}")
    return DealRules(stages, currency, reader.number("deals.stale_days", defaults.stale_days))


def _supplier_policies(reader: _Reader) -> tuple[SupplierPolicy, ...]:
    """`[[policies]]`: name, category or tag, require = [certificate names]."""
    entries = reader.get("policies", [])
    if not isinstance(entries, list):
        raise ConfigError("policies: should be a list of [[policies]] tables")
    found = []
    for index, entry in enumerate(entries):
        key = f"policies.{index}"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise ConfigError(f"{key}: needs a name")
        require = entry.get("require")
        if (
            not isinstance(require, list)
            or not require
            or not all(isinstance(r, str) and r.strip() for r in require)
        ):
            raise ConfigError(f'{key}.require: a list of certificate names, like ["ISO 14001"]')
        category, tag = entry.get("category", ""), entry.get("tag", "")
        if not isinstance(category, str) or not isinstance(tag, str) or bool(category) == bool(tag):
            raise ConfigError(f"{key}: give either category or tag (one of them)")
        found.append(
            SupplierPolicy(
                entry["name"], tuple(require), category, normalise_tag(tag) if tag else ""
            )
        )
    return tuple(found)


def _weekly(reader: _Reader) -> str:
    """`[reports] weekly`: when leads get their weekly charts (`mon 08:00`, or `off`)."""
    value = reader.text("reports.weekly", Policy().weekly_report)
    try:
        read_weekly(value)
    except ValueError as error:
        raise ConfigError(f"reports.weekly: {error}") from None
    return value


def _numbers(key: str, table: Any) -> tuple[tuple[str, Any], ...]:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{key}: should be a table like {{ name = number }}")
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"{key}.{name}: should be a number ≥ 0, not {value!r}")
    return tuple(sorted(table.items(), key=lambda item: item[1]))


def _auto_points(table: Any) -> tuple[tuple[str, Any], ...]:
    """`[points] auto = { order = 5 }`: whole points per interaction kind logged."""
    found = _numbers("points.auto", table)
    for kind, value in found:
        if kind not in INTERACTION_KINDS:
            kinds = ", ".join(INTERACTION_KINDS)
            raise ConfigError(f"points.auto.{kind}: not an interaction kind; kinds: {kinds}")
        if not isinstance(value, int):
            raise ConfigError(f"points.auto.{kind}: should be whole points, not {value!r}")
    return found


def _reward(reader: _Reader, index: int) -> Reward:
    key = f"rewards.{index}"
    scoped = _Reader({"rewards": {str(index): reader.get("rewards")[index]}}, reader.env)
    name = scoped.text(f"{key}.name")
    if not name:
        raise ConfigError(f"{key}.name: every reward needs a name")
    return Reward(
        name=name,
        cost=scoped.number(f"{key}.cost", 0),
        for_role=scoped.choice(f"{key}.for", ("customer", "supplier", "any"), "any"),
        kind=scoped.choice(f"{key}.kind", ("points", "contract"), "points"),
    )


def _slack(reader: _Reader) -> SlackConfig:
    mode = reader.choice("slack.mode", ("socket", "http"), "socket")
    return SlackConfig(
        mode=mode,
        bot_token=reader.text("slack.bot_token", secret=True),
        app_token=reader.text("slack.app_token", secret=True) if mode == "socket" else "",
        signing_secret=reader.text("slack.signing_secret", secret=True) if mode == "http" else "",
        port=reader.number("slack.port", 3000),
        api_url=reader.text("slack.api_url", SlackConfig.api_url),
    )


def _telegram(reader: _Reader) -> TelegramConfig:
    mode = reader.choice("telegram.mode", ("polling", "webhook"), "polling")
    groups = reader.get("telegram.groups", [])
    if not isinstance(groups, list) or not all(isinstance(g, int) for g in groups):
        raise ConfigError("telegram.groups: a list of chat ids")
    return TelegramConfig(
        mode=mode,
        token=reader.text("telegram.token", secret=True),
        webhook_url=reader.text("telegram.webhook_url") if mode == "webhook" else "",
        secret_token=reader.text("telegram.secret_token", secret=True) if mode == "webhook" else "",
        port=reader.number("telegram.port", 8443),
        base_url=reader.text("telegram.base_url", TelegramConfig.base_url),
        groups=tuple(groups),
    )
