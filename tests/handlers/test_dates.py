"""Dates as people type them in chat: logs look back, reminders look ahead."""

import time as clock
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.dates import (
    DateContext,
    format_day,
    format_when,
    parse_duration,
    parse_when,
    split_leading_when,
    split_trailing_when,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 25, 14, 37, tzinfo=UTC)  # Wednesday: 15:37 in Berlin, 09:37 in New York
CTX = DateContext(NOW, BERLIN)
NY = DateContext(NOW, NEW_YORK)


def berlin(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    """A Berlin wall-clock time, as the UTC moment parse_when returns."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def new_york(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    """A New York wall-clock time, as a UTC moment."""
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("yesterday", berlin(11, 24)),
        ("last friday", berlin(11, 20)),
        ("friday", berlin(11, 20)),
        ("on friday", berlin(11, 20)),
        ("on 3 Nov", berlin(11, 3)),
        ("3 dec", berlin(12, 3, year=2025)),
        ("3/11", berlin(11, 3)),
        ("the 5th", berlin(11, 5)),
        ("in May", berlin(5, 1)),
        ("Tue 24 Nov 2026", berlin(11, 24)),
        ("a week ago", berlin(11, 18)),
        ("3 days ago", berlin(11, 22)),
        ("2 hours ago", NOW - timedelta(hours=2)),
        ("an hour ago", NOW - timedelta(hours=1)),
        ("30 min ago", NOW - timedelta(minutes=30)),
        ("3pm", berlin(11, 25, 15)),
        ("at 9", berlin(11, 25, 9)),
        ("half past 3", berlin(11, 25, 15, 30)),
        ("quarter to 4", berlin(11, 24, 15, 45)),
        ("this morning", berlin(11, 25, 9)),
        ("last night", berlin(11, 24, 20)),
        ("yesterday at 4:30pm", berlin(11, 24, 16, 30)),
        ("last weekend", berlin(11, 21)),
        ("the weekend", berlin(11, 21)),
    ],
)
def test_a_log_looks_back(phrase: str, expected: datetime) -> None:
    """Ana logs a call 'friday' on a Wednesday: that was last Friday, at the working hour."""
    assert parse_when(phrase, CTX, "past") == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("tomorrow", berlin(11, 26)),
        ("Tomorrow.", berlin(11, 26)),
        ("friday", berlin(11, 27)),
        ("by friday", berlin(11, 27)),
        ("due by friday", berlin(11, 27)),
        ("next tuesday", berlin(12, 1)),
        ("next tuesday at 3pm", berlin(12, 1, 15)),
        ("tomorrow 10am", berlin(11, 26, 10)),
        ("tomorrow at 10", berlin(11, 26, 10)),
        ("9 a.m. tomorrow", berlin(11, 26, 9)),
        ("monday 9am", berlin(11, 30, 9)),
        ("at 3 on friday", berlin(11, 27, 15)),
        ("3 Dec", berlin(12, 3)),
        ("3/12", berlin(12, 3)),
        ("on 3 Nov", berlin(11, 3, year=2027)),
        ("in 2 days", berlin(11, 27)),
        ("in 2 weeks", berlin(12, 9)),
        ("in 2 days at 9", berlin(11, 27, 9)),
        ("in 3 months", berlin(2, 25, year=2027)),
        ("next week", berlin(12, 2)),
        ("next month", berlin(12, 25)),
        ("the day after tomorrow", berlin(11, 27)),
        ("in 2 hours", NOW + timedelta(hours=2)),
        ("in 30 minutes", NOW + timedelta(minutes=30)),
        ("in half an hour", NOW + timedelta(minutes=30)),
        ("in 1h30m", NOW + timedelta(minutes=90)),
        ("eod", berlin(11, 25, 17)),
        ("by end of day", berlin(11, 25, 17)),
        ("friday eod", berlin(11, 27, 17)),
        ("tonight", berlin(11, 25, 20)),
        ("tomorrow morning", berlin(11, 26, 9)),
        ("tomorrow afternoon", berlin(11, 26, 14)),
        ("in the morning", berlin(11, 26, 9)),
        ("noon", berlin(11, 26, 12)),
        ("at midday", berlin(11, 26, 12)),
        ("end of week", berlin(11, 27, 17)),
        ("by the end of the month", berlin(11, 30, 17)),
        ("eom", berlin(11, 30, 17)),
        ("this weekend", berlin(11, 28)),
        ("next weekend", berlin(12, 5)),
        ("next sat", berlin(11, 28)),
        ("next wed", berlin(12, 2)),
        ("next mon", berlin(11, 30)),
        ("next thurs", berlin(11, 26)),
        ("on Sat", berlin(11, 28)),
        ("half past 3", berlin(11, 26, 15, 30)),
        ("half past 3 am", berlin(11, 26, 3, 30)),
        ("at 9", berlin(11, 26, 9)),
        ("at 9pm", berlin(11, 25, 21)),
        ("@ 9pm", berlin(11, 25, 21)),
        ("9:30", berlin(11, 26, 9, 30)),
        ("17:45", berlin(11, 25, 17, 45)),
        ("3pm", berlin(11, 26, 15)),
        ("the 5th", berlin(12, 5)),
        ("on the 5th", berlin(12, 5)),
        ("the 31st", berlin(12, 31)),
        ("in May", berlin(5, 1, year=2027)),
        ("3 May", berlin(5, 3, year=2027)),
        ("May 3", berlin(5, 3, year=2027)),
        ("the 3rd of December", berlin(12, 3)),
        ("29/2", berlin(2, 29, year=2028)),
        ("2026-12-03", berlin(12, 3)),
        ("3 nov 2027 at 10:30", berlin(11, 3, 10, 30, year=2027)),
    ],
)
def test_a_reminder_looks_ahead(phrase: str, expected: datetime) -> None:
    """Ben sets a reminder: dates are the coming ones, at 09:00 unless he says a time."""
    assert parse_when(phrase, CTX, "future") == expected


@pytest.mark.parametrize(
    "phrase",
    [
        "May Logistics",
        "Sat Corp",
        "march delivery",
        "we march on",
        "Acme",
        "2 pallets late",
        "recycled boxes",
        "sun",
        "sat",
        "may",
        "march",
        "Nov",
        "at sun",
        "5",
        "10",
        "2024",
        "of 5",
        "friday 3",
        "2 days",
        "a week",
        "every monday",
        "morning",
        "good morning",
        "in 2 hours at 9",
        "12/25",
        "31/2",
        "tomorow",
        "next",
        "the",
        "",
        "   ",
        "!!!",
        "asdf 3pm qwer",
        "25:00",
        "13pm",
    ],
)
def test_names_and_ordinary_words_are_not_dates(phrase: str) -> None:
    """'May Logistics' is a supplier, '5' is a quantity, 'every monday' is a recurrence."""
    assert parse_when(phrase, CTX, "past") is None
    assert parse_when(phrase, CTX, "future") is None


def test_now_is_the_exact_moment() -> None:
    """'now' and 'just now' keep the seconds; everything vaguer is on the minute."""
    now = NOW.replace(second=42, microsecond=7)
    ctx = DateContext(now, BERLIN)
    assert parse_when("now", ctx, "future") == now
    assert parse_when("just now", ctx, "past") == now
    assert parse_when("in 2 hours", ctx, "future") == now + timedelta(hours=2)
    tomorrow = parse_when("tomorrow", ctx, "future")
    assert tomorrow is not None and (tomorrow.second, tomorrow.microsecond) == (0, 0)


def test_today_in_a_log_is_now_and_in_a_reminder_the_next_free_hour() -> None:
    """At 15:37 'today' in a log is now; a reminder 'today' is at 16:00, 09:00 having passed."""
    assert parse_when("today", CTX, "past") == NOW
    assert parse_when("today", CTX, "future") == berlin(11, 25, 16)
    early = DateContext(datetime(2026, 11, 25, 6, 0, tzinfo=UTC), BERLIN)  # 07:00 in Berlin
    assert parse_when("today", early, "future") == berlin(11, 25, 9)
    assert parse_when("today", early, "past") == early.now


def test_a_log_never_lands_later_today() -> None:
    """'eod' or 'today at 5pm' logged at 15:37 becomes now; 'tomorrow' is the caller's to refuse."""
    assert parse_when("eod", CTX, "past") == NOW
    assert parse_when("today at 5pm", CTX, "past") == NOW
    assert parse_when("tonight", CTX, "past") == NOW
    assert parse_when("tomorrow", CTX, "past") == berlin(11, 26)


def test_end_of_day_after_hours() -> None:
    """At 18:30 a log's 'eod' is 17:00; a reminder's 'eod' or 'tonight' is soon, not tomorrow."""
    evening = DateContext(datetime(2026, 11, 25, 17, 30, tzinfo=UTC), BERLIN)
    assert parse_when("eod", evening, "past") == berlin(11, 25, 17)
    assert parse_when("eod", evening, "future") == berlin(11, 25, 19)
    assert parse_when("tonight", evening, "future") == berlin(11, 25, 20)
    assert parse_when("end of week", evening, "future") == berlin(11, 27, 17)


def test_end_of_period_once_it_has_passed() -> None:
    """On Saturday 'end of week' means next Friday; on the 30th after 17:00, next month's end."""
    saturday = DateContext(datetime(2026, 11, 28, 10, 0, tzinfo=UTC), BERLIN)
    assert parse_when("end of week", saturday, "future") == berlin(12, 4, 17)
    assert parse_when("end of week", saturday, "past") == berlin(11, 27, 17)
    last_evening = DateContext(datetime(2026, 11, 30, 18, 0, tzinfo=UTC), BERLIN)
    assert parse_when("end of month", last_evening, "future") == berlin(12, 31, 17)


def test_weekend_on_a_sunday_is_today() -> None:
    """'this weekend' said on Sunday morning is that Sunday, at the working hour."""
    sunday = DateContext(datetime(2026, 11, 29, 6, 0, tzinfo=UTC), BERLIN)
    assert parse_when("this weekend", sunday, "future") == berlin(11, 29)


def test_new_york_reads_its_own_clock() -> None:
    """At 09:37 in New York, '3pm' and 'half past 3' are later today; 'tomorrow' is 09:00 EST."""
    assert parse_when("3pm", NY, "future") == new_york(11, 25, 15)
    assert parse_when("half past 3", NY, "future") == new_york(11, 25, 15, 30)
    assert parse_when("tomorrow", NY, "future") == new_york(11, 26)
    assert parse_when("today", NY, "future") == new_york(11, 25, 10)
    assert parse_when("yesterday", NY, "past") == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def test_after_midnight_local_tomorrow_is_the_day_after() -> None:
    """At 23:30 UTC it is already Thursday in Berlin: 'tomorrow' is Friday."""
    late = DateContext(datetime(2026, 11, 25, 23, 30, tzinfo=UTC), BERLIN)
    assert parse_when("tomorrow", late, "future") == berlin(11, 27)


def test_working_hour_comes_from_the_context() -> None:
    """A team starting at 08:30 gets 'tomorrow' at 08:30."""
    ctx = DateContext(NOW, BERLIN, work_hour=time(8, 30))
    assert parse_when("tomorrow", ctx, "future") == berlin(11, 26, 8, 30)


@pytest.mark.parametrize(
    ("order", "past", "future"),
    [
        ("DMY", berlin(11, 3), berlin(11, 3, year=2027)),
        ("MDY", berlin(3, 11), berlin(3, 11, year=2027)),
        ("YMD", berlin(3, 11), berlin(3, 11, year=2027)),
    ],
)
def test_numeric_dates_follow_the_date_order(order: str, past: datetime, future: datetime) -> None:
    """'3/11' is 3 November for a European team, 11 March for an American one."""
    ctx = DateContext(NOW, BERLIN, date_order=order)
    assert parse_when("3/11", ctx, "past") == past
    assert parse_when("3/11", ctx, "future") == future


def test_daylight_saving_change_in_berlin() -> None:
    """The day before clocks go back, 'tomorrow 9am' is 09:00 CET = 08:00 UTC."""
    ctx = DateContext(datetime(2026, 10, 24, 12, 0, tzinfo=UTC), BERLIN)
    assert parse_when("tomorrow 9am", ctx, "future") == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    assert parse_when("tomorrow", ctx, "future") == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    assert parse_when("in 24 hours", ctx, "future") == datetime(2026, 10, 25, 12, 0, tzinfo=UTC)


def test_daylight_saving_change_in_new_york() -> None:
    """The day before clocks go back in New York, 'tomorrow 9am' is 09:00 EST = 14:00 UTC."""
    ctx = DateContext(datetime(2026, 10, 31, 12, 0, tzinfo=UTC), NEW_YORK)
    assert parse_when("tomorrow 9am", ctx, "future") == datetime(2026, 11, 1, 14, 0, tzinfo=UTC)


def test_results_are_utc_whatever_zone_now_is_in() -> None:
    """A context whose now is in Berlin time gives the same answers, in UTC."""
    ctx = DateContext(NOW.astimezone(BERLIN), BERLIN)
    result = parse_when("in 2 hours", ctx, "future")
    assert result == NOW + timedelta(hours=2) and result.tzinfo is UTC
    tomorrow = parse_when("tomorrow", ctx, "future")
    assert tomorrow == berlin(11, 26) and tomorrow.tzinfo is UTC


def test_answers_follow_the_clock_not_a_cache() -> None:
    """The same words a day later mean a day later."""
    a_day_later = DateContext(NOW + timedelta(days=1), BERLIN)
    assert parse_when("tomorrow", CTX, "future") == berlin(11, 26)
    assert parse_when("tomorrow", a_day_later, "future") == berlin(11, 27)


@pytest.mark.parametrize(
    ("text", "before", "expected"),
    [
        ("delivery from GreenPack on 3 Nov", "delivery from GreenPack", berlin(11, 3)),
        ("call with Acme yesterday", "call with Acme", berlin(11, 24)),
        ("Met Jan on Monday", "Met Jan", berlin(11, 23)),
        ("call with May Logistics today", "call with May Logistics", NOW),
        ("pricing review, friday 3pm.", "pricing review", berlin(11, 20, 15)),
        ("yesterday", "", berlin(11, 24)),
        ("ordered 2 pallets at 9", "ordered 2 pallets", berlin(11, 25, 9)),
    ],
)
def test_split_trailing_when_in_a_log(text: str, before: str, expected: datetime) -> None:
    """The date at the end of a log line is taken off; the notes stay as typed."""
    assert split_trailing_when(text, CTX, "past") == (before, expected)


@pytest.mark.parametrize(
    "text",
    [
        "follow up with May Logistics",
        "samples from Sat Corp",
        "we march on",
        "march delivery",
        "ordered 2 pallets",
        "2 pallets late",
        "recycled boxes",
        "standup every monday",
        "rating 10",
        "",
    ],
)
def test_split_trailing_when_leaves_text_without_a_date_alone(text: str) -> None:
    """No date at the end: the text comes back unchanged."""
    assert split_trailing_when(text, CTX, "past") == (text, None)
    assert split_leading_when(text, CTX, "future") == (None, text)


def test_split_trailing_when_in_a_reminder() -> None:
    """'remind me to call Acme about pricing next tuesday at 3pm' keeps the whole phrase."""
    text = "call Acme about pricing next tuesday at 3pm"
    assert split_trailing_when(text, CTX, "future") == (
        "call Acme about pricing",
        berlin(12, 1, 15),
    )


def test_split_caps_the_words_tried() -> None:
    """With max_words=2 only 'at 3pm' is seen, not 'next tuesday at 3pm'."""
    text = "call Acme next tuesday at 3pm"
    assert split_trailing_when(text, CTX, "future", max_words=2) == (
        "call Acme next tuesday",
        berlin(11, 26, 15),
    )
    assert split_leading_when("next tuesday at 3pm call", CTX, "future", max_words=2) == (
        berlin(12, 1),
        "at 3pm call",
    )


@pytest.mark.parametrize(
    ("text", "expected", "rest"),
    [
        ("tomorrow 10am call Acme", berlin(11, 26, 10), "call Acme"),
        ("next sat: stocktake", berlin(11, 28), "stocktake"),
        ("on 3 Dec - send samples", berlin(12, 3), "send samples"),
        ("in 2 hours check the pallets", NOW + timedelta(hours=2), "check the pallets"),
        ("May Logistics called", None, "May Logistics called"),
        ("sun screen order", None, "sun screen order"),
    ],
)
def test_split_leading_when(text: str, expected: datetime | None, rest: str) -> None:
    """A date at the start of a reminder is taken off the front."""
    assert split_leading_when(text, CTX, "future") == (expected, rest)


def test_long_input_is_quick_and_harmless() -> None:
    """10 kB of text, or of numbers, is answered at once and without an exception."""
    words = ("pallet 3 may at on the 5 " * 1500)[:10_000]
    numbers = "1 " * 5000
    started = clock.perf_counter()
    assert parse_when(words, CTX, "future") is None
    assert split_trailing_when(words + " tomorrow", CTX, "future") == (
        words.strip(),
        berlin(11, 26),
    )
    assert split_leading_when("tomorrow " + words, CTX, "future")[0] == berlin(11, 26)
    assert split_trailing_when(numbers, CTX, "past") == (numbers, None)
    assert split_leading_when(numbers, CTX, "past") == (None, numbers)
    assert clock.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", timedelta(hours=2)),
        ("90m", timedelta(minutes=90)),
        ("30 min", timedelta(minutes=30)),
        ("1d", timedelta(days=1)),
        ("2 days", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("1 hour", timedelta(hours=1)),
        ("an hour", timedelta(hours=1)),
        ("half an hour", timedelta(minutes=30)),
        ("1h30m", timedelta(minutes=90)),
        ("1 hour 30 minutes", timedelta(minutes=90)),
        ("1.5h", timedelta(minutes=90)),
        (" 2H ", timedelta(hours=2)),
        ("three days", timedelta(days=3)),
        ("a fortnight", timedelta(days=14)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    """Snooze and cadence lengths as people write them."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "soon", "2", "h", "0m", "-2h", "3 months", "1 year", "am", "a m", "2 pallets"]
)
def test_parse_duration_rejects_non_durations(text: str) -> None:
    """No fixed length, no positive length, or no unit: not a duration."""
    assert parse_duration(text) is None


def test_format_when_and_day_use_the_readers_zone() -> None:
    """The reply shows 'Tue 24 Nov 2026, 14:30 CET' in Berlin and the EST day in New York."""
    moment = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)
    assert format_when(moment, BERLIN) == "Tue 24 Nov 2026, 14:30 CET"
    assert format_day(moment, BERLIN) == "Tue 24 Nov 2026"
    assert (
        format_when(datetime(2026, 7, 3, 7, 5, tzinfo=UTC), BERLIN) == "Fri 3 Jul 2026, 09:05 CEST"
    )
    late = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert format_when(late, NEW_YORK) == "Tue 24 Nov 2026, 21:00 EST"
    assert format_day(late, NEW_YORK) == "Tue 24 Nov 2026"


def test_formatted_days_read_back() -> None:
    """A day the bot shows can be typed back: 'Tue 24 Nov 2026'."""
    shown = format_day(berlin(11, 24), BERLIN)
    assert parse_when(shown, CTX, "future") == berlin(11, 24)


_DATE_WORDS = (
    "on at by in the of next last this tomorrow yesterday today now friday sat may march "
    "nov 3 5th 2026 3/11 3pm 9:30 half past to quarter ago a an hour hours 2 days week "
    "weekend end month eod tonight morning noon every and from"
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.sampled_from(["past", "future"]))
def test_any_text_gives_none_or_a_utc_moment(text: str, prefer: str) -> None:
    """Whatever is typed, the answer is None or an aware UTC moment, never an exception."""
    result = parse_when(text, CTX, "past" if prefer == "past" else "future")
    assert result is None or result.tzinfo is UTC
    before, when = split_trailing_when(text, CTX, "future")
    assert text.startswith(before) and (when is None or when.tzinfo is UTC)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_DATE_WORDS.split()), max_size=6), st.sampled_from(["past", "future"])
)
def test_any_mix_of_date_words_gives_none_or_a_utc_moment(words: list[str], prefer: str) -> None:
    """Date-like word salad reaches dateparser and the clock rules; none of it raises."""
    for ctx in (CTX, NY):
        result = parse_when(" ".join(words), ctx, "past" if prefer == "past" else "future")
        assert result is None or result.tzinfo is UTC
        when, rest = split_leading_when(" ".join(words + ["call", "Acme"]), ctx, "future")
        assert rest.endswith("call Acme") and (when is None or when.tzinfo is UTC)
