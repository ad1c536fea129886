"""Gmail of the local Google (``tests/google_server.py``), as the Gmail API documents it:
``users.getProfile``, ``users.messages.list`` with ``q`` (``after:``, ``rfc822msgid:``) and
``pageToken``, ``users.messages.get`` with ``format=raw`` (also inside a batch, ``POST
/batch/gmail/v1``: ``tests/google_batch.py``), ``users.messages.send`` and ``users.history.list``
(a ``404`` for a start point older than the history kept). ``state`` is the server's
``GoogleState``; the caller holds its lock."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from email import message_from_bytes
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests import google_batch

PAGE = 2  # small pages, so every test walks pageToken


@dataclass
class StoredMail:
    id: str
    thread_id: str
    raw: bytes
    label_ids: list[str]
    internal_ms: int
    message_id: str


def error_body(status: int, reason: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": reason, "errors": [{"reason": reason}]}}


def message_answer(state: Any, quoted_id: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """``users.messages.get`` (``format=raw`` only), alone or inside a batch."""
    mail = state.mails.get(unquote(quoted_id))
    if mail is None:
        return 404, error_body(404, "notFound")
    if query.get("format") != "raw":
        return 400, error_body(400, "invalidArgument")
    raw = base64.urlsafe_b64encode(mail.raw).decode()
    return 200, {"id": mail.id, "threadId": mail.thread_id, "labelIds": mail.label_ids,
                 "internalDate": str(mail.internal_ms), "raw": raw}  # fmt: skip


def handle(handler: Any, state: Any, method: str, rest: str, query: dict[str, str]) -> None:
    if rest == "profile" and method == "GET":
        return handler._send(200, {"emailAddress": state.email, "messagesTotal": len(state.mails),
                                "historyId": str(state.history_id)})  # fmt: skip
    if rest == "messages" and method == "GET":
        return _list_messages(handler, state, query)
    if rest == "messages/send" and method == "POST":
        return _send_message(handler, state)
    if rest == "history" and method == "GET":
        return _history(handler, state, query)
    if rest.startswith("messages/") and method == "GET":
        return handler._send(*message_answer(state, rest.removeprefix("messages/"), query))
    return handler._error(404, "notFound")


def batch(handler: Any, state: Any) -> None:
    try:
        inner = google_batch.read_requests(handler.headers.get("Content-Type", ""), handler._body())
    except google_batch.BatchError as error:
        return handler._error(400, str(error))
    valid = handler._token_valid()  # the inner requests carry the outer Authorization

    def call(method: str, target: str, _body: bytes) -> tuple[int, dict[str, Any]]:
        state.batched.append(f"{method} {target}")
        parts = urlsplit(target)
        rest = parts.path.removeprefix("/gmail/v1/users/me/")
        if not valid:
            return 401, error_body(401, "authError")
        if method != "GET" or not rest.startswith("messages/") or rest == parts.path:
            return 404, error_body(404, "notFound")  # only users.messages.get is batched here
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        return message_answer(state, rest.removeprefix("messages/"), query)

    body, content_type = google_batch.answer(inner, call)
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
    return None


def _list_messages(handler: Any, state: Any, query: dict[str, str]) -> None:
    mails = sorted(state.mails.values(), key=lambda m: (m.internal_ms, m.id), reverse=True)
    for term in query.get("q", "").split():
        if term.startswith("after:"):
            after = int(term.removeprefix("after:")) * 1000
            mails = [m for m in mails if m.internal_ms > after]
        elif term.startswith("rfc822msgid:"):
            wanted = term.removeprefix("rfc822msgid:").strip("<>")
            mails = [m for m in mails if m.message_id.strip("<>") == wanted]
        else:
            return handler._error(400, "invalidArgument")
    size = min(int(query.get("maxResults") or 100), PAGE)
    offset = int(query.get("pageToken") or 0)
    page = mails[offset : offset + size]
    data: dict[str, Any] = {"messages": [{"id": m.id, "threadId": m.thread_id} for m in page],
                            "resultSizeEstimate": len(mails)}  # fmt: skip
    if offset + size < len(mails):
        data["nextPageToken"] = str(offset + size)
    if not page:
        data.pop("messages")
    return handler._send(200, data)


def _history(handler: Any, state: Any, query: dict[str, str]) -> None:
    start = int(query.get("startHistoryId") or 0)
    if start < state.history_floor:
        return handler._error(404, "notFound")
    records = [(hid, gid) for hid, gid in state.history if hid > start]
    offset = int(query.get("pageToken") or 0)
    size = min(int(query.get("maxResults") or 100), PAGE)
    page = records[offset : offset + size]
    data: dict[str, Any] = {"historyId": str(state.history_id)}
    if page:
        data["history"] = [
            {"id": str(hid), "messagesAdded": [{"message": {"id": gid, "threadId": state.mails[gid].thread_id,
                                                           "labelIds": state.mails[gid].label_ids}}]}
            for hid, gid in page
        ]  # fmt: skip
    if offset + size < len(records):
        data["nextPageToken"] = str(offset + size)
    return handler._send(200, data)


def _send_message(handler: Any, state: Any) -> None:
    data = json.loads(handler._body() or b"{}")
    raw = base64.urlsafe_b64decode(str(data.get("raw", "")) + "==")
    thread_id = str(data.get("threadId") or "")
    if thread_id and not any(m.thread_id == thread_id for m in state.mails.values()):
        return handler._error(404, "notFound")
    state.history_id += 1
    gid = f"{state.history_id:016x}"
    parsed = message_from_bytes(raw)
    mail = StoredMail(
        id=gid, thread_id=thread_id or gid, raw=raw, label_ids=["SENT"], internal_ms=int(time.time() * 1000),
        message_id=str(parsed.get("Message-ID", "")).strip(),
    )  # fmt: skip
    state.mails[gid] = mail
    state.history.append((state.history_id, gid))
    state.sent.append(mail)
    return handler._send(200, {"id": gid, "threadId": mail.thread_id, "labelIds": mail.label_ids})
