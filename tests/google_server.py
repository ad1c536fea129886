"""A local stand-in for Google's APIs, speaking the documented protocol of exactly the endpoints
the platform calls: the OAuth2 authorization endpoint (the user consents at once), the token
endpoint (authorization code with PKCE, refresh, errors as ``{"error": "invalid_grant"}``), the
OpenID Connect userinfo endpoint, the revocation endpoint, Gmail (``users.getProfile``,
``users.messages.list`` with ``q`` and ``pageToken``, ``users.messages.get`` with ``format=raw``,
also inside a batch (``POST /batch/gmail/v1``, ``tests/google_batch.py``),
``users.messages.send``, ``users.history.list``, a ``404`` for a start point older than the
history kept) and Google Calendar (``events.list`` with ``syncToken``/``pageToken``/``timeMin``/
``iCalUID``, ``410 Gone`` for an expired sync token, ``events.insert``, ``events.update`` and
``events.delete`` honouring ``If-Match``, ``409`` for an id or iCalUID that exists, and
``events.instances`` by ``originalStart`` with instance ids updatable: ``tests/google_calendar_instances.py``). Access
tokens expire: a call with an expired or unknown one gets ``401``.

Run in a thread of the test process on a free loopback port (``google_server`` fixture); tests
put mail and events in it as Google would, and read what the platform wrote there."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pytest

from tests import google_batch
from tests import google_calendar_instances as instances
from tests.processes import free_port

HOST = "127.0.0.1"
PAGE = 2  # small pages, so every test walks pageToken


@dataclass
class StoredMail:
    id: str
    thread_id: str
    raw: bytes
    label_ids: list[str]
    internal_ms: int
    message_id: str


@dataclass
class Grant:
    refresh_token: str
    email: str
    scope: str
    revoked: bool = False


@dataclass
class GoogleState:
    lock: threading.RLock = field(default_factory=threading.RLock)
    email: str = "rita@gmail.example"
    client_id: str = ""
    client_secret: str = ""
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    access: dict[str, float] = field(default_factory=dict)  # token -> expiry (monotonic)
    token_lifetime: int = 3600
    refreshes: int = 0
    codes_scopes: list[str] = field(default_factory=list)  # every scope consented to
    mails: dict[str, StoredMail] = field(default_factory=dict)
    history: list[tuple[int, str]] = field(default_factory=list)  # (history id, message id added)
    history_id: int = 1000
    history_floor: int = 0  # start points below this get 404
    sent: list[StoredMail] = field(default_factory=list)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    event_seq: dict[str, int] = field(default_factory=dict)
    seq: int = 0
    expired_sync_tokens: bool = False
    requests: list[str] = field(default_factory=list)
    batched: list[str] = field(default_factory=list)  # inner requests of batches ("GET /gmail/v1/…")
    token_requests: list[str] = field(default_factory=list)  # grant types asked for
    rejected_tokens: int = 0
    # Every access token dies when the API has answered this many calls (a token expiring mid-sync).
    expire_after_calls: int | None = None
    api_calls: int = 0


class GoogleServer:
    def __init__(self) -> None:
        self.state = GoogleState()
        self.port = free_port()
        self.server = ThreadingHTTPServer((HOST, self.port), _handler(self.state))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    # OAuth

    def authorize(self, *, client_id: str, redirect_uri: str, code_challenge: str, scope: str) -> str:
        """What Google's consent page does when the user agrees: a code for that client."""
        code = uuid.uuid4().hex
        with self.state.lock:
            self.state.codes[code] = {
                "client_id": client_id, "redirect_uri": redirect_uri, "challenge": code_challenge, "scope": scope,
            }  # fmt: skip
        return code

    def grant(self, scope: str = "") -> tuple[str, str]:
        """A refresh token and a live access token for the account (as after a consent)."""
        with self.state.lock:
            refresh = f"refresh-{uuid.uuid4().hex}"
            self.state.grants[refresh] = Grant(refresh, self.state.email, scope)
            return refresh, self._new_access()

    def _new_access(self) -> str:
        token = f"access-{uuid.uuid4().hex}"
        self.state.access[token] = time.monotonic() + self.state.token_lifetime
        return token

    def expire_access_tokens(self) -> None:
        with self.state.lock:
            self.state.access.clear()

    def revoke_all(self) -> None:
        """The user removed the platform's access in their Google account."""
        with self.state.lock:
            for grant in self.state.grants.values():
                grant.revoked = True
            self.state.access.clear()

    # Gmail

    def deliver(self, raw: bytes, *, labels: tuple[str, ...] = ("INBOX", "UNREAD"), thread_id: str = "") -> str:
        with self.state.lock:
            self.state.history_id += 1
            gid = f"{self.state.history_id:016x}"
            parsed = message_from_bytes(raw)
            mail = StoredMail(
                id=gid, thread_id=thread_id or gid, raw=raw, label_ids=list(labels),
                internal_ms=int(time.time() * 1000), message_id=str(parsed.get("Message-ID", "")).strip(),
            )  # fmt: skip
            self.state.mails[gid] = mail
            self.state.history.append((self.state.history_id, gid))
            return gid

    def forget_history(self) -> None:
        """Gmail keeps history for a limited time: every start point known so far is now too old."""
        with self.state.lock:
            self.state.history_floor = self.state.history_id + 1

    # Calendar

    def put_event(self, event: dict[str, Any]) -> dict[str, Any]:
        """Create or replace an event as the user's calendar program does through Google."""
        with self.state.lock:
            return _store_event(self.state, dict(event))

    def event(self, event_id: str) -> dict[str, Any]:
        with self.state.lock:
            return dict(self.state.events[event_id])

    def events(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [dict(e) for e in self.state.events.values() if e.get("status") != "cancelled"]

    def delete_event(self, event_id: str) -> None:
        with self.state.lock:
            event = self.state.events[event_id]
            event["status"] = "cancelled"
            _store_event(self.state, event)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _store_event(state: GoogleState, event: dict[str, Any]) -> dict[str, Any]:
    state.seq += 1
    event.setdefault("id", uuid.uuid4().hex)
    event.setdefault("iCalUID", f"{event['id']}@google.com")
    event.setdefault("status", "confirmed")
    event["updated"] = _now()
    event["etag"] = f'"{state.seq}"'
    event["kind"] = "calendar#event"
    state.events[event["id"]] = event
    state.event_seq[event["id"]] = state.seq
    return dict(event)


def _sync_token(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode()


def _handler(state: GoogleState) -> type[BaseHTTPRequestHandler]:
    def _message_answer(quoted_id: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """``users.messages.get`` (``format=raw`` only), alone or inside a batch."""
        mail = state.mails.get(unquote(quoted_id))
        if mail is None:
            return 404, _error_body(404, "notFound")
        if query.get("format") != "raw":
            return 400, _error_body(400, "invalidArgument")
        raw = base64.urlsafe_b64encode(mail.raw).decode()
        return 200, {"id": mail.id, "threadId": mail.thread_id, "labelIds": mail.label_ids,
                     "internalDate": str(mail.internal_ms), "raw": raw}  # fmt: skip

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, data: Any = None, headers: dict[str, str] | None = None) -> None:
            body = json.dumps(data).encode() if data is not None else b""
            self.send_response(status)
            if data is not None:
                self.send_header("Content-Type", "application/json; charset=UTF-8")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _error(self, status: int, reason: str) -> None:
            self._send(status, {"error": {"code": status, "message": reason, "errors": [{"reason": reason}]}})

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _authorized(self) -> bool:
            if self._token_valid():
                return True
            self._error(401, "authError")
            return False

        def _token_valid(self) -> bool:
            header = self.headers.get("Authorization", "")
            token = header.removeprefix("Bearer ").strip()
            if state.expire_after_calls is not None and state.api_calls >= state.expire_after_calls:
                state.access.clear()
                state.expire_after_calls = None
            expiry = state.access.get(token)
            if expiry is None or expiry < time.monotonic():
                state.rejected_tokens += 1
                return False
            state.api_calls += 1
            return True

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_PUT(self) -> None:
            self._dispatch("PUT")

        def do_DELETE(self) -> None:
            self._dispatch("DELETE")

        def _dispatch(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
            path = parts.path
            with state.lock:
                state.requests.append(f"{method} {path}")
                if path == "/token" and method == "POST":
                    return self._token()
                if path == "/revoke" and method == "POST":
                    return self._revoke()
                if path == "/authorize" and method == "GET":
                    return self._authorize(query)
                if path == "/batch/gmail/v1" and method == "POST":
                    return self._gmail_batch()
                if not self._authorized():
                    return None
                if path == "/userinfo":
                    return self._send(200, {"sub": "1234567890", "email": state.email, "email_verified": True})
                if path.startswith("/gmail/v1/users/me/"):
                    return self._gmail(method, path.removeprefix("/gmail/v1/users/me/"), query)
                if path.startswith("/calendar/v3/calendars/primary/events"):
                    return self._calendar(method, path.removeprefix("/calendar/v3/calendars/primary/events"), query)
                return self._error(404, "notFound")

        # OAuth2 (RFC 6749, RFC 7636, RFC 7009)

        def _token(self) -> None:
            form = {name: values[-1] for name, values in parse_qs(self._body().decode()).items()}
            if state.client_id and (
                form.get("client_id") != state.client_id or form.get("client_secret") != state.client_secret
            ):
                return self._send(401, {"error": "invalid_client"})
            grant_type = form.get("grant_type")
            state.token_requests.append(str(grant_type))
            if grant_type == "authorization_code":
                code = state.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
                if code is None or code["challenge"] != challenge or code["redirect_uri"] != form.get("redirect_uri"):
                    return self._send(400, {"error": "invalid_grant", "error_description": "Bad Request"})
                refresh = f"refresh-{uuid.uuid4().hex}"
                state.grants[refresh] = Grant(refresh, state.email, code["scope"])
                return self._send(200, self._tokens(refresh, code["scope"], with_refresh=True))
            if grant_type == "refresh_token":
                grant = state.grants.get(form.get("refresh_token", ""))
                if grant is None or grant.revoked:
                    return self._send(
                        400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
                    )
                state.refreshes += 1
                return self._send(200, self._tokens(grant.refresh_token, grant.scope, with_refresh=False))
            return self._send(400, {"error": "unsupported_grant_type"})

        def _tokens(self, refresh: str, scope: str, *, with_refresh: bool) -> dict[str, Any]:
            access = f"access-{uuid.uuid4().hex}"
            state.access[access] = time.monotonic() + state.token_lifetime
            claims = {"iss": "https://accounts.google.com", "sub": "1234567890", "email": state.email,
                      "email_verified": True}  # fmt: skip
            id_token = (
                ".".join(
                    base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
                    for part in ({"alg": "none"}, claims)
                )
                + ".sig"
            )
            data: dict[str, Any] = {"access_token": access, "expires_in": state.token_lifetime,
                                    "token_type": "Bearer", "scope": scope, "id_token": id_token}  # fmt: skip
            if with_refresh:
                data["refresh_token"] = refresh
            return data

        def _authorize(self, query: dict[str, str]) -> None:
            """The user signs in and consents: back to the redirect URI with a code and the state."""
            if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
                return self._error(400, "invalid_request")
            if state.client_id and query.get("client_id") != state.client_id:
                return self._error(400, "invalid_client")
            code = uuid.uuid4().hex
            state.codes_scopes.extend(query.get("scope", "").split())
            state.codes[code] = {
                "client_id": query.get("client_id", ""),
                "redirect_uri": query.get("redirect_uri", ""),
                "challenge": query.get("code_challenge", ""),
                "scope": query.get("scope", ""),
            }
            target = f"{query.get('redirect_uri', '')}?{urlencode({'code': code, 'state': query.get('state', '')})}"
            return self._send(302, None, {"Location": target})

        def _revoke(self) -> None:
            form = {name: values[-1] for name, values in parse_qs(self._body().decode()).items()}
            token = form.get("token", "")
            grant = state.grants.get(token)
            if grant is not None:
                grant.revoked = True
            state.access.pop(token, None)
            return self._send(200, {})

        # Gmail

        def _gmail(self, method: str, rest: str, query: dict[str, str]) -> None:
            if rest == "profile" and method == "GET":
                return self._send(200, {"emailAddress": state.email, "messagesTotal": len(state.mails),
                                        "historyId": str(state.history_id)})  # fmt: skip
            if rest == "messages" and method == "GET":
                return self._list_messages(query)
            if rest == "messages/send" and method == "POST":
                return self._send_message()
            if rest == "history" and method == "GET":
                return self._history(query)
            if rest.startswith("messages/") and method == "GET":
                return self._send(*_message_answer(rest.removeprefix("messages/"), query))
            return self._error(404, "notFound")

        def _gmail_batch(self) -> None:
            try:
                inner = google_batch.read_requests(self.headers.get("Content-Type", ""), self._body())
            except google_batch.BatchError as error:
                return self._error(400, str(error))
            valid = self._token_valid()  # the inner requests carry the outer Authorization

            def call(method: str, target: str, _body: bytes) -> tuple[int, dict[str, Any]]:
                state.batched.append(f"{method} {target}")
                parts = urlsplit(target)
                rest = parts.path.removeprefix("/gmail/v1/users/me/")
                if not valid:
                    return 401, _error_body(401, "authError")
                if method != "GET" or not rest.startswith("messages/") or rest == parts.path:
                    return 404, _error_body(404, "notFound")  # only users.messages.get is batched here
                query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
                return _message_answer(rest.removeprefix("messages/"), query)

            body, content_type = google_batch.answer(inner, call)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None

        def _list_messages(self, query: dict[str, str]) -> None:
            mails = sorted(state.mails.values(), key=lambda m: (m.internal_ms, m.id), reverse=True)
            for term in query.get("q", "").split():
                if term.startswith("after:"):
                    after = int(term.removeprefix("after:")) * 1000
                    mails = [m for m in mails if m.internal_ms > after]
                elif term.startswith("rfc822msgid:"):
                    wanted = term.removeprefix("rfc822msgid:").strip("<>")
                    mails = [m for m in mails if m.message_id.strip("<>") == wanted]
                else:
                    return self._error(400, "invalidArgument")
            size = min(int(query.get("maxResults") or 100), PAGE)
            offset = int(query.get("pageToken") or 0)
            page = mails[offset : offset + size]
            data: dict[str, Any] = {"messages": [{"id": m.id, "threadId": m.thread_id} for m in page],
                                    "resultSizeEstimate": len(mails)}  # fmt: skip
            if offset + size < len(mails):
                data["nextPageToken"] = str(offset + size)
            if not page:
                data.pop("messages")
            return self._send(200, data)

        def _history(self, query: dict[str, str]) -> None:
            start = int(query.get("startHistoryId") or 0)
            if start < state.history_floor:
                return self._error(404, "notFound")
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
            return self._send(200, data)

        def _send_message(self) -> None:
            data = json.loads(self._body() or b"{}")
            raw = base64.urlsafe_b64decode(str(data.get("raw", "")) + "==")
            thread_id = str(data.get("threadId") or "")
            if thread_id and not any(m.thread_id == thread_id for m in state.mails.values()):
                return self._error(404, "notFound")
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
            return self._send(200, {"id": gid, "threadId": mail.thread_id, "labelIds": mail.label_ids})

        # Calendar

        def _calendar(self, method: str, rest: str, query: dict[str, str]) -> None:
            event_id = unquote(rest.removeprefix("/")) if rest.startswith("/") else ""
            if not event_id and method == "GET":
                return self._list_events(query)
            if event_id.endswith("/instances") and method == "GET":
                series_id = event_id.removesuffix("/instances")
                if series_id not in state.events:
                    return self._error(404, "notFound")
                items = instances.instances_at(state.events, series_id, query.get("originalStart", ""))
                return self._send(200, {"kind": "calendar#events", "items": items})
            if method == "PUT" and event_id not in state.events:
                found = instances.computed_instance(state.events, event_id)
                if found is not None:  # an unchanged instance updated: it becomes an exception
                    event = json.loads(self._body() or b"{}")
                    event.update(id=event_id, iCalUID=found["iCalUID"], recurringEventId=found["recurringEventId"],
                                 originalStartTime=found["originalStartTime"])  # fmt: skip
                    return self._send(200, _store_event(state, event))
            if not event_id and method == "POST":
                event = json.loads(self._body() or b"{}")
                if event.get("id") in state.events:
                    return self._error(409, "duplicate")
                if "id" in event and not re.fullmatch(r"[a-v0-9]{5,1024}", str(event["id"])):
                    return self._error(400, "invalid")
                if event.get("iCalUID") and any(
                    e.get("iCalUID") == event["iCalUID"] and e.get("status") != "cancelled"
                    for e in state.events.values()
                ):
                    return self._error(409, "duplicate")
                return self._send(200, _store_event(state, event))
            current = state.events.get(event_id)
            if current is None or (current.get("status") == "cancelled" and method != "GET"):
                return self._error(410 if current is not None else 404, "deleted" if current else "notFound")
            match = self.headers.get("If-Match")
            if match and match != current["etag"]:
                return self._error(412, "conditionNotMet")
            if method == "GET":
                return self._send(200, current)
            if method == "PUT":
                event = json.loads(self._body() or b"{}")
                event["id"], event["iCalUID"] = event_id, current["iCalUID"]
                for key in ("recurringEventId", "originalStartTime"):  # an instance stays one
                    if key in current:
                        event[key] = current[key]
                return self._send(200, _store_event(state, event))
            if method == "DELETE":
                current["status"] = "cancelled"
                _store_event(state, current)
                return self._send(204)
            return self._error(405, "methodNotAllowed")

        def _list_events(self, query: dict[str, str]) -> None:
            token = query.get("syncToken", "")
            since = 0
            if token:
                if state.expired_sync_tokens:
                    return self._error(410, "fullSyncRequired")
                match = re.fullmatch(r"seq:(\d+)", base64.urlsafe_b64decode(token.encode()).decode())
                if match is None:
                    return self._error(400, "invalid")
                since = int(match.group(1))
                if query.get("timeMin"):
                    return self._error(400, "invalid")
            show_deleted = bool(token) or query.get("showDeleted") == "true"
            rows = sorted(state.events.values(), key=lambda e: state.event_seq[e["id"]])
            rows = [e for e in rows if state.event_seq[e["id"]] > since]
            if query.get("iCalUID"):
                rows = [e for e in rows if e.get("iCalUID") == query["iCalUID"]]
            if not show_deleted:
                # Cancelled instances of a series are listed all the same (singleEvents=false).
                rows = [e for e in rows if e.get("status") != "cancelled" or e.get("recurringEventId")]
            if query.get("timeMin") and not token:
                low = query["timeMin"]
                rows = [e for e in rows if e.get("recurrence") or _end_of(e) >= low]
            offset = int(query.get("pageToken") or 0)
            page = rows[offset : offset + PAGE]
            data: dict[str, Any] = {"kind": "calendar#events", "items": page}
            if offset + PAGE < len(rows):
                data["nextPageToken"] = str(offset + PAGE)
            else:
                data["nextSyncToken"] = _sync_token(state.seq)
            return self._send(200, data)

    return Handler


def _error_body(status: int, reason: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": reason, "errors": [{"reason": reason}]}}


def _end_of(event: dict[str, Any]) -> str:
    end = event.get("end") or {}
    return str(end.get("dateTime") or end.get("date") or "")


@pytest.fixture
def google_server(settings: Any) -> Iterator[GoogleServer]:
    """Google's APIs on a loopback port, with the platform pointed at them."""
    server = GoogleServer()
    server.start()
    settings.GOOGLE_GMAIL_API_URL = f"{server.base_url}/gmail/v1"
    settings.GOOGLE_CALENDAR_API_URL = f"{server.base_url}/calendar/v3"
    server.state.client_id, server.state.client_secret = "relata-test-client", "relata-test-secret"
    settings.OAUTH_PROVIDERS = {
        **getattr(settings, "OAUTH_PROVIDERS", {}),
        "google": {
            "client_id": server.state.client_id,
            "client_secret": server.state.client_secret,
            "authorize_url": f"{server.base_url}/authorize",
            "token_url": f"{server.base_url}/token",
            "userinfo_url": f"{server.base_url}/userinfo",
            "revoke_url": f"{server.base_url}/revoke",
        },
    }
    try:
        yield server
    finally:
        server.stop()
