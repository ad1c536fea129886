"""Mail endpoints of the local Microsoft Graph (``tests/msgraph_server.py``), as Graph documents
them: a mail folder's ``messages/delta`` (``@odata.nextLink`` pages, a ``@odata.deltaLink``, a
``receivedDateTime ge`` filter on the first read), ``/me/messages/{id}/$value`` (the MIME; a
message in ``fake.failing_messages`` answers ``503`` once) and ``/me/sendMail`` (MIME in base64,
saved to Sent Items). Drafts and large attachments: ``tests/msgraph_drafts.py``."""

from __future__ import annotations

import base64
from datetime import datetime
from email import message_from_bytes, policy
from typing import Any

from tests import msgraph_drafts

FOLDERS = {"inbox": "inbox", "sentitems": "sentitems"}


def message_id(raw: bytes) -> str:
    return str(message_from_bytes(raw, policy=policy.default).get("Message-ID", ""))


def handle(handler: Any, method: str, segments: list[str], query: dict[str, list[str]]) -> bool:
    """Answer the mail requests among Graph's (``segments`` of the path after ``/v1.0``); False for
    any other request."""
    fake = handler.fake
    if (
        method == "GET"
        and len(segments) == 5
        and segments[1] == "mailFolders"
        and segments[3:] == ["messages", "delta"]
    ):
        folder = FOLDERS.get(segments[2])
        if folder is None:
            handler._graph_error(404, "ErrorItemNotFound", "The specified folder could not be found.")
            return True
        message_delta(handler, folder, query)
    elif method == "GET" and len(segments) == 4 and segments[1] == "messages" and segments[3] == "$value":
        found = next((m for m in fake.messages if m.id == segments[2]), None)
        if segments[2] in fake.failing_messages:
            fake.failing_messages.discard(segments[2])
            handler._graph_error(503, "ServiceUnavailable", "The service is temporarily unavailable.")
            return True
        if found is None:
            handler._graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
            return True
        handler._send(200, found.mime, content_type="text/plain")
    elif method == "POST" and segments == ["me", "sendMail"]:
        _send_mail(handler)
    else:
        return False
    return True


def _send_mail(handler: Any) -> None:
    if msgraph_drafts.too_large(handler):
        return
    if not handler.headers.get("Content-Type", "").startswith("text/plain"):
        handler._graph_error(400, "ErrorMimeContentInvalid", "MIME content expected in base64")
        return
    try:
        raw = base64.b64decode(handler._body(), validate=True)
    except ValueError:
        handler._graph_error(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")
        return
    handler.fake.sent.append(raw)
    handler.fake.deliver(raw, "sentitems")
    handler._send(202)


def message_delta(handler: Any, folder: str, query: dict[str, list[str]]) -> None:
    token = query.get("$deltatoken", [""])[0]
    skip = query.get("$skiptoken", [""])[0]
    since, offset = 0, 0
    if skip:
        since_text, _sep, offset_text = skip.partition(".")
        since, offset = int(since_text), int(offset_text)
    elif token:
        since = int(token)
    received_from = None
    condition = query.get("$filter", [""])[0]
    if condition and not token and not skip:
        field_name, operator, value = ([*condition.split(" ", 2), "", ""])[:3]
        if field_name != "receivedDateTime" or operator != "ge":
            handler._graph_error(400, "ErrorInvalidUrlQueryFilter", "Only receivedDateTime ge is supported")
            return
        received_from = datetime.fromisoformat(value.replace("Z", "+00:00"))
    with handler.fake.lock:
        changed = [
            m
            for m in handler.fake.messages
            if m.folder == folder
            and m.sequence > since
            and (received_from is None or datetime.fromisoformat(m.received) >= received_from)
        ]
        top = max((m.sequence for m in handler.fake.messages), default=since)
    size = handler._page_size()
    page = changed[offset : offset + size]
    base = f"{handler.fake.base_url}/v1.0/me/mailFolders/{folder}/messages/delta"
    body: dict[str, Any] = {
        "value": [{"id": m.id, "receivedDateTime": m.received, "internetMessageId": message_id(m.mime)} for m in page]
    }
    if offset + size < len(changed):
        body["@odata.nextLink"] = f"{base}?$skiptoken={since}.{offset + size}"
    else:
        body["@odata.deltaLink"] = f"{base}?$deltatoken={max(top, since)}"
    handler._send(200, body)
