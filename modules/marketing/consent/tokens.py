"""The signed tokens of the public consent links.

Both are ``django.core.signing`` payloads salted with the tenant's schema, so a forged or altered
token, or one made on another workspace's host, fails before any query is made.

- Unsubscribe (``/m/u/<token>/``): the contact id, the address the message went to, optionally the
  topic and the send (so the send can mark its recipient). It does not expire: an unsubscribe link
  must keep working for as long as the message can be read.
- Double opt-in (``/m/confirm/<token>/``): the request id and a random nonce of which only the hash
  is stored, so the link is single-use and unguessable. It expires after ``OPT_IN_EXPIRY``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.db import connection

MAX_TOKEN_LENGTH = 500
OPT_IN_EXPIRY = timedelta(days=7)


def _salt(kind: str) -> str:
    return f"marketing.consent.{kind}:{getattr(connection, 'schema_name', '')}"


@dataclass(frozen=True)
class UnsubscribeToken:
    contact_id: int
    email: str
    topic_id: int | None = None
    send_id: int | None = None


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def make_unsubscribe_token(
    contact_id: int, email: str, *, topic_id: int | None = None, send_id: int | None = None
) -> str:
    payload: dict[str, object] = {"c": contact_id, "e": email}
    if topic_id is not None:
        payload["t"] = topic_id
    if send_id is not None:
        payload["s"] = send_id
    return signing.dumps(payload, salt=_salt("unsubscribe"), compress=True)


def read_unsubscribe_token(token: str) -> UnsubscribeToken | None:
    """The token's content, or None when it is not one this workspace signed."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = signing.loads(token, salt=_salt("unsubscribe"))
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    contact_id, email = _optional_int(payload.get("c")), payload.get("e")
    if contact_id is None or not isinstance(email, str):
        return None
    return UnsubscribeToken(contact_id, email, _optional_int(payload.get("t")), _optional_int(payload.get("s")))


def hash_nonce(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def make_opt_in_token(request_id: int, nonce: str) -> str:
    return signing.dumps({"r": request_id, "n": nonce}, salt=_salt("opt-in"), compress=True)


def read_opt_in_token(token: str) -> tuple[int, str] | None:
    """(request id, nonce) of a valid, unexpired confirmation token, else None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = signing.loads(token, salt=_salt("opt-in"), max_age=OPT_IN_EXPIRY)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(payload, dict):
        return None
    request_id, nonce = _optional_int(payload.get("r")), payload.get("n")
    if request_id is None or not isinstance(nonce, str):
        return None
    return request_id, nonce
