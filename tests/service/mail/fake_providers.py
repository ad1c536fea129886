"""Local stand-ins for what the inbound providers' webhooks lead the workspace to fetch, as the
providers document it, on 127.0.0.1 (a free port):

- Amazon SNS: ``GET /sns/cert.pem`` (the signing certificate of a key made here) and
  ``GET /sns/confirm?Token=…`` (a subscription's ``SubscribeURL``, recorded);
- Resend: ``GET /resend/emails/receiving/<id>`` (Bearer API key) answering ``raw.download_url``;
- Mailtrap: ``GET /mailtrap/inbound/inboxes/<inbox>/messages/<id>`` (Bearer API token) answering
  ``raw_message_url``;
- Brevo: ``GET /brevo/inbound/attachments/<token>`` (``api-key`` header) answering the file;
- ``GET /raw/<id>``: the message bytes behind a download URL (a signed storage URL: no auth).

``sns_sign`` signs an SNS message as SNS does (SignatureVersion 2: RSA SHA256 over the canonical
string); ``postal_keys`` is an RSA key pair as Postal shows its public key."""

from __future__ import annotations

import base64
import datetime
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from core.mail.sns import canonical

API_KEY = "provider-api-key-relata"


@cache
def _key(name: str) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def sns_certificate_pem() -> bytes:
    key = _key("sns")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.eu-west-1.amazonaws.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256())
    )  # fmt: skip
    return certificate.public_bytes(serialization.Encoding.PEM)


def sns_sign(message: dict[str, Any], cert_url: str) -> dict[str, Any]:
    signed = {**message, "SignatureVersion": "2", "SigningCertURL": cert_url}
    signature = _key("sns").sign(canonical(signed), padding.PKCS1v15(), hashes.SHA256())
    return {**signed, "Signature": base64.b64encode(signature).decode()}


def postal_keys() -> tuple[rsa.RSAPrivateKey, str]:
    """The private key Postal signs with, and its public key as Postal's settings show it."""
    key = _key("postal")
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, base64.b64encode(der).decode()


@dataclass
class FakeProviders:
    url: str = ""
    raw: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    confirmed: list[str] = field(default_factory=list)
    unauthorised: int = 0

    def answer(self, path: str, headers: Any) -> tuple[int, str, bytes]:
        parts = path.split("?", 1)[0].strip("/").split("/")
        bearer = headers.get("Authorization") == f"Bearer {API_KEY}"
        if parts == ["sns", "cert.pem"]:
            return 200, "application/x-pem-file", sns_certificate_pem()
        if parts == ["sns", "confirm"]:
            self.confirmed.append(path)
            return 200, "text/xml", b"<ConfirmSubscriptionResponse/>"
        if parts[0] == "raw" and len(parts) == 2 and parts[1] in self.raw:
            return 200, "message/rfc822", self.raw[parts[1]]
        if parts[:3] == ["resend", "emails", "receiving"] and len(parts) == 4:
            if not bearer:
                self.unauthorised += 1
                return 401, "application/json", b'{"name": "missing_api_key"}'
            body = {"id": parts[3], "raw": {"download_url": f"{self.url}/raw/{parts[3]}"}}
            return 200, "application/json", json.dumps(body).encode()
        if parts[:3] == ["mailtrap", "inbound", "inboxes"] and len(parts) == 6:
            if not bearer:
                self.unauthorised += 1
                return 401, "application/json", b'{"errors": "Unauthorized"}'
            body = {"id": parts[5], "inbox_id": int(parts[3]), "raw_message_url": f"{self.url}/raw/{parts[5]}"}
            return 200, "application/json", json.dumps(body).encode()
        if parts[:3] == ["brevo", "inbound", "attachments"] and len(parts) == 4:
            if headers.get("api-key") != API_KEY:
                self.unauthorised += 1
                return 401, "application/json", b'{"code": "unauthorized"}'
            return 200, "application/pdf", self.files[parts[3]]
        return 404, "application/json", b'{"message": "not found"}'


@contextmanager
def running_fake_providers() -> Iterator[FakeProviders]:
    fake = FakeProviders()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, content_type, body = fake.answer(self.path, self.headers)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
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
