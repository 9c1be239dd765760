"""Real-shaped Telegram updates, made from the recorded ones in tests/fixtures/telegram/."""

from __future__ import annotations

import copy
import itertools
import json
import re
import time
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent.parent / "fixtures" / "telegram"
BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Rapport",
    "username": "RapportBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
NAMES = {1001: "Ana", 1002: "Bob", 1003: "Maria", 4242: "Mallory"}
_COMMAND = re.compile(r"^/[A-Za-z0-9_]+(?:@\w+)?")


def fixture(name: str) -> dict[str, Any]:
    """A recorded update, as Telegram sent it."""
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": NAMES.get(user_id, "Someone"),
            "language_code": "en"}  # fmt: skip


class Updates:
    """Makes updates with fresh update and message ids, from the recorded shapes."""

    def __init__(self) -> None:
        self._update_ids = itertools.count(730100)
        self._message_ids = itertools.count(100)

    def _from(self, name: str, key: str, user_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        update = fixture(name)
        update["update_id"] = next(self._update_ids)
        body = update[key]
        body["from"] = user(user_id)
        if body["chat"]["type"] == "private":
            body["chat"] = {"id": user_id, "first_name": NAMES.get(user_id, "Someone"),
                            "type": "private"}  # fmt: skip
        if "message_id" in body:
            body["message_id"] = next(self._message_ids)
        body["date"] = int(time.time())
        return update, body

    def text(
        self, text: str, user_id: int = 1002, chat: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A message typed in the private chat (or `chat`); a leading /command gets its entity."""
        update, body = self._from("private_text", "message", user_id)
        if chat is not None:
            body["chat"] = chat
        body["text"] = text
        command = _COMMAND.match(text)
        if command:
            body["entities"] = [{"offset": 0, "length": command.end(), "type": "bot_command"}]
        return update

    def group(self, text: str, chat_id: int, user_id: int = 1002) -> dict[str, Any]:
        """A message in a group chat."""
        chat = {"id": chat_id, "title": "Procurement", "type": "supergroup"}
        return self.text(text, user_id, chat)

    def forwarded(self, text: str, user_id: int = 1002, hidden: bool = False) -> dict[str, Any]:
        """A message forwarded to the bot from somebody else (hidden: they hide their account)."""
        name = "forwarded_hidden" if hidden else "forwarded_user"
        update, body = self._from(name, "message", user_id)
        body["text"] = text
        return update

    def photo(self, caption: str, user_id: int = 1002) -> dict[str, Any]:
        """A photo with a caption."""
        update, body = self._from("photo_caption", "message", user_id)
        body["caption"] = caption
        return update

    def edited(
        self, text: str, user_id: int = 1002, of: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """An edit of an earlier message (of the message in update `of`, when given)."""
        update, body = self._from("edited_message", "edited_message", user_id)
        body["text"] = text
        if of is not None:
            body.update(message_id=of["message"]["message_id"], date=of["message"]["date"])
            body["edit_date"] = body["date"] + 30
        return update

    def callback(self, message: dict[str, Any], data: str, user_id: int) -> dict[str, Any]:
        """`user_id` pressing a button carrying `data` on a message the bot sent."""
        update = fixture("callback_query")
        update["update_id"] = next(self._update_ids)
        query = update["callback_query"]
        query.update(id=f"cbq{update['update_id']}", data=data, message=copy.deepcopy(message))
        query["from"] = user(user_id)
        return update

    def recorded(self, name: str) -> dict[str, Any]:
        """A recorded update as it is (sender and text included), with a fresh update id."""
        update = fixture(name)
        update["update_id"] = next(self._update_ids)
        if "message" in update:
            update["message"].update(message_id=next(self._message_ids), date=int(time.time()))
        return update

    def again(self, update: dict[str, Any]) -> dict[str, Any]:
        """The same update delivered a second time (a retry)."""
        return copy.deepcopy(update)
