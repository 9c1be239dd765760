"""The router: every line gets a short reply, never a traceback; help comes from the verb table."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.context import Team
from handlers.router import VERBS, Router
from storage.checks import check_store
from storage.store import Store
from tests.conftest import PEOPLE, Chat


def test_help_lists_every_verb_and_details_one(chat: Chat) -> None:
    listing = chat.text("help")
    for verb in VERBS:
        assert f"{verb.name} — {verb.summary}" in listing
    details = chat("help log")
    assert details.title.startswith("log:")
    assert "log call with Acme yesterday" in details.plain()


def test_unknown_verb_suggests_the_closest(chat: Chat) -> None:
    reply = chat("shwo acme")
    assert not reply.ok and "Did you mean show?" in reply.title
    assert "Try: show acme" in reply.plain()
    assert "help" in chat("flibbertigibbet").plain()


def test_telegram_style_commands_and_case(chat: Chat) -> None:
    chat("add customer Acme")
    assert chat("/SHOW@RapportBot acme").title == "Acme (#1)"


def test_empty_and_oversized_lines(chat: Chat) -> None:
    assert chat("   ").title.startswith("Here is what I understand")
    assert not chat("log call with Acme: " + "x" * 9000).ok


def test_whoami_and_settings_change_the_zone_dates_are_shown_in(chat: Chat) -> None:
    assert "Europe/Berlin" in chat.text("whoami")
    assert chat("settings tz:America/New_York").ok
    assert "Wed 25 Nov 2026, 08:37 EST" in chat.text("whoami")
    assert not chat("settings tz:Mars/Olympus").ok
    chat("undo")
    assert "Europe/Berlin" in chat.text("whoami")


def test_export_from_chat_is_a_file(chat: Chat) -> None:
    chat("add customer Acme")
    reply = chat("export customers jsonl")
    assert reply.file is not None
    name, content = reply.file
    assert name == "rapport-customers-20261125.jsonl"
    assert '"name": "Acme"' in content
    assert not chat("export planets").ok


def test_undo_only_takes_back_your_own_changes(chat: Chat) -> None:
    reply = chat("add customer Acme", as_="Nick")
    assert chat("undo", as_="Ana").title == "You have no change to undo."
    assert not chat(reply.buttons[-1].command, as_="Ana").ok
    assert chat("undo", as_="Nick").ok
    assert chat.router.store.parties.count() == 0
    assert not chat("undo", as_="Nick").ok


def test_undo_refuses_when_the_party_changed_since(chat: Chat) -> None:
    chat("add customer Acme", as_="Maria")
    first = chat("edit Acme #a", as_="Maria")
    chat("edit Acme #b", as_="Ana")
    reply = chat.press(first, "Undo", as_="Maria")
    assert not reply.ok and "changed again since" in reply.title


def test_undo_refuses_a_change_older_than_the_audit_tail(tmp_path: Path, team: Team) -> None:
    with Store(tmp_path / "s") as store:
        chat = Chat(Router(store, team), team)
        first = chat("add customer Acme")
        for n in range(3 * 1000 + 10):
            chat(f"edit Acme n:{n}")
    with Store(tmp_path / "s") as store:
        chat = Chat(Router(store, team), team)
        reply = chat.press(first, "Undo")
        assert not reply.ok and "too old to undo" in reply.title
        assert chat("undo").ok


WORDS = st.sampled_from(
    [
        "add",
        "customer",
        "supplier",
        "contact",
        "log",
        "call",
        "with",
        "Acme",
        "at",
        "to",
        "as",
        "show",
        "find",
        "#eco",
        "-#eco",
        "key:",
        ":",
        '"',
        "follow up",
        "yesterday",
        "friday",
        "3/11",
        "rename",
        "alias",
        "undo",
        "history",
        "since",
        "export",
        "settings",
        "tz:",
        "edit",
        "#1",
        "<!channel>",
        "owner:@",
        "email:x",
        "met",
        "delivery",
        "from",
        "\x00",
        "💥",
    ]
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(WORDS | st.text(max_size=12), max_size=10))
def test_any_text_gets_a_reply_and_no_exception(chat: Chat, words: list[str]) -> None:
    reply = chat(" ".join(words), as_=("Ana", "Maria", "Bob")[len(words) % 3])
    assert reply.title
    assert "Traceback" not in reply.plain()
    assert "something went wrong" not in reply.title
    assert check_store(chat.router.store, [p.name for p in PEOPLE]) == []
