"""Never half-understood: a date-like leftover asks, and nothing is stored beside *now*."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.leftovers import date_like
from tests.conftest import NOW, Chat

# Words that are dates only in company: alone in notes they are words.
ORDINARY = (
    "pricing", "march", "may", "delivery", "boxes", "pallets", "delayed", "order", "samples",
    "invoice", "Sat Corp", "sun", "damage", "we agreed", "price", "Q3", "v2", "recycled",
    "the 40th pallet was fine", "May Logistics", "sent", "labels", "sat down", "the march order",
)  # fmt: skip
DATE_LIKE = (
    "yday", "yest", "tmrw", "2morrow", "yesterday", "tomorrow", "30/02", "3/11", "14.15",
    "25:00", "9.30pm", "20.11.", "on 20.11.", "monday", "on thu", "next wk", "the 31st",
    "3 nov", "in march", "last week", "tomorow", "31st of november", "2 days ago", "at 9h30",
)  # fmt: skip
SHAPES = (
    "log call with Acme Corp: {}",
    "log call with Acme Corp, {}",
    "log call with Acme Corp {}",
    "spoke to acme about {}",
    "Acme called re {}",
    "got 3 pallets from Acme, {}",
    "rate GreenPack quality 4: {}",
)
notes = st.lists(st.sampled_from(ORDINARY), min_size=1, max_size=6).map(" ".join)
shapes = st.sampled_from(SHAPES)


def _seed(chat: Chat) -> None:
    if not chat.router.store.parties.named("Acme Corp"):
        chat("add customer Acme Corp", as_="Maria")
        chat("add supplier GreenPack", as_="Maria")


def _stored_now_beside(chat: Chat, before: int, dated: str) -> list[str]:
    """Interactions or ratings stored at *now* whose notes keep the date-like words."""
    store = chat.router.store
    found = [i for i in store.interactions.all() if i.id > before and i.at == NOW.isoformat()]
    return [i.notes for i in found if dated in i.notes]


settings_ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings_
@given(shape=shapes, words=notes, dated=st.sampled_from(DATE_LIKE), at=st.integers(0, 6))
def test_a_date_like_leftover_never_sits_beside_now(
    chat: Chat, shape: str, words: str, dated: str, at: int
) -> None:
    """Random notes with a date-like part somewhere: asked about, or read as the time; never now."""
    _seed(chat)
    split = words.split(" ")
    text = " ".join([*split[:at], dated, *split[at:]])
    before = max((i.id for i in chat.router.store.interactions.all()), default=0)
    ratings = sum(1 for _ in chat.router.store.ratings.all())
    reply = chat(shape.format(text))
    assert not _stored_now_beside(chat, before, dated), (shape.format(text), reply.plain())
    if shape.startswith("rate"):
        assert sum(1 for _ in chat.router.store.ratings.all()) == ratings, reply.plain()


@settings_
@given(shape=shapes, words=notes)
def test_ordinary_notes_are_stored_as_they_are(chat: Chat, shape: str, words: str) -> None:
    """Without a date-like part, nothing is asked: 'march', 'May Logistics', 'Sat' stay words."""
    _seed(chat)
    assert date_like(words) == []
    reply = chat(shape.format(words))
    assert reply.ok and reply.changed, (shape.format(words), reply.plain())


def test_the_question_names_exactly_the_part_not_understood(chat: Chat) -> None:
    _seed(chat)
    reply = chat("log call with Acme Corp on the 31st of november")
    assert not reply.ok and "“on the 31st of november”" in reply.title
    assert "“yday”" in chat("log call with acme, yday").title
    assert "“at 25:00”" in chat("remind me tomorrow to call Acme at 25:00").title
    assert not any(True for _ in chat.router.store.interactions.all())
    assert not chat.router.store.reminders.open_all()


def test_what_is_read_as_the_time_is_not_a_leftover(chat: Chat) -> None:
    _seed(chat)
    assert "Tue 24 Nov 2026, 09:00" in chat("log call with acme yest").title
    assert "Fri 27 Nov 2026, 14:15" in chat("remind me friday 14.15 to call Acme").title
    reply = chat("log call with acme yesterday 3pm about the 3/12 delivery")
    assert reply.changed and "the 3/12 delivery" in reply.plain()


def test_with_a_time_given_day_words_in_the_notes_are_notes(chat: Chat) -> None:
    _seed(chat)
    reply = chat("log call with Acme Corp today: prefers calls on a Sunday, not in march")
    assert reply.changed and "prefers calls on a Sunday, not in march" in reply.plain()
    unreadable = chat("log call with Acme Corp today: delivery moved to 30/02")
    assert not unreadable.ok and "“30/02”" in unreadable.title  # digits that fail still ask
