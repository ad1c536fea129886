"""The server side of Google's batch protocol (``POST /batch/gmail/v1``) for ``google_server``, as
documented for the Gmail API: the request body is ``multipart/mixed``, each part ``Content-Type:
application/http`` with a ``Content-ID``, holding one inner HTTP request (request line, headers,
a blank line, an optional body) that inherits the outer request's ``Authorization``; at most 100
parts (more is a 400). The answer is ``multipart/mixed``: per part, in order, ``Content-Type:
application/http`` and ``Content-ID: <response-…>`` of the request's id, holding the inner status
line, headers and JSON body."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from http import HTTPStatus
from typing import Any

MAX_CALLS = 100

# (method, path with query, body) -> (status, JSON body)
InnerCall = Callable[[str, str, bytes], tuple[int, dict[str, Any]]]


@dataclass
class InnerRequest:
    content_id: str
    method: str
    target: str
    body: bytes


class BatchError(ValueError):
    """The batch request itself is malformed (the whole request is a 400)."""


def read_requests(content_type: str, body: bytes) -> list[InnerRequest]:
    if not content_type.lower().startswith("multipart/mixed") or "boundary=" not in content_type:
        raise BatchError("multipart/mixed with a boundary expected")
    outer = message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=policy.compat32)
    parts = outer.get_payload() if outer.is_multipart() else []
    if not parts:
        raise BatchError("no parts")
    if len(parts) > MAX_CALLS:
        raise BatchError(f"at most {MAX_CALLS} calls per batch")
    requests = []
    for part in parts:
        if part.get_content_type() != "application/http":
            raise BatchError("each part must be application/http")
        text = part.get_payload(decode=True) or b""
        head, _blank, inner_body = text.replace(b"\r\n", b"\n").partition(b"\n\n")
        request_line = head.lstrip(b"\n").split(b"\n", 1)[0].decode("ascii", "replace").split()
        if len(request_line) < 2:
            raise BatchError("an inner request has no request line")
        requests.append(InnerRequest(str(part.get("Content-ID", "")), request_line[0], request_line[1], inner_body))
    return requests


def answer(requests: list[InnerRequest], call: InnerCall) -> tuple[bytes, str]:
    """(body, Content-Type) of the batch answer: each inner request answered by ``call``."""
    boundary = f"batch_{uuid.uuid4().hex}"
    lines: list[str] = []
    for request in requests:
        status, data = call(request.method, request.target, request.body)
        content = json.dumps(data)
        content_id = request.content_id.strip().strip("<>")
        lines += [
            f"--{boundary}",
            "Content-Type: application/http",
            f"Content-ID: <response-{content_id}>",
            "",
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
            "Content-Type: application/json; charset=UTF-8",
            f"Content-Length: {len(content.encode())}",
            "",
            content,
        ]
    lines += [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode(), f"multipart/mixed; boundary={boundary}"
