"""Charts in Slack: uploaded with files_upload_v2 where they were asked for, with alt text."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import fallback_text
from handlers.reply import Reply

ALT_TEXT_LIMIT = 1000  # Slack's limit for a file's alt text
TITLE_LIMIT = 250


async def upload_image(
    client: AsyncWebClient, reply: Reply, channel: str, thread_ts: str | None = None
) -> str:
    """Upload the reply's image into a conversation (a thread when given), the reply as its
    comment and its text alternative as alt text; the file's id."""
    image = reply.image
    assert image is not None
    done = await client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        content=image.png,
        filename=image.name,
        title=reply.title[:TITLE_LIMIT],
        alt_txt=image.alt[:ALT_TEXT_LIMIT],
        initial_comment=fallback_text(reply),
    )
    return str(done["file"]["id"])
