"""Slack's text markup read as plain text, and every string written back escaped for mrkdwn."""

from __future__ import annotations

import pytest

from bot.slack.blocks import card_party_id, fallback_text, log_modal, reply_blocks
from bot.slack.text import escape, incoming_text
from handlers.log_use_case import keep_note_command
from handlers.reply import Button, Reply, Section
from handlers.resolve import named_in
from storage.store import Store
from tests.conftest import Chat
from tests.rigs.slack_rig import TEAM, texts


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("remind <@U0MAR0003> on friday to approve", "remind @Maria on friday to approve"),
        ("remind <@U0MAR0003|maria> friday", "remind @Maria friday"),
        ("owner:<@U0UNKNOWN|zed>", "owner:@zed"),
        ("email:<mailto:jane@acme.example|jane@acme.example>", "email:jane@acme.example"),
        ("website:<http://acme.example|acme.example>", "website:acme.example"),
        ("see <https://acme.example/q3>", "see https://acme.example/q3"),
        ("see <https://acme.example/q3|the deck>", "see https://acme.example/q3"),
        ("find customers <#C0SALES01|sales>", "find customers #sales"),
        ("add customer Smith &amp; Sons", "add customer Smith & Sons"),
        ("log note with Acme: 3 &lt; 5 &gt; 2", "log note with Acme: 3 < 5 > 2"),
        ("add customer &lt;!channel&gt;", "add customer <!channel>"),
        ("add customer <!channel>", "add customer @channel"),
        ("ping <!subteam^S0SALES|@sales-team>", "ping @sales-team"),
        ("<@UBOTRAPP1> show acme", "show acme"),
        ("&amp;lt;", "&lt;"),
    ],
)
def test_incoming_text_is_read_as_typed(typed: str, read: str) -> None:
    assert incoming_text(typed, TEAM, "UBOTRAPP1") == read


def test_escape_leaves_no_markup() -> None:
    assert escape("<!channel> & <@U123|x>") == "&lt;!channel&gt; &amp; &lt;@U123|x&gt;"


def test_every_string_of_a_reply_is_escaped() -> None:
    reply = Reply(
        title="<!channel> (#1)",
        sections=(Section(title="<!here>", lines=("<@U0MAR0003>",), fields=(("<b>", "a&b"),)),),
        buttons=(Button("<!everyone>", "show #1"),),
    )
    shown = texts(reply_blocks(reply))
    for raw in ("<!channel>", "<!here>", "<@U0MAR0003>", "<b>", "a&b"):
        assert raw not in shown
    assert "&lt;!channel&gt;" in shown and "a&amp;b" in shown
    assert "<" not in fallback_text(reply) and ">" not in fallback_text(reply)


def test_long_replies_fit_slack_limits() -> None:
    lines = tuple(f"line {n} " + "x" * 200 for n in range(400))
    fields = tuple((f"f{n}", "v") for n in range(25))
    blocks = reply_blocks(Reply(title="t" * 5000, sections=(Section("s", lines, fields),)))
    assert len(blocks) <= 50
    for block in blocks:
        assert len(block.get("text", {}).get("text", "")) <= 3000
        assert len(block.get("fields", [])) <= 10


def test_a_card_offers_the_log_modal_for_its_party() -> None:
    plain = Reply(title="Found 2 parties (#1)", buttons=(Button("Undo", "undo 3"),))
    assert card_party_id(Reply(title="Acme Corp (#12)", buttons=(Button("H", "history "),))) is None
    assert card_party_id(plain) is None
    history = (Button("History", 'history "Acme Corp"'),)
    named = Reply(title="Acme Corp (#12) — ⚠ EXCLUDED supplier", buttons=history)
    assert card_party_id(named) == 12


def test_the_modal_has_the_contract_block_ids() -> None:
    view = log_modal(("call", "note"), (12, "Acme Corp"), "note", "hello")
    contract = ["party", "kind", "when", "notes", "follow_up"]
    assert [b["block_id"] for b in view["blocks"]] == contract
    assert view["callback_id"] == "log_interaction"
    assert view["blocks"][0]["element"]["initial_option"]["value"] == "12"
    assert view["blocks"][3]["element"]["initial_value"] == "hello"


def test_a_note_button_carries_the_text_as_one_token_and_logs_it_verbatim(
    chat: Chat, store: Store
) -> None:
    chat("add supplier GreenPack")
    text = "Re: price - can you follow up friday?\nfollow up: 3 Nov, 10:30 {ok}"
    command = keep_note_command(1, text)
    assert command.split(" ")[:3] == ["usecase", "note", "#1"]  # then the text, one token
    assert command.count(" ") == 3 and "\n" not in command
    assert chat(command).changed
    (note,) = store.interactions.for_party(1)
    assert (note.kind, note.notes, note.at) == ("note", text, chat.now.isoformat())
    assert store.reminders.open_all() == []


def test_a_message_names_its_parties_as_whole_words(chat: Chat, store: Store) -> None:
    for name in ("Acme", "Acme Corp", "Globex", "Smith & Sons"):
        chat(f"add customer {name}")
    found = named_in(store.parties, "Called Acme Corp! Globex's offer; Smith & Sons?")
    assert [p.name for p in found] == ["Acme Corp", "Globex", "Smith & Sons"]
    assert named_in(store.parties, "acmecorp globexes") == []
