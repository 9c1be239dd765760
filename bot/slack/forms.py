"""Slack's forms: the "Log interaction" modal and the "Log to Rapport" message shortcut.

The modal is checked field by field by the core (`handlers.log_form`), errors are shown beside
the field, and a valid form is logged from its values by the log use case; a shortcut's message
is logged verbatim as a note (`handlers.log_use_case.log_note`).
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.dispatch import REFUSAL
from bot.slack.blocks import (
    LOG_MODAL,
    OPEN_LOG_MODAL,
    fits,
    form_values,
    log_modal,
    notice_modal,
    option,
)
from bot.slack.events import user_of
from bot.slack.guard import guarded
from bot.slack.text import incoming_text
from handlers.context import Context
from handlers.log_form import LogForm, form_problems, log_form
from handlers.log_use_case import keep_note_command, log_note
from handlers.reply import Button, Reply
from handlers.resolve import MAX_CHOICES, closest, named_in, resolve
from storage.models import INTERACTION_KINDS, Party

if TYPE_CHECKING:
    from bot.slack.conversation import Conversation

LOG_MESSAGE = "log_message"
ACK_WITHIN = 2.5  # seconds; Slack drops a view_submission answer after 3
MAX_SUGGESTIONS = 20
Body = dict[str, Any]


def suggestions(ctx: Context, query: str) -> list[Party]:
    """Parties for the modal's picker: the core's lookup first, then prefixes and look-alikes."""
    parties = ctx.store.parties
    found = resolve(parties, query)
    ranked = [found.party] if found.party else []
    ranked += [*found.candidates, *parties.with_prefix(query), *closest(parties, query, 10)]
    unique = {party.id: party for party in ranked}
    return list(unique.values())[:MAX_SUGGESTIONS]


class SlackForms:
    """The modal's and the message shortcut's listeners for one conversation."""

    def __init__(self, conversation: Conversation) -> None:
        self.slack = conversation

    def register(self, bolt: AsyncApp) -> None:
        safe = functools.partial(guarded, self.slack)
        bolt.shortcut(LOG_MODAL)(safe(self.open_from_shortcut))
        bolt.action(OPEN_LOG_MODAL)(safe(self.open_from_button))
        bolt.options("party")(safe(self.suggest_parties))
        bolt.view(LOG_MODAL)(safe(self.submit))
        bolt.shortcut(LOG_MESSAGE)(safe(self.log_message))

    async def open_from_shortcut(self, ack: AsyncAck, body: Body) -> None:
        """The global shortcut: an empty form."""
        await ack()
        await self._open(body, None)

    async def open_from_button(self, ack: AsyncAck, body: Body, action: Body) -> None:
        """The card's button: the form for that party."""
        await ack()
        value = str(action.get("value") or "")
        await self._open(body, int(value) if value.isdigit() else None)

    async def _open(
        self, body: Body, party_id: int | None, kind: str = "call", notes: str = ""
    ) -> None:
        person = self.slack.person(user_of(body))
        if person is None:
            view = notice_modal("Rapport", REFUSAL)
        else:
            party = self.slack.router.store.parties.get(party_id) if party_id else None
            chosen = (party.id, party.name) if party else None
            view = log_modal(INTERACTION_KINDS, chosen, kind, notes)
        await self.slack.client.views_open(trigger_id=body["trigger_id"], view=view)

    async def suggest_parties(self, ack: AsyncAck, body: Body) -> None:
        """The picker's options as the person types."""
        person = self.slack.person(user_of(body))
        query = str(body.get("value") or "").strip()
        if person is None or not query:
            await ack(options=[])
            return
        found = await self.slack.read(person, lambda ctx: suggestions(ctx, query))
        await ack(options=[option(p.name, str(p.id)) for p in found])

    async def submit(self, ack: AsyncAck, body: Body, view: Body) -> None:
        """Check the form; errors go beside their fields, a good form is logged and confirmed."""
        person = self.slack.person(user_of(body))
        if person is None:
            await ack(response_action="errors", errors={"party": REFUSAL})
            return
        values = form_values(view["state"]["values"])
        form = LogForm(**{**values, "kind": values["kind"] or "call"})
        problems = await self.slack.read(person, lambda ctx: form_problems(ctx, form))
        if problems:
            await ack(response_action="errors", errors=problems)
            return
        stamp = f"slack:view:{view['id']}"
        asked = asyncio.ensure_future(
            self.slack.perform(person, form.notes, lambda ctx: log_form(ctx, form), stamp)
        )
        try:
            reply = await asyncio.wait_for(asyncio.shield(asked), ACK_WITHIN)
        except TimeoutError:  # Slack wants the answer within 3 s: close the form, DM the outcome
            await ack()
            await self.slack.notifier.deliver(person, await asked)
            return
        if not reply.ok:
            await ack(response_action="errors", errors={"party": reply.title})
            return
        await ack()
        await self.slack.notifier.deliver(person, reply)

    async def log_message(self, ack: AsyncAck, body: Body) -> None:
        """The message shortcut: a note on the party the message names; asks when unclear."""
        await ack()
        person = self.slack.person(user_of(body))
        if person is None:
            if body.get("response_url"):
                await self.slack.respond(str(body["response_url"]), Reply(REFUSAL, ok=False))
            return
        message = body.get("message") or {}
        text = incoming_text(str(message.get("text") or ""), self.slack.team)
        if not text:
            reply = Reply(title="That message has no text I could log.", ok=False)
            await self.slack.tell(body, person, reply)
            return
        named = await self.slack.read(person, lambda ctx: named_in(ctx.store.parties, text))
        named = named[:MAX_CHOICES]
        commands = [(party, keep_note_command(party.id, text)) for party in named]
        if len(named) == 1:
            stamp = f"slack:shortcut:{body.get('action_ts') or body.get('trigger_id', '')}"
            party = named[0]
            reply = await self.slack.perform(
                person, text, lambda ctx: log_note(ctx, party, text), stamp
            )
            await self.slack.tell(body, person, reply)
        elif commands and all(fits(Button(p.name, c)) for p, c in commands):
            buttons = tuple(
                Button(label=party.name, command=command) for party, command in commands
            )
            question = Reply(title="Which party is this message about?", buttons=buttons, ok=False)
            await self.slack.tell(body, person, question)
        else:  # no party named (or the message is too long for a button): the form, prefilled
            await self._open(body, None, "note", text)
