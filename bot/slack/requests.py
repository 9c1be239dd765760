"""What /slack/events accepts before bolt reads a byte of it: a valid signature, then a body
shaped like one of Slack's requests. Anything else is a short 401 or 400 and one log line,
never a parse error with a traceback (bolt parses before it verifies)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

FORM_KEYS = ("payload", "command", "ssl_check")


def refusal(
    verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]
) -> tuple[int, str] | None:
    """(status, reason) when the request must not reach bolt, else None."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not (timestamp and signature and verifier.is_valid(body, timestamp, signature)):
        return 401, "missing, stale or wrong signature"
    problem = _shape_problem(body, headers.get("Content-Type", ""))
    return (400, problem) if problem else None


def _shape_problem(body: bytes, content_type: str) -> str | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    if content_type.startswith("application/json"):
        return None if _json_object(text) else "the body is not a JSON object"
    form = parse_qs(text)
    if "payload" in form:
        return None if _json_object(form["payload"][0]) else "the payload is not a JSON object"
    if any(key in form for key in FORM_KEYS):
        return None
    return "the body is not a Slack event, command or interaction"


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False
