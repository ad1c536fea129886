"""A local Microsoft identity platform and Microsoft Graph for tests: a small HTTP server speaking
exactly the documented protocol of the endpoints the platform calls, on a free loopback port.

Identity (v2.0): ``GET /common/oauth2/v2.0/authorize`` (the user consents at once and is sent back
to ``redirect_uri`` with ``code`` and ``state``; the PKCE challenge is kept with the code) and
``POST /common/oauth2/v2.0/token`` (``authorization_code`` checked against the verifier and the
redirect URI, single use; ``refresh_token`` rotating the refresh token; ``invalid_grant`` for a
revoked or spent refresh token). Graph (``/v1.0``): ``/me``; mail (``tests/msgraph_mail.py``:
folders' delta, a message's MIME, ``sendMail``), drafts with large attachments
(``tests/msgraph_drafts.py``); calendars (``tests/msgraph_calendar.py``: delta, events, series'
instances, and the invitations Exchange sends for an organiser's events, recorded as ``notices``).
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

from tests import msgraph_calendar, msgraph_drafts, msgraph_instances, msgraph_mail
from tests.msgraph_calendar import Notice

HOST = "127.0.0.1"
CLIENT_ID = "relata-test-client"
CLIENT_SECRET = "relata-test-secret"


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
    notices: list[Notice] = field(default_factory=list)  # what Exchange e-mailed attendees
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

    event_type = GraphEvent

    def next_sequence(self) -> int:
        return next(self._sequence)

    def now_iso(self) -> str:
        return _now_iso()

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

    def edit_event(self, event_id: str, **values: Any) -> None:
        """The event (for a series: the whole series) changed in Outlook. A series given a new time
        or pattern loses its changed and deleted occurrences, as Outlook warns ("Any exceptions
        associated with this recurring appointment will be lost")."""
        with self.lock:
            event = self.events[event_id]
            if event.body.get("recurrence") and {"start", "end", "recurrence"} & set(values):
                self.deleted_occurrences.pop(event_id, None)
                for other in self.events.values():
                    if other.body.get("seriesMasterId") == event_id:
                        other.deleted = True
            event.body.update(values, lastModifiedDateTime=_now_iso(), changeKey=uuid.uuid4().hex)
            event.sequence = self.next_sequence()

    def edit_occurrence(self, master_id: str, original: datetime, **values: Any) -> None:
        """One occurrence of a series changed in Outlook: it becomes an exception."""
        with self.lock:
            master = self.events[master_id]
            body = {**msgraph_instances.occurrence(master_id, master.body, original), **values, "type": "exception"}
            body.update(lastModifiedDateTime=_now_iso(), changeKey=uuid.uuid4().hex)
            self.events[body["id"]] = GraphEvent(body["id"], body, self.next_sequence())
            master.sequence = self.next_sequence()  # the series changed: the delta says so

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
        handled = (
            msgraph_drafts.handle(self, method, segments)
            or msgraph_mail.handle(self, method, segments, query)
            or msgraph_calendar.handle(self, method, segments, query)
        )
        if handled:
            return
        if method == "GET" and segments == ["me"]:
            self._send(200, {"mail": self.fake.email, "userPrincipalName": self.fake.email})
        else:
            self._graph_error(400, "BadRequest", f"Unsupported request {method} {path}")

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
