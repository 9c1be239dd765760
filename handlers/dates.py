"""Dates in chat: English phrases to aware UTC datetimes, and moments back to short text.

The only module that imports dateparser. A phrase must first fit a small grammar of word
shapes, so names and ordinary words ("May Logistics", "we march on") never reach
dateparser, which reads a date into almost anything.
"""

import re
from calendar import monthrange
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

import dateparser
from dateutil.relativedelta import relativedelta

Prefer = Literal["past", "future"]
_V = TypeVar("_V")


@dataclass(frozen=True)
class DateContext:
    """The reader's clock: now, time zone, working hour and how 3/11 is read."""

    now: datetime
    tz: ZoneInfo
    work_hour: time = time(9, 0)
    date_order: str = "DMY"


def _each(words: str, value: _V) -> dict[str, _V]:
    """Space-separated words, each mapped to value."""
    return dict.fromkeys(words.split(), value)


_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = _each("monday mon", "monday") | _each("tuesday tue tues", "tuesday")
_WEEKDAYS |= _each("wednesday wed weds", "wednesday") | _each("thursday thu thur thurs", "thursday")
_WEEKDAYS |= _each("friday fri", "friday") | _each("saturday sat", "saturday")
_WEEKDAYS |= _each("sunday sun", "sunday")
_MONTHS = _each("january february march april may june july august september october", "M")
_MONTHS |= _each("november december jan feb mar apr jun jul aug sep sept oct nov dec", "M")
# Alone, these are more often a name or a verb than a date: "May", "Sat Corp", "we march".
_AMBIGUOUS = _MONTHS.keys() | {w for w, full in _WEEKDAYS.items() if w != full}
_RELATIVE = _each("next", "next") | _each("last past previous", "last") | _each("this", "this")
_FILLERS = _each("on by for due until till", True)
_NOW = ("now", "right now", "just now")
# How people spell words in chat → the word the grammar reads ("mo" is left out: Monday or month?).
SPELLINGS = _each("yday yest ystd yda", "yesterday")
SPELLINGS |= _each("tmrw tmr tmrow tmw tomoz 2morrow 2moro 2mrw", "tomorrow")
SPELLINGS |= _each("wk", "week") | _each("mth mnth", "month") | _each("tdy 2day", "today")
_HOUR_NAMES = "one two three four five six seven eight nine ten eleven twelve"
_HOURS = {word: str(hour) for hour, word in enumerate(_HOUR_NAMES.split(" "), 1)}
_DAY_OFFSETS = _each("today", 0) | _each("tomorrow tmrw tmr", 1) | _each("yesterday", -1)
_DAY_OFFSETS |= {"day after tomorrow": 2, "the day after tomorrow": 2}
_DAY_OFFSETS |= {"day before yesterday": -2, "the day before yesterday": -2}
_PARTS = {"morning": None, "afternoon": time(14), "evening": time(18), "night": time(20)}
_AMOUNTS: dict[str, float] = _each("a an one", 1) | {"half a": 0.5, "half an": 0.5}
_AMOUNTS |= {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_UNITS = _each("minutes minute mins min m", "m") | _each("hours hour hrs hr h", "h")
_UNITS |= (
    _each("days day d", "d")
    | _each("weeks week wks wk w", "w")
    | _each("fortnight fortnights", "f")
)
_UNITS |= _each("months month", "mo") | _each("years year yrs yr y", "y")
_MINUTES = {"m": 1, "h": 60, "d": 1440, "w": 10080, "f": 20160}
_VOCAB = _WEEKDAYS.keys() | _MONTHS.keys() | _RELATIVE.keys() | _FILLERS.keys() | _PARTS.keys()
_VOCAB |= _UNITS.keys() | _AMOUNTS.keys() | {w for phrase in _DAY_OFFSETS for w in phrase.split()}
_VOCAB |= _each("at @ am pm half quarter to noon midday midnight eod cob eow eom tonight", 0).keys()
_VOCAB |= _each("end of the in ago from now just right later weekend past o'clock oclock", 0).keys()
_VOCAB |= SPELLINGS.keys() | _HOURS.keys()
MONTH_WORDS, WEEKDAY_WORDS = frozenset(_MONTHS), _WEEKDAYS  # for the leftover check
_SPAN_PART = re.compile(
    r" ?(?:and )?(?:(?P<n>\d{1,4}(?:\.\d+)?) ?|(?P<w>" + "|".join(_AMOUNTS) + ") )"
    r"(?P<u>" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")(?![a-z])"
)
_RELATIVE_SPAN = re.compile(
    r"in (?P<a>.+)|(?P<b>.+) (?:ago|from now|later)|(?P<r>next|last) (?P<u>week|month|year)"
)
_END_OF = re.compile(r"(?:the )?end of (?:the |this )?(week|month)|eo(w|m)")
_CLOCKS = [  # 9pm, 9.30pm, 930am; 9:30, 9.30, 9h30, 21.30; at 9, @930; half past nine; 9 o'clock
    re.compile(r"(?:(?:at|@) ?)?(?P<h>\d{1,2})(?:[:.h]?(?P<m>\d{2}))? ?(?P<ap>am|pm)"),
    re.compile(r"(?:(?:at|@) ?)?(?P<h>\d{1,2})[:.h](?P<m>\d{2})"),
    re.compile(r"(?:at|@) ?(?P<h>\d{1,2})(?P<m>[0-5]\d)?"),
    re.compile(r"(?:at )?(?P<q>half|quarter) (?P<dir>past|to) (?P<h>\d{1,2})(?: ?(?P<ap>am|pm))?"),
    re.compile(r"(?:at )?(?P<h>\d{1,2}) o'?clock(?: ?(?P<ap>am|pm))?"),
]
_HOUR_WORD = re.compile(r"\b(past|to|at) (" + "|".join(_HOURS) + r")\b")
_BARE_CLOCK = re.compile(r"(?P<h>[01]?\d|2[0-3])(?P<m>[0-5]\d)")  # "tomorrow 930", "fri 1030"
_TAGS = [
    (re.compile(r"\d{1,2}(?:st|nd|rd|th)"), "O"),
    (re.compile(r"\d{1,2}"), "N"),
    (re.compile(r"\d{4}"), "Y"),
    (re.compile(r"\d{1,2}/\d{1,2}"), "S"),
    (re.compile(r"\d{1,4}([/.-])\d{1,2}\1\d{1,4}"), "D"),
]
_WORD_TAGS = _each("the", "T") | _each("of", "F") | _each("in", "I") | _each("weekend", "E")
_WORD_TAGS |= _each("week month year", "U") | _each(" ".join(_RELATIVE), "R") | _MONTHS
_WORD_TAGS |= _each(" ".join(_WEEKDAYS), "W")
_DATEPARSER_SHAPES = re.compile(r"R?W|W?T?[ON]F?MY?|W?MT?[ON]Y?|I?MY?|W?D")


def parse_when(
    text: str, ctx: DateContext, prefer: Prefer, short_days: bool = False
) -> datetime | None:
    """The WHOLE text is a date/time phrase → aware datetime in UTC; None when it is not.

    `short_days`: a lone `thu`, `sat` is a day (where a name cannot stand, e.g. `remind me thu`).
    """
    return _parse(text, ctx, prefer, short_days)


@lru_cache(maxsize=4096)
def _parse(text: str, ctx: DateContext, prefer: Prefer, short_days: bool) -> datetime | None:
    """parse_when, remembered per (text, context, direction)."""
    words = _words(text)
    if " ".join(words) in _NOW:
        return ctx.now.astimezone(UTC)
    fillers = 0
    while fillers < len(words) and words[fillers] in _FILLERS:
        fillers += 1
    try:
        moment = _resolve(words[fillers:], ctx, prefer, introduced=fillers > 0, days=short_days)
        if moment is None:
            return None
        today = ctx.now.astimezone(ctx.tz).date()
        if prefer == "past" and moment > ctx.now and moment.astimezone(ctx.tz).date() == today:
            moment = ctx.now  # "today at 5pm" in a log written at noon has not happened yet
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):  # a day or a year out of range: not a date
        return None


