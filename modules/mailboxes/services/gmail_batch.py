"""Google's batch protocol for the Gmail API (``POST /batch/gmail/v1``): many ``users.messages.get``
calls in one HTTP request, so a first sync does not pay one round trip per message.

The request is ``multipart/mixed``; each part is ``Content-Type: application/http`` with a
``Content-ID`` and holds one inner request (``GET /gmail/v1/users/me/messages/<id>?format=raw``),
which carries the outer request's ``Authorization``. The answer is ``multipart/mixed`` too: one
``application/http`` part per call, its ``Content-ID`` the request's prefixed with ``response-``,
holding the inner status line, headers and JSON body. Google takes at most 100 calls per batch and
advises fewer for Gmail (larger batches meet rate limits), hence ``BATCH_CALLS``."""

from __future__ import annotations

import json
import secrets
from email import message_from_bytes, policy
from email.message import Message
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

BATCH_CALLS = 50


def batch_url(api_url: str) -> str:
    """The batch endpoint of the Gmail API at ``api_url`` (``…/gmail/v1`` → ``…/batch/gmail/v1``)."""
    parts = urlsplit(api_url.rstrip("/"))
    return urlunsplit((parts.scheme, parts.netloc, f"/batch{parts.path}", "", ""))


def message_requests(api_url: str, ids: list[str]) -> tuple[bytes, str]:
    """(body, Content-Type) of a batch fetching each message of ``ids`` with ``format=raw``; the
    part of ``ids[n]`` has the Content-ID ``<item-n>``."""
    boundary = f"batch_{secrets.token_hex(12)}"
    path = urlsplit(api_url.rstrip("/")).path
    lines: list[str] = []
    for index, message_id in enumerate(ids):
        lines += [
            f"--{boundary}",
            "Content-Type: application/http",
            f"Content-ID: <item-{index}>",
            "",
            f"GET {path}/users/me/messages/{quote(message_id, safe='')}?format=raw",
            "Accept: application/json",
            "",
        ]
    lines += [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode("ascii"), f"multipart/mixed; boundary={boundary}"


def read_answers(content_type: str, body: str) -> dict[int, tuple[int, dict[str, Any]]]:
    """Per call index, the inner answer's (status, JSON body) read from a batch answer; a part that
    cannot be read is left out (the caller asks for those calls again one by one)."""
    envelope = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body.encode("utf-8")
    outer = message_from_bytes(envelope, policy=policy.compat32)
    answers: dict[int, tuple[int, dict[str, Any]]] = {}
    if not outer.is_multipart():
        return answers
    for part in outer.get_payload():
        if not isinstance(part, Message):
            continue
        content_id = str(part.get("Content-ID", "")).strip().strip("<>")
        index_text = content_id.removeprefix("response-").removeprefix("item-")
        payload = part.get_payload()
        if not index_text.isdigit() or not isinstance(payload, str):
            continue
        answer = _inner_answer(payload)
        if answer is not None:
            answers[int(index_text)] = answer
    return answers


def _inner_answer(text: str) -> tuple[int, dict[str, Any]] | None:
    """The status and JSON body of one inner HTTP answer (``HTTP/1.1 200 OK``, headers, body)."""
    head, _blank, content = text.replace("\r\n", "\n").partition("\n\n")
    status_line = head.lstrip("\n").split("\n", 1)[0].split()
    if len(status_line) < 2 or not status_line[1].isdigit():
        return None
    try:
        data = json.loads(content) if content.strip() else {}
    except ValueError:
        return None
    return int(status_line[1]), data if isinstance(data, dict) else {}
