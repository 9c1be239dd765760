"""Replies in Telegram's HTML: escaped, split to fit, buttons whose data fits 64 bytes."""

from __future__ import annotations

from bot.telegram.render import MAX_DATA, ButtonTokens, html_chunks, keyboard, size
from handlers.reply import Button, Reply, Section
from tests.fakes.telegram_api import parse_html


def test_every_string_is_escaped_and_the_html_parses() -> None:
    reply = Reply(
        title="Added <b>Evil</b> & Co",
        sections=(Section(title="a<b", lines=("x > y & z",), fields=(("<i>", "&amp;"),)),),
    )
    (html,) = html_chunks(reply)
    text, entities = parse_html(html)
    assert text.splitlines() == ["Added <b>Evil</b> & Co", "", "a<b", "<i>: &amp;", "x > y & z"]
    assert [e["type"] for e in entities] == ["bold", "bold", "italic"]


def test_a_long_reply_is_split_between_lines_within_the_limit() -> None:
    lines = tuple("ü & <ok> " * 20 for _ in range(100))
    chunks = html_chunks(Reply(title="T", sections=(Section(lines=lines),)))
    assert len(chunks) > 1
    assert all(size(parse_html(c)[0]) <= 4096 for c in chunks)
    assert sum(len(parse_html(c)[0].splitlines()) for c in chunks) == 102


def test_an_enormous_line_is_cut() -> None:
    (html,) = html_chunks(Reply(title="T", sections=(Section(lines=("&" * 10_000,)),)))
    assert size(parse_html(html)[0]) < 4096 and html.endswith("…")


def test_short_commands_ride_in_the_button_long_ones_on_a_token() -> None:
    tokens = ButtonTokens(size=2)
    assert tokens.data_for("done 12") == "done 12"
    long = "log delivery with #3 : two pallets arrived late and one was damaged on the corner"
    data = tokens.data_for(long)
    assert len(data.encode()) <= MAX_DATA and tokens.command_for(data) == long
    tokens.data_for(long + " 2")
    tokens.data_for(long + " 3")
    assert tokens.command_for(data) is None  # forgotten: the button has expired
    assert tokens.command_for("~unknown") is None


def test_choices_stack_and_actions_sit_side_by_side() -> None:
    tokens = ButtonTokens()
    buttons = (
        Button("Done", "done 1"),
        Button("Snooze 1h", "snooze 1 1h"),
        Button("Tomorrow", "t"),
    )
    actions = keyboard(buttons, tokens, choices=False)
    choices = keyboard(buttons, tokens, choices=True)
    assert actions is not None and choices is not None
    assert [len(row) for row in actions.inline_keyboard] == [3]
    assert [len(row) for row in choices.inline_keyboard] == [1, 1, 1]
    assert keyboard((), tokens, choices=False) is None
