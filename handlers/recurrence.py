"""Recurring reminders: `every monday 9am`, `every 2 weeks`, `every month on the 1st`, as RRULEs.

The rule is kept with its first occurrence as a local DTSTART and read in the owner's zone,
so `every monday 9am` stays at 09:00 on the owner's clock across daylight-saving changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time

from dateutil.rrule import rrulestr

from handlers.dates import DateContext, parse_when

DAYS = {
    "monday": "MO", "mon": "MO", "tuesday": "TU", "tue": "TU", "tues": "TU",
    "wednesday": "WE", "wed": "WE", "thursday": "TH", "thu": "TH", "thur": "TH", "thurs": "TH",
    "friday": "FR", "fri": "FR", "saturday": "SA", "sat": "SA", "sunday": "SU", "sun": "SU",
}  # fmt: skip
DAY_NAMES = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
             "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}  # fmt: skip
WEEKDAYS = "MO,TU,WE,TH,FR"
UNITS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}
ADVERBS = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "yearly": "year",
    "annually": "year",
}
NUMBERS = {"other": 2, "second": 2, "two": 2, "three": 3, "four": 4, "six": 6}
STARTS = re.compile(r"^(?:every|each|daily|weekly|monthly|yearly|annually|weekdays)\b", re.I)
INSIDE = re.compile(r"\s+(?=(?:every|each)\s)", re.I)
_CLOCK = re.compile(
    r"(?:^|\s)(?P<t>(?:at\s+)?(?:\d{1,2}:\d{2}\s*(?:am|pm)?|\d{1,2}\s*(?:am|pm))"
    r"|at\s+\d{1,2}|(?:at\s+)?(?:noon|midday))(?=\s|$)"
)
_MONTH_DAY = re.compile(r"(?:on\s+)?(?:the\s+)?(?P<n>\d{1,2})(?:st|nd|rd|th)?(?:\s+day)?$")
_DAY_LIST = re.compile(r"^(?:on\s+)?(?P<days>[a-z]+(?:\s*(?:,|and|&|/)\s*[a-z]+)*)$")


@dataclass(frozen=True)
class Recurrence:
    """A repeat understood: the RRULE body, whether it names days, its time, and how to say it."""

    rule: str
    anchored: bool
    at: time | None
    text: str


def split_recurrence(text: str) -> tuple[str, str]:
    """(recurrence phrase, the rest) of `every monday 9am to X` or `to X every monday 9am`."""
    if STARTS.match(text):
        match = re.search(r"\s+(?:to|about|that)\s+", text, re.I)
        if match is None:
            return text, ""
        return text[: match.start()], text[match.start() :].strip()
    match = INSIDE.search(text)
    if match is None:
        return "", text
    return text[match.end() :], text[: match.start()]


def parse_every(phrase: str, dates: DateContext) -> Recurrence | None:
    """`every monday 9am`, `every 2 weeks`, `every month on the 1st`, `every weekday` → a rule."""
    words = " ".join(phrase.lower().replace(",", " , ").split()).replace(" ,", ",")
    at, words = _take_clock(words, dates)
    if at is False:
        return None
    words = re.sub(r"^(?:every|each)\s+", "", words)
    for adverb, unit in ADVERBS.items():
        words = re.sub(rf"^{adverb}\b", unit, words)
    found = _rule(words)
    if found is None:
        return None
    rule, anchored, text = found
    clock = at if isinstance(at, time) else None
    said = f"every {text} at {clock or dates.work_hour:%H:%M}"
    return Recurrence(rule, anchored, clock, said)


def _take_clock(words: str, dates: DateContext) -> tuple[time | None | bool, str]:
    """The time of day in the phrase (False: one that does not read) and the words without it."""
    match = _CLOCK.search(words)
    if match is None:
        return None, words
    moment = parse_when(match["t"], dates, "future")
    if moment is None:
        return False, words
    rest = (words[: match.start()] + " " + words[match.end() :]).strip()
    return moment.astimezone(dates.tz).time().replace(second=0, microsecond=0), rest


def _rule(words: str) -> tuple[str, bool, str] | None:
    """The rule, whether it names days, and its words, for the phrase after `every`."""
    if words in ("weekday", "weekdays", "working day", "workday", "business day"):
        return f"FREQ=WEEKLY;BYDAY={WEEKDAYS}", True, "weekday"
    days = _days(words)
    if days:
        return f"FREQ=WEEKLY;BYDAY={','.join(days)}", True, _say_days(days)
    match = re.fullmatch(
        r"(?:(?P<n>\d{1,3}|[a-z]+)\s+)?(?P<u>day|week|month|year)s?(?:\s+(?P<on>.+))?", words
    )
    if match is None:
        return None
    count = _count(match["n"])
    if count is None:
        return None
    unit = match["u"]
    rule = f"FREQ={UNITS[unit]}" + (f";INTERVAL={count}" if count > 1 else "")
    said = f"{count} {unit}s" if count > 1 else unit
    if not match["on"]:
        return rule, False, said
    extra = _on(unit, match["on"])
    if extra is None:
        return None
    return f"{rule};{extra[0]}", True, f"{said} {extra[1]}"


def _count(word: str | None) -> int | None:
    if word is None:
        return 1
    if word.isdigit():
        return int(word) if 1 <= int(word) <= 366 else None
    return NUMBERS.get(word)


def _days(words: str) -> list[str]:
    """`monday`, `mondays`, `mon and thu`, `tuesday, friday` → ['MO', …]; [] when not days."""
    match = _DAY_LIST.fullmatch(words)
    if match is None:
        return []
    names = [
        w.rstrip("s") if w.rstrip("s") in DAYS else w
        for w in re.split(r"\s*(?:,|and|&|/)\s*", match["days"])
    ]
    if not names or not all(n in DAYS for n in names):
        return []
    return list(dict.fromkeys(DAYS[n] for n in names))


def _say_days(days: list[str]) -> str:
    names = [DAY_NAMES[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _on(unit: str, words: str) -> tuple[str, str] | None:
    """`on monday` for weeks, `on the 1st` / `on the last day` for months → (rule part, words)."""
    if unit == "week":
        days = _days(words)
        return (f"BYDAY={','.join(days)}", f"on {_say_days(days)}") if days else None
    if unit != "month":
        return None
    if re.fullmatch(r"(?:on\s+)?the\s+last(?:\s+day)?", words):
        return "BYMONTHDAY=-1", "on the last day"
    match = _MONTH_DAY.fullmatch(words)
    if match is None or not 1 <= int(match["n"]) <= 31:
        return None
    day = int(match["n"])
    said = f"on the {day}{_suffix(day)}"
    if day > 28:  # the 30th, or the month's last day when it is shorter
        return f"BYMONTHDAY={','.join(str(d) for d in range(28, day + 1))};BYSETPOS=-1", said
    return f"BYMONTHDAY={day}", said


def _suffix(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def schedule(recurrence: Recurrence, dates: DateContext) -> tuple[str, datetime]:
    """The stored rule (with its first occurrence as local DTSTART) and that occurrence in UTC."""
    local_now = dates.now.astimezone(dates.tz).replace(tzinfo=None, microsecond=0)
    start = datetime.combine(local_now.date(), recurrence.at or dates.work_hour)
    if recurrence.anchored:  # the first day the rule names, then every n-th from there
        probe = re.sub(r";INTERVAL=\d+", "", recurrence.rule)
        start = rrulestr(f"DTSTART:{start:%Y%m%dT%H%M%S}\nRRULE:{probe}").after(local_now)
    text = f"DTSTART:{start:%Y%m%dT%H%M%S}\nRRULE:{recurrence.rule}"
    first = start if start > local_now else rrulestr(text).after(local_now)
    return text, first.replace(tzinfo=dates.tz).astimezone(UTC)