def _words(text: str) -> list[str]:
    """Lower-case words without sentence punctuation; none for over-long text."""
    if len(text) > 80:
        return []
    text = re.sub(r"(?<![a-z])([ap])\.m\.?", r"\1m", text.lower().replace(",", " "))
    text = re.sub(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(?!\S)", r"\1/\2", text)  # German 20.11.
    text = _HOUR_WORD.sub(lambda m: f"{m[1]} {_HOURS[m[2]]}", text)  # half past nine
    return [SPELLINGS.get(w, w) for w in (w.rstrip(".!?;:") for w in text.split()) if w]


def maybe_date_word(word: str) -> bool:
    """Could this word be part of a date phrase? (cheap; parse_when decides)."""
    word = word.lower().rstrip(".,!?;:")
    return word in _VOCAB or any(c.isdigit() for c in word)


def _resolve(
    words: list[str], ctx: DateContext, prefer: Prefer, introduced: bool, days: bool = False
) -> datetime | None:
    """A phrase without leading fillers → aware moment, or None."""
    if not words or not all(map(maybe_date_word, words)):
        return None
    local_now = ctx.now.astimezone(ctx.tz)
    if end := _END_OF.fullmatch(" ".join(words)):
        return _end_of(end.group(1) or {"w": "week", "m": "month"}[end.group(2)], ctx, prefer)
    day_words, clock, kind = _split_clock(words, ctx)
    if day_words[:1] in (["at"], ["on"]):
        introduced, day_words = introduced or day_words[0] == "on", day_words[1:]
    if kind == "part" and not day_words and words[0] != "in":
        return None  # "morning" alone is a greeting
    if kind == "part" and day_words in (["this"], ["last"]):
        day_words, kind = (["today"], "vague") if day_words == ["this"] else (["yesterday"], "")
    if not day_words:
        return None if clock is None else _bare_clock(clock, kind == "vague", ctx, prefer)
    lone = len(day_words) == 1 and day_words[0] in _AMBIGUOUS
    weekday = day_words[0] in _WEEKDAYS
    if lone and not introduced and not ((kind == "clock" or days) and weekday):
        return None  # "sat" alone is Sat Corp; "sat 10am" and "on sat" are days
    day = _day(day_words, ctx, prefer)
    if isinstance(day, datetime):
        return None if clock else day
    if day is None:
        return None
    if day == local_now.date() and (clock is None or kind == "vague"):
        return _today(clock, ctx, prefer)
    return datetime.combine(day, clock or ctx.work_hour, tzinfo=ctx.tz)


def _split_clock(words: list[str], ctx: DateContext) -> tuple[list[str], time | None, str]:
    """Split a time of day off either end → (day words, time, 'clock' | 'vague' | 'part' | '')."""
    for k in range(min(5, len(words)), 0, -1):
        for rest, tail in ((words[:-k], words[-k:]), (words[k:], words[:k])):
            found = _clock(" ".join(tail), ctx)
            if found and found[1] == "bare" and not _bare_clock_fits(rest):
                continue
            if found:
                return rest, found[0], found[1] if found[1] != "bare" else "clock"
    return words, None, ""


def _clock(text: str, ctx: DateContext) -> tuple[time, str] | None:
    """A time of day → (time, kind); 'vague' ones like 'eod' mean later today."""
    if text in ("noon", "midday", "at noon", "at midday", "midnight", "at midnight"):
        return time(0 if text.endswith("midnight") else 12), "clock"
    if re.fullmatch(r"(?:at )?(?:eod|cob|(?:the )?end of (?:the )?day)", text):
        return time(17), "vague"
    if text == "tonight":
        return time(20), "vague"
    if part := re.fullmatch(r"(?:in the )?(morning|afternoon|evening|night)", text):
        return _PARTS[part.group(1)] or ctx.work_hour, "part"
    for pattern in _CLOCKS:
        if m := pattern.fullmatch(text):
            return _clock_time(m.groupdict())
    if m := _BARE_CLOCK.fullmatch(text):
        return time(int(m["h"]), int(m["m"])), "bare"
    return None


def _bare_clock_fits(day_words: list[str]) -> bool:
    """'930' is a time only after a day word ('tomorrow 930'), never beside a month or a year."""
    return bool(day_words) and not any(w in _MONTHS or w[:1].isdigit() for w in day_words)


def _clock_time(groups: dict[str, str | None]) -> tuple[time, str] | None:
    """Hour, minutes, am/pm, 'half past' → time; a bare hour 1-6 is in the afternoon."""
    hour_text = groups["h"] or ""
    hour, minute, ampm = int(hour_text), int(groups.get("m") or 0), groups.get("ap")
    if quarter := groups.get("q"):
        minute = 30 if quarter == "half" else 15
        if groups["dir"] == "to":
            hour, minute = (hour - 2) % 12 + 1, 60 - minute
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif 1 <= hour <= 6 and not hour_text.startswith("0"):
        hour += 12  # "at 3", "half past 3": a working hour, not the middle of the night
    return (time(hour, minute), "clock") if 0 <= hour <= 23 and minute <= 59 else None


def _day(words: list[str], ctx: DateContext, prefer: Prefer) -> date | datetime | None:
    """Day words → a date; an exact span like 'in 2 hours' → the moment itself."""
    words = [_RELATIVE.get(w, w) for w in words]
    text, today = " ".join(words), ctx.now.astimezone(ctx.tz).date()
    if text in _DAY_OFFSETS:
        return today + timedelta(days=_DAY_OFFSETS[text])
    if (span := _RELATIVE_SPAN.fullmatch(text)) and (moment := _relative(span, ctx)):
        return moment
    tags = "".join(_tag(w) for w in words)
    if tags in ("E", "TE", "RE"):
        return _weekend(_RELATIVE.get(words[0]), today, prefer)
    if tags in ("O", "TO"):
        return _day_of_month(int(words[-1][:-2]), today, prefer)
    if tags == "RU" and words[0] == "this":
        return today
    if tags in ("S", "WS"):
        return _numeric_day(words[-1], ctx, prefer)
    if _DATEPARSER_SHAPES.fullmatch(tags):
        return _dateparser_day(words, tags, ctx, prefer)
    return None


def _tag(word: str) -> str:
    """The grammatical shape of one word: W weekday, M month, N number, … '?' unknown."""
    if word in _WORD_TAGS:
        return _WORD_TAGS[word]
    return next((tag for pattern, tag in _TAGS if pattern.fullmatch(word)), "?")


def _relative(span: re.Match[str], ctx: DateContext) -> date | datetime | None:
    """'in 2 days' → a date; 'in 2 hours', '5 min ago' → an exact moment."""
    parts = _span(f"1 {span['u']}" if span["r"] else span["a"] or span["b"])
    if parts is None:
        return None
    fixed, months, exact = parts
    if span["b"] or span["r"] == "last":
        fixed, months = -fixed, -months
    if exact:
        return None if months else ctx.now.astimezone(UTC) + fixed
    return ctx.now.astimezone(ctx.tz).date() + fixed + relativedelta(months=months)


def _span(text: str) -> tuple[timedelta, int, bool] | None:
    """'2h', '1 hour 30 min', '3 months' → (fixed part, months, has hours or minutes)."""
    fixed, months, exact, pos = timedelta(), 0, False, 0
    while pos < len(text):
        part = _SPAN_PART.match(text, pos)
        if part is None or (part["w"] and len(part["u"]) < 3):
            return None
        amount, unit = float(part["n"] or _AMOUNTS[part["w"] or ""]), _UNITS[part["u"]]
        if unit in ("mo", "y"):
            if amount != int(amount):
                return None
            months += int(amount) * (12 if unit == "y" else 1)
        else:
            fixed += timedelta(minutes=amount * _MINUTES[unit])
            exact = exact or unit in ("m", "h")
        pos = part.end()
    return (fixed, months, exact) if pos else None


def _today(clock: time | None, ctx: DateContext, prefer: Prefer) -> datetime:
    """'today', 'eod', 'tonight': the time if still ahead, else the next full hour (future)."""
    if clock is None and prefer == "past":
        return ctx.now
    local_now = ctx.now.astimezone(ctx.tz)
    moment = datetime.combine(local_now.date(), clock or ctx.work_hour, tzinfo=ctx.tz)
    if prefer == "past" or moment > ctx.now:
        return moment
    return local_now.replace(minute=0, second=0, microsecond=0).astimezone(UTC) + timedelta(hours=1)


def _bare_clock(clock: time, vague: bool, ctx: DateContext, prefer: Prefer) -> datetime:
    """A time with no day: its next (future) or last (past) occurrence."""
    if vague:
        return _today(clock, ctx, prefer)
    today = ctx.now.astimezone(ctx.tz).date()
    moment = datetime.combine(today, clock, tzinfo=ctx.tz)
    if prefer == "future" and moment <= ctx.now:
        moment = datetime.combine(today + timedelta(days=1), clock, tzinfo=ctx.tz)
    elif prefer == "past" and moment > ctx.now:
        moment = datetime.combine(today - timedelta(days=1), clock, tzinfo=ctx.tz)
    return moment


def _end_of(period: str, ctx: DateContext, prefer: Prefer) -> datetime:
    """End of week (Friday 17:00) or of month (last day 17:00); the next one if gone (future)."""

    def closing(day: date) -> datetime:
        if period == "week":
            last = day + timedelta(days=4 - day.weekday())
        else:
            last = day.replace(day=monthrange(day.year, day.month)[1])
        return datetime.combine(last, time(17), tzinfo=ctx.tz)

    today = ctx.now.astimezone(ctx.tz).date()
    moment = closing(today)
    if prefer == "future" and moment <= ctx.now:
        moment = closing(
            today + (timedelta(days=7) if period == "week" else relativedelta(months=1))
        )
    return moment


def _weekend(relative: str | None, today: date, prefer: Prefer) -> date:
    """The Saturday of this, next or last weekend (this Sunday counts as this weekend)."""
    saturday = today + timedelta(days=5 - today.weekday())
    if relative in ("next", "last"):
        return saturday + timedelta(days=7 if relative == "next" else -7)
    if relative is None and prefer == "past":
        return saturday if saturday <= today else saturday - timedelta(days=7)
    return max(saturday, today)


def _day_of_month(number: int, today: date, prefer: Prefer) -> date | None:
    """'the 5th': this month's, else the next (future) or previous (past) month that has it."""
    step = 1 if prefer == "future" else -1
    for offset in range(0, 12 * step, step):
        with suppress(ValueError):  # no 31st in November
            day = (today.replace(day=1) + relativedelta(months=offset)).replace(day=number)
            if _ahead(day, today, prefer):
                return day
    return None


def _numeric_day(text: str, ctx: DateContext, prefer: Prefer) -> date | None:
    """'3/11' in the reader's date order: the next one (future), or one in the past year (past)."""
    first, second = (int(n) for n in text.split("/"))
    day, month = (first, second) if ctx.date_order == "DMY" else (second, first)
    today = ctx.now.astimezone(ctx.tz).date()
    step = 1 if prefer == "future" else -1
    years = 9 if prefer == "future" else 2  # 29/2 waits for a leap year; no log goes back to one
    for year in range(today.year, today.year + years * step, step):
        with suppress(ValueError):  # 12/25 never fits
            if _ahead(found := date(year, month, day), today, prefer):
                return found
    return None


def _ahead(day: date, today: date, prefer: Prefer) -> bool:
    """Is day on the preferred side of today (today included)?"""
    return day >= today if prefer == "future" else day <= today


def _dateparser_day(words: list[str], tags: str, ctx: DateContext, prefer: Prefer) -> date | None:
    """Absolute dates and weekdays, read by dateparser; only the day is kept."""
    local_now = ctx.now.astimezone(ctx.tz)
    settings = {
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
        "TIMEZONE": str(ctx.tz),
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
        "DATE_ORDER": ctx.date_order,
    }
    text = " ".join(_WEEKDAYS.get(w) or _RELATIVE.get(w) or w for w in words)
    found = dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    if found is None:
        return None
    today = local_now.date()
    next_year = (today.year + 1, today.month, today.day)
    if "Y" not in tags and "D" not in tags and found.timetuple()[:3] == next_year:
        return today  # dateparser sends today's date ("25 Nov" on 25 Nov) to next year
    return found.date()


def split_trailing_when(
    text: str, ctx: DateContext, prefer: Prefer, max_words: int = 7, short_days: bool = False
) -> tuple[str, datetime | None]:
    """Longest run of trailing words that parse_when accepts → (text before it, when)."""
    starts: list[int] = []
    for word in reversed(list(re.finditer(r"\S+", text))[-max_words - 1 :]):
        if not maybe_date_word(word.group()):
            if word.group().lower() in ("every", "each", "other"):
                return text, None  # "every monday" is a recurrence, not a date
            break
        starts.append(word.start())
    for start in reversed(starts[:max_words]):
        if (when := parse_when(text[start:], ctx, prefer, short_days)) is not None:
            return text[:start].rstrip(" \t\n,;:-–—"), when
    return text, None


def split_leading_when(
    text: str, ctx: DateContext, prefer: Prefer, max_words: int = 7, short_days: bool = False
) -> tuple[datetime | None, str]:
    """Longest run of leading words that parse_when accepts → (when, rest of the text)."""
    ends: list[int] = []
    for word in re.finditer(r"\S+", text):
        if len(ends) == max_words or not maybe_date_word(word.group()):
            break
        ends.append(word.end())
    for end in reversed(ends):
        if (when := parse_when(text[:end], ctx, prefer, short_days)) is not None:
            return when, text[end:].lstrip(" \t\n,;:-–—")
    return None, text


def parse_duration(text: str) -> timedelta | None:
    """'2h', '90m', '30 min', '1d', '2 days', '1w', '1 hour', 'an hour' → timedelta; else None."""
    parts = _span(" ".join(_words(text)))
    if parts is None or parts[1] or parts[0] <= timedelta():
        return None
    return parts[0]


def format_day(moment: datetime, tz: ZoneInfo) -> str:
    """'Tue 24 Nov 2026' in the reader's zone (a naive moment is taken as UTC)."""
    local = _in_zone(moment, tz)
    return f"{_DAY_NAMES[local.weekday()]} {local.day} {_MONTH_NAMES[local.month - 1]} {local.year}"


def format_when(moment: datetime, tz: ZoneInfo) -> str:
    """'Tue 24 Nov 2026, 14:30 CET': absolute, short, in the reader's zone."""
    local = _in_zone(moment, tz)
    return f"{format_day(local, tz)}, {local:%H:%M} {local.tzname()}"


def _in_zone(moment: datetime, tz: ZoneInfo) -> datetime:
    """The moment on the reader's clock."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz)
