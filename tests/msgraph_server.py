"""A local Microsoft identity platform and Microsoft Graph for tests: a small HTTP server speaking
exactly the documented protocol of the endpoints the platform calls, on a free loopback port.

Identity (v2.0): ``GET /common/oauth2/v2.0/authorize`` (the user consents at once and is sent back
to ``redirect_uri`` with ``code`` and ``state``; the PKCE challenge is kept with the code) and
``POST /common/oauth2/v2.0/token`` (``authorization_code`` checked against the verifier and the
redirect URI, single use; ``refresh_token`` rotating the refresh token; ``invalid_grant`` for a
revoked or spent refresh token). Graph (``/v1.0``): ``/me``; mail folders' ``messages/delta``
with ``@odata.nextLink`` pages and a ``@odata.deltaLink``, ``/me/messages/{id}/$value``,
``/me/sendMail`` (MIME in base64, saved to Sent Items), drafts with large attachments
(``tests/msgraph_drafts.py``); calendar ``calendarView/delta`` (removed
events as ``@removed``), ``/me/events`` create (``transactionId`` honoured), read, update
(a new ``changeKey`` each change), cancel and delete; a series master is read by
``/me/events/{id}`` and stands in the delta as an occurrence, its exceptions by ``/instances``.
Any Graph call with an unknown or expired access token is answered ``401
InvalidAuthenticationToken``.

The server lives in the test process (a thread); tests change its state directly
(``deliver``, ``revoke``, ``expire_access_tokens``, ``move_event``) and read what it received."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests import msgraph_drafts
from tests import msgraph_instances as graph_instances

HOST = "127.0.0.1"
CLIENT_ID = "relata-test-client"
CLIENT_SECRET = "relata-test-secret"
FOLDERS = {"inbox": "inbox", "sentitems": "sentitems"}


@dataclass
class GraphMessage:
    id: str
    folder: str
    mime: bytes
    sequence: int
    received: str


@dataclass
class GraphEvent:
    id: str
    body: dict[str, Any]
    sequence: int
    deleted: bool = False


@dataclass
class FakeMicrosoft:
    email: str = "rita@contoso.example"
    page_size: int = 2
    access_lifetime: int = 3600
    server: ThreadingHTTPServer | None = None
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    access_tokens: dict[str, float] = field(default_factory=dict)
    refresh_tokens: set[str] = field(default_factory=set)
    messages: list[GraphMessage] = field(default_factory=list)
    events: dict[str, GraphEvent] = field(default_factory=dict)
    sent: list[bytes] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    graph_requests: list[str] = field(default_factory=list)
    rejected_tokens: int = 0
    failing_messages: set[str] = field(default_factory=set)  # their $value answers 503 once
    deleted_occurrences: dict[str, set[str]] = field(default_factory=dict)  # master id → original starts
    drafts: msgraph_drafts.DraftStore = field(default_factory=msgraph_drafts.DraftStore)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _sequence: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def settings(self) -> dict[str, dict[str, str]]:
        """The ``OAUTH_PROVIDERS`` setting pointing the platform at this server."""
        return {
            "microsoft": {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "authorize_url": f"{self.base_url}/common/oauth2/v2.0/authorize",
                "token_url": f"{self.base_url}/common/oauth2/v2.0/token",
                "api_url": f"{self.base_url}/v1.0",
            }
        }

    # --- what tests do on the provider's side -------------------------------------------------

    def next_sequence(self) -> int:
        return next(self._sequence)

    def deliver(self, raw: bytes, folder: str = "inbox") -> str:
        """A message arriving in the folder; its Graph id."""
        parsed = message_from_bytes(raw, policy=policy.default)
        try:
            date = parsedate_to_datetime(str(parsed["Date"]))
            received = (date if date.tzinfo else date.replace(tzinfo=UTC)).isoformat()  # -0000: UTC (RFC 5322)
        except (TypeError, ValueError):
            received = "2000-01-01T00:00:00+00:00"
        with self.lock:
            message = GraphMessage(uuid.uuid4().hex, folder, raw, self.next_sequence(), received)
            self.messages.append(message)
        return message.id

    def revoke(self) -> None:
        """The user withdrew the consent: every refresh token and access token stops working."""
        with self.lock:
            self.refresh_tokens.clear()
            self.access_tokens.clear()

    def expire_access_tokens(self) -> None:
        with self.lock:
            for token in self.access_tokens:
                self.access_tokens[token] = 0

    def put_event(self, body: dict[str, Any], event_id: str = "") -> GraphEvent:
        with self.lock:
            event_id = event_id or uuid.uuid4().hex
            stored = {**body, "id": event_id}
            stored.setdefault("iCalUId", f"{event_id}@graph.example")
            stored.setdefault("type", "seriesMaster" if body.get("recurrence") else "singleInstance")
            stored["lastModifiedDateTime"] = _now_iso()
            stored["changeKey"] = uuid.uuid4().hex
            event = GraphEvent(event_id, stored, self.next_sequence())
            self.events[event_id] = event
        return event

    def move_event(self, event_id: str, start: str, end: str) -> None:
        """The event moved in Outlook (``start``/``end`` in UTC, ISO 8601 without offset)."""
        with self.lock:
            event = self.events[event_id]
            event.body["start"] = {"dateTime": start, "timeZone": "UTC"}
            event.body["end"] = {"dateTime": end, "timeZone": "UTC"}
            event.body["lastModifiedDateTime"] = _now_iso()
            event.body["changeKey"] = uuid.uuid4().hex
            event.sequence = self.next_sequence()

    def delete_event(self, event_id: str) -> None:
        """The event deleted in Outlook."""
        with self.lock:
            self.events[event_id].deleted = True
            self.events[event_id].sequence = self.next_sequence()

    # --- the protocol -----------------------------------------------------------------------------

    def issue_tokens(self) -> dict[str, Any]:
        access = "at-" + secrets.token_urlsafe(16)
        refresh = "rt-" + secrets.token_urlsafe(16)
        self.access_tokens[access] = time.time() + self.access_lifetime
        self.refresh_tokens.add(refresh)
        return {
            "token_type": "Bearer",
            "scope": "openid email offline_access User.Read Mail.ReadWrite Mail.Send Calendars.ReadWrite",
            "expires_in": self.access_lifetime,
            "access_token": access,
            "refresh_token": refresh,
        }

    def authorized(self, header: str) -> bool:
        token = header.removeprefix("Bearer ").strip()
        with self.lock:
            return self.access_tokens.get(token, 0) > time.time()


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime())


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeMicrosoft

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(
        self,
        status: int,
        body: Any = None,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _graph_error(self, status: int, code: str, message: str) -> None:
        self._send(status, {"error": {"code": code, "message": message}})

    def _page_size(self) -> int:
        prefer = self.headers.get("Prefer", "")
        for part in prefer.split(","):
            name, _sep, value = part.strip().partition("=")
            if name == "odata.maxpagesize" and value.isdigit():
                return min(int(value), self.fake.page_size)
        return self.fake.page_size

    # identity ---------------------------------------------------------------------------------------

    def _authorize(self, query: dict[str, list[str]]) -> None:
        one = {key: values[0] for key, values in query.items()}
        if one.get("client_id") != CLIENT_ID or one.get("response_type") != "code":
            self._send(400, {"error": "invalid_request"})
            return
        if one.get("code_challenge_method") != "S256" or not one.get("code_challenge"):
            self._send(400, {"error": "invalid_request", "error_description": "PKCE required"})
            return
        code = "code-" + secrets.token_urlsafe(16)
        with self.fake.lock:
            self.fake.codes[code] = {"challenge": one["code_challenge"], "redirect_uri": one["redirect_uri"]}
        target = one["redirect_uri"] + "?" + urlencode({"code": code, "state": one.get("state", "")})
        self._send(302, headers={"Location": target})

    def _token(self) -> None:
        form = {key: values[0] for key, values in parse_qs(self._body().decode()).items()}
        fake = self.fake
        with fake.lock:
            fake.token_requests.append(form)
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                self._send(401, {"error": "invalid_client"})
                return
            grant = form.get("grant_type")
            if grant == "authorization_code":
                issued = fake.codes.pop(form.get("code", ""), None)
                if (
                    issued is None
                    or issued["redirect_uri"] != form.get("redirect_uri")
                    or issued["challenge"] != _challenge(form.get("code_verifier", ""))
                ):
                    self._send(400, {"error": "invalid_grant", "error_description": "AADSTS70008: bad code"})
                    return
                self._send(200, fake.issue_tokens())
                return
            if grant == "refresh_token":
                refresh = form.get("refresh_token", "")
                if refresh not in fake.refresh_tokens:
                    self._send(
                        400,
                        {"error": "invalid_grant", "error_description": "AADSTS700082: The refresh token has expired"},
                    )
                    return
                fake.refresh_tokens.discard(refresh)  # rotated: a spent one is refused
                self._send(200, fake.issue_tokens())
                return
            self._send(400, {"error": "unsupported_grant_type"})

    # graph ----------------------------------------------------------------------------------------

    def _message_delta(self, folder: str, query: dict[str, list[str]]) -> None:
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
                self._graph_error(400, "ErrorInvalidUrlQueryFilter", "Only receivedDateTime ge is supported")
                return
            received_from = datetime.fromisoformat(value.replace("Z", "+00:00"))
        with self.fake.lock:
            changed = [
                m
                for m in self.fake.messages
                if m.folder == folder
                and m.sequence > since
                and (received_from is None or datetime.fromisoformat(m.received) >= received_from)
            ]
            top = max((m.sequence for m in self.fake.messages), default=since)
        size = self._page_size()
        page = changed[offset : offset + size]
        base = f"{self.fake.base_url}/v1.0/me/mailFolders/{folder}/messages/delta"
        body: dict[str, Any] = {
            "value": [
                {"id": m.id, "receivedDateTime": m.received, "internetMessageId": _message_id(m.mime)} for m in page
            ]
        }
        if offset + size < len(changed):
            body["@odata.nextLink"] = f"{base}?$skiptoken={since}.{offset + size}"
        else:
            body["@odata.deltaLink"] = f"{base}?$deltatoken={max(top, since)}"
        self._send(200, body)

    def _calendar_delta(self, query: dict[str, list[str]]) -> None:
        token = query.get("$deltatoken", [""])[0]
        skip = query.get("$skiptoken", [""])[0]
        since, offset = 0, 0
        if skip:
            since_text, _sep, offset_text = skip.partition(".")
            since, offset = int(since_text), int(offset_text)
        elif token:
            since = int(token)
        elif not (query.get("startDateTime") and query.get("endDateTime")):
            self._graph_error(400, "ErrorInvalidParameter", "startDateTime and endDateTime are required")
            return
        with self.fake.lock:
            changed = sorted((e for e in self.fake.events.values() if e.sequence > since), key=lambda e: e.sequence)
            top = max((e.sequence for e in self.fake.events.values()), default=since)
            rows = [_delta_row(e) for e in changed]
        size = self._page_size()
        base = f"{self.fake.base_url}/v1.0/me/calendarView/delta"
        body: dict[str, Any] = {"value": rows[offset : offset + size]}
        if offset + size < len(rows):
            body["@odata.nextLink"] = f"{base}?$skiptoken={since}.{offset + size}"
        else:
            body["@odata.deltaLink"] = f"{base}?$deltatoken={max(top, since)}"
        self._send(200, body)

    def _graph(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = parts.path.removeprefix("/v1.0")
        query = parse_qs(parts.query)
        self.fake.graph_requests.append(f"{method} {path}")
        if not self.fake.authorized(self.headers.get("Authorization", "")):
            self.fake.rejected_tokens += 1
            self._graph_error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
            return
        segments = [s for s in path.split("/") if s]
        if msgraph_drafts.handle(self, method, segments):
            return
        if method == "GET" and segments == ["me"]:
            self._send(200, {"mail": self.fake.email, "userPrincipalName": self.fake.email})
        elif (
            method == "GET"
            and len(segments) == 5
            and segments[1] == "mailFolders"
            and segments[3:] == ["messages", "delta"]
        ):
            folder = FOLDERS.get(segments[2])
            if folder is None:
                self._graph_error(404, "ErrorItemNotFound", "The specified folder could not be found.")
                return
            self._message_delta(folder, query)
        elif method == "GET" and len(segments) == 4 and segments[1] == "messages" and segments[3] == "$value":
            found = next((m for m in self.fake.messages if m.id == segments[2]), None)
            if segments[2] in self.fake.failing_messages:
                self.fake.failing_messages.discard(segments[2])
                self._graph_error(503, "ServiceUnavailable", "The service is temporarily unavailable.")
                return
            if found is None:
                self._graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
                return
            self._send(200, found.mime, content_type="text/plain")
        elif method == "POST" and segments == ["me", "sendMail"]:
            if msgraph_drafts.too_large(self):
                return
            if not self.headers.get("Content-Type", "").startswith("text/plain"):
                self._graph_error(400, "ErrorMimeContentInvalid", "MIME content expected in base64")
                return
            try:
                raw = base64.b64decode(self._body(), validate=True)
            except ValueError:
                self._graph_error(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.")
                return
            self.fake.sent.append(raw)
            self.fake.deliver(raw, "sentitems")
            self._send(202)
        elif method == "GET" and segments == ["me", "calendarView", "delta"]:
            self._calendar_delta(query)
        elif method == "POST" and segments == ["me", "events"]:
            body = json.loads(self._body() or b"{}")
            with self.fake.lock:  # transactionId: a retried POST returns the event it created
                existing = next(
                    (
                        e
                        for e in self.fake.events.values()
                        if body.get("transactionId") and e.body.get("transactionId") == body["transactionId"]
                    ),
                    None,
                )
            event = existing or self.fake.put_event(body)
            self._send(201, event.body)
        elif method == "GET" and len(segments) == 4 and segments[1] == "events" and segments[3] == "instances":
            if not (query.get("startDateTime") and query.get("endDateTime")):
                self._graph_error(400, "ErrorInvalidParameter", "startDateTime and endDateTime are required")
                return
            with self.fake.lock:
                master = self.fake.events.get(segments[2])
                exceptions = [
                    dict(e.body)
                    for e in self.fake.events.values()
                    if not e.deleted and e.body.get("seriesMasterId") == segments[2]
                ]
                if master is None or master.deleted or not master.body.get("recurrence"):
                    rows = exceptions
                else:
                    low = graph_instances.moment(query["startDateTime"][0])
                    high = graph_instances.moment(query["endDateTime"][0])
                    deleted = self.fake.deleted_occurrences.get(master.id, set())
                    rows = graph_instances.instances(master.id, master.body, exceptions, deleted, low, high)
            self._send(200, {"value": rows})
        elif method == "GET" and len(segments) == 3 and segments[1] == "events":
            found = self.fake.events.get(segments[2])
            if found is None or found.deleted:
                self._graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
                return
            self._send(200, found.body)
        elif method == "POST" and len(segments) == 4 and segments[1] == "events" and segments[3] == "cancel":
            found = self.fake.events.get(segments[2])
            if found is None or found.deleted:
                self._graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
                return
            with self.fake.lock:
                found.body.update(isCancelled=True, changeKey=uuid.uuid4().hex, lastModifiedDateTime=_now_iso())
                found.sequence = self.fake.next_sequence()
            self._send(202)
        elif method in ("PATCH", "DELETE") and len(segments) == 3 and segments[1] == "events":
            with self.fake.lock:
                if self._occurrence(method, segments[2]):
                    return
                event = self.fake.events.get(segments[2])
            if event is None or event.deleted:
                self._graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
                return
            with self.fake.lock:
                event.sequence = self.fake.next_sequence()
                if method == "DELETE":
                    event.deleted = True
                else:
                    event.body.update(json.loads(self._body() or b"{}"))
                    event.body["lastModifiedDateTime"] = _now_iso()
                    event.body["changeKey"] = uuid.uuid4().hex
            self._send(204) if method == "DELETE" else self._send(200, event.body)
        else:
            self._graph_error(400, "BadRequest", f"Unsupported request {method} {path}")

    def _occurrence(self, method: str, event_id: str) -> bool:
        """PATCH or DELETE of an occurrence of a series (caller holds the lock): a PATCH makes it an
        exception, a DELETE takes it out of the series (an exception's original start too)."""
        for master in self.fake.events.values():
            if master.deleted or not master.body.get("recurrence"):
                continue
            stored = self.fake.events.get(event_id)
            found = graph_instances.find_occurrence(master.id, master.body, event_id)
            if stored is not None and stored.body.get("seriesMasterId") == master.id and method == "DELETE":
                stored.deleted, stored.sequence = True, self.fake.next_sequence()
                found = {"originalStart": stored.body["originalStart"]}
            elif found is None or stored is not None:
                continue
            master.sequence = self.fake.next_sequence()  # the series changed: the delta says so
            if method == "DELETE":
                self.fake.deleted_occurrences.setdefault(master.id, set()).add(found["originalStart"])
                self._send(204)
                return True
            body = {**found, **json.loads(self._body() or b"{}"), "type": "exception", "id": event_id}
            body.update(lastModifiedDateTime=_now_iso(), changeKey=uuid.uuid4().hex)
            self.fake.events[event_id] = GraphEvent(event_id, body, self.fake.next_sequence())
            self._send(200, body)
            return True
        return False

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/common/oauth2/v2.0/authorize":
            self._authorize(parse_qs(parts.query))
        else:
            self._graph("GET")

    def do_POST(self) -> None:
        if urlsplit(self.path).path == "/common/oauth2/v2.0/token":
            self._token()
        else:
            self._graph("POST")

    def do_PUT(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/upload/"):
            msgraph_drafts.put_range(self, path.removeprefix("/upload/"))
        else:
            self._graph("PUT")

    def do_PATCH(self) -> None:
        self._graph("PATCH")

    def do_DELETE(self) -> None:
        self._graph("DELETE")


def _delta_row(event: GraphEvent) -> dict[str, Any]:
    """calendarView/delta never returns a series master: its instances stand for it."""
    if event.deleted:
        return {"id": event.id, "@removed": {"reason": "deleted"}}
    if event.body.get("type") == "seriesMaster":
        return {
            "id": f"{event.id}-occurrence", "type": "occurrence", "seriesMasterId": event.id,
            "start": event.body["start"], "end": event.body["end"], "changeKey": event.body["changeKey"],
        }  # fmt: skip
    return dict(event.body)


def _message_id(raw: bytes) -> str:
    return str(message_from_bytes(raw, policy=policy.default).get("Message-ID", ""))


@pytest.fixture
def fake_microsoft(settings: Any) -> Iterator[FakeMicrosoft]:
    """The fake, running, with ``OAUTH_PROVIDERS`` pointing at it for the test."""
    fake = FakeMicrosoft()
    handler = type("Handler", (_Handler,), {"fake": fake})
    fake.server = ThreadingHTTPServer((HOST, 0), handler)
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    settings.OAUTH_PROVIDERS = fake.settings()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()
