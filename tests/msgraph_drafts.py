"""Drafts and large attachments for ``tests/msgraph_server.py``, as Microsoft Graph documents them
for sending a message too large for ``sendMail``: ``POST /me/messages`` with MIME in base64
(``text/plain``) makes a draft, headers kept; ``POST /me/messages/{id}/attachments`` adds a
``fileAttachment`` of under 3 MB (``contentBytes``); ``POST …/attachments/createUploadSession``
answers an ``uploadUrl`` (carrying its own token: a request to it with an ``Authorization`` header
is refused) to which the file's bytes are ``PUT`` in consecutive ``Content-Range`` ranges of at
most 4 MB (``200`` with ``nextExpectedRanges``, ``201`` once complete); ``POST
/me/messages/{id}/send`` sends the draft with its attachments and keeps it in Sent Items;
``DELETE /me/messages/{id}`` deletes a draft. Requests over 4 MB are refused (``413``)."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

MAX_REQUEST = 4 * 1024 * 1024
SMALL_ATTACHMENT = 3 * 1024 * 1024
MAX_UPLOAD = 150 * 1024 * 1024


@dataclass
class Draft:
    id: str
    mime: bytes
    files: list[tuple[str, str, bytes]] = field(default_factory=list)  # (name, content type, bytes)


@dataclass
class Upload:
    draft: str
    name: str
    content_type: str
    size: int
    received: bytearray = field(default_factory=bytearray)
    puts: int = 0


@dataclass
class DraftStore:
    drafts: dict[str, Draft] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)


def too_large(handler: Any) -> bool:
    if int(handler.headers.get("Content-Length") or 0) > MAX_REQUEST:
        handler._graph_error(413, "RequestEntityTooLarge", "The request is larger than 4 MB.")
        return True
    return False


def handle(handler: Any, method: str, segments: list[str]) -> bool:
    """Answer the draft requests among Graph's (``segments`` of the path after ``/v1.0``); False
    for any other request."""
    fake, store = handler.fake, handler.fake.drafts
    if segments[:2] != ["me", "messages"] or not (
        (method == "POST" and len(segments) in (2, 4, 5)) or (method == "DELETE" and len(segments) == 3)
    ):
        return False
    if len(segments) == 2 and method == "POST":
        if too_large(handler):
            return True
        if not handler.headers.get("Content-Type", "").startswith("text/plain"):
            return False  # JSON drafts are not used by the platform
        try:
            mime = base64.b64decode(handler._body(), validate=True)
        except ValueError:
            handler._graph_error(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")
            return True
        draft = Draft(secrets.token_hex(8), mime)
        store.drafts[draft.id] = draft
        handler._send(201, {"id": draft.id, "isDraft": True})
        return True
    draft = store.drafts.get(segments[2])
    if draft is None:
        handler._graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        return True
    if method == "DELETE":
        store.drafts.pop(draft.id)
        store.deleted.append(draft.id)
        handler._send(204)
    elif segments[3:] == ["send"]:
        store.drafts.pop(draft.id)
        sent = with_files(draft)
        fake.sent.append(sent)
        fake.deliver(sent, "sentitems")
        handler._send(202)
    elif segments[3:] == ["attachments"]:
        if too_large(handler):
            return True
        body = json.loads(handler._body() or b"{}")
        content = base64.b64decode(str(body.get("contentBytes", "")))
        if len(content) >= SMALL_ATTACHMENT:
            handler._graph_error(400, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize", "Use an upload session.")
            return True
        draft.files.append((str(body.get("name", "")), str(body.get("contentType", "")), content))
        handler._send(201, {"id": secrets.token_hex(6), "name": body.get("name")})
    elif segments[3:] == ["attachments", "createUploadSession"]:
        item = json.loads(handler._body() or b"{}").get("AttachmentItem") or {}
        size = int(item.get("size") or 0)
        if item.get("attachmentType") != "file" or not 0 < size <= MAX_UPLOAD:
            handler._graph_error(400, "ErrorInvalidRequest", "AttachmentItem with a file size up to 150 MB expected.")
            return True
        token = secrets.token_urlsafe(16)
        store.uploads[token] = Upload(draft.id, str(item.get("name", "")), str(item.get("contentType", "")), size)
        handler._send(201, {"uploadUrl": f"{fake.base_url}/upload/{token}?authtoken={token}",
                            "expirationDateTime": "2099-01-01T00:00:00Z", "nextExpectedRanges": ["0-"]})  # fmt: skip
    else:
        return False
    return True


def put_range(handler: Any, token: str) -> None:
    """A range of an upload session's file."""
    store: DraftStore = handler.fake.drafts
    upload = store.uploads.get(token)
    if upload is None:
        handler._graph_error(404, "ItemNotFound", "The upload session was not found.")
        return
    if handler.headers.get("Authorization"):
        handler._graph_error(401, "InvalidAuthenticationToken", "The upload URL carries its own token.")
        return
    if too_large(handler):
        return
    try:
        unit, _sep, spec = handler.headers.get("Content-Range", "").partition(" ")
        span, _sep, total = spec.partition("/")
        first, _sep, last = span.partition("-")
        start, end, size = int(first), int(last), int(total)
    except ValueError:
        handler._graph_error(400, "InvalidRange", "Content-Range expected.")
        return
    data = handler._body()
    if unit != "bytes" or size != upload.size or start != len(upload.received) or end - start + 1 != len(data):
        handler._graph_error(416, "InvalidRange", f"Expected the range starting at {len(upload.received)}.")
        return
    upload.received.extend(data)
    upload.puts += 1
    if len(upload.received) < upload.size:
        handler._send(200, {"expirationDateTime": "2099-01-01T00:00:00Z",
                            "nextExpectedRanges": [f"{len(upload.received)}-"]})  # fmt: skip
        return
    store.uploads.pop(token)
    draft = store.drafts.get(upload.draft)
    if draft is not None:
        draft.files.append((upload.name, upload.content_type, bytes(upload.received)))
    handler._send(201, None, headers={"Location": f"{handler.fake.base_url}/v1.0/me/messages/{upload.draft}"})


def with_files(draft: Draft) -> bytes:
    """The draft's MIME with the attachments added to it, as Exchange sends it."""
    message = message_from_bytes(draft.mime, _class=EmailMessage, policy=policy.SMTP)
    assert isinstance(message, EmailMessage)
    for name, content_type, content in draft.files:
        maintype, _sep, subtype = (content_type or "application/octet-stream").partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype or "octet-stream", filename=name)
    return message.as_bytes()
