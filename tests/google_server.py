"""A local stand-in for Google's APIs, speaking the documented protocol of exactly the endpoints
the platform calls: the OAuth2 authorization endpoint (the user consents at once), the token
endpoint (authorization code with PKCE, refresh, errors as ``{"error": "invalid_grant"}``), the
OpenID Connect userinfo endpoint, the revocation endpoint, Gmail (``tests/google_gmail.py``) and
Google Calendar (``tests/google_calendar_api.py``, with the invitations Google sends when asked,
recorded as ``notices``). Access tokens expire: a call with an expired or unknown one gets ``401``.

Run in a thread of the test process on a free loopback port (``google_server`` fixture); tests
put mail and events in it as Google would, and read what the platform wrote there."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests import google_calendar_api, google_gmail
from tests.google_calendar_api import Notice, store_event
from tests.google_gmail import StoredMail
from tests.processes import free_port

HOST = "127.0.0.1"


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
    notices: list[Notice] = field(default_factory=list)  # what Google e-mailed attendees (sendUpdates)
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
            return store_event(self.state, dict(event))

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
            store_event(self.state, event)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(state: GoogleState) -> type[BaseHTTPRequestHandler]:
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

        def do_PATCH(self) -> None:
            self._dispatch("PATCH")

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
                    return google_gmail.batch(self, state)
                if not self._authorized():
                    return None
                if path == "/userinfo":
                    return self._send(200, {"sub": "1234567890", "email": state.email, "email_verified": True})
                if path.startswith("/gmail/v1/users/me/"):
                    return google_gmail.handle(self, state, method, path.removeprefix("/gmail/v1/users/me/"), query)
                if path.startswith("/calendar/v3/calendars/primary/events"):
                    return google_calendar_api.handle(
                        self, state, method, path.removeprefix("/calendar/v3/calendars/primary/events"), query
                    )
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

    return Handler


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
