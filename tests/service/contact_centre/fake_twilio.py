"""A local stand-in for Twilio's REST API (2010-04-01) and Twilio-signed callbacks.

``FakeTwilio`` serves on 127.0.0.1 (a free port) the two resources the contact centre uses, as
Twilio documents them: ``POST /2010-04-01/Accounts/{AccountSid}/Calls.json`` and ``.../Messages.json``,
form-encoded, HTTP basic auth with the account SID and auth token, answering JSON with the new
resource's ``sid`` and ``status`` (or Twilio's error document: ``code``, ``message``, ``status``).
It records every request; ``fail_next`` makes the next requests answer 503, as when Twilio is down.
``signed_post`` signs a callback the way Twilio does (X-Twilio-Signature).
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from modules.service.contact_centre.providers.twilio import signature

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "test-auth-token-relata"


@dataclass
class Request:
    resource: str
    account: str
    params: dict[str, str]


@dataclass
class FakeTwilio:
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def fail_next(self, count: int) -> None:
        self.failures = count

    def of(self, resource: str) -> list[Request]:
        return [request for request in self.requests if request.resource == resource]

    def answer(self, path: str, auth: str, body: bytes) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "2010-04-01" or parts[1] != "Accounts":
            return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        account, resource = parts[2], parts[3].removesuffix(".json")
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if account != ACCOUNT_SID or auth != expected:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        params = dict(parse_qsl(body.decode()))
        with self.lock:
            self.requests.append(Request(resource, account, params))
            if self.failures:
                self.failures -= 1
                return 503, {"code": 20500, "message": "Internal Server Error", "status": 503}
            number = next(self.ids)
        if not params.get("To", "").startswith("+"):
            return 400, {"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}
        if resource == "Calls":
            return 201, {"sid": f"CA{number:032x}", "status": "queued", "to": params["To"], "from": params.get("From")}
        if resource == "Messages":
            return 201, {"sid": f"SM{number:032x}", "status": "queued", "to": params["To"], "body": params.get("Body")}
        return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}


@contextmanager
def running_fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, answer = fake.answer(self.path, self.headers.get("Authorization", ""), body)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def signed_post(client: Any, url: str, params: dict[str, str], *, token: str = AUTH_TOKEN, host: str) -> Any:
    """POST ``params`` to ``url`` as Twilio would, signed with ``token`` over the full URL."""
    full = f"http://{host}{url}"
    return client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature(token, full, params))
