"""The secrets in survey links (``/s/<token>/``).

A token is a random part signed with Django's ``Signer`` under a salt naming the tenant's schema,
so a forged or altered link, or one of another workspace, is refused before any query. Only the
SHA-256 of the random part is stored (an invitation's ``token_hash``, a survey's
``share_token_hash``). The random part starts with ``i`` (a personal invitation) or ``s`` (a
survey's shareable link), so a link finds its row with one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core import signing
from django.db import connection

PERSONAL = "i"
SHARED = "s"
MAX_LENGTH = 200


def _signer() -> signing.Signer:
    return signing.Signer(salt=f"marketing.surveys:{getattr(connection, 'schema_name', '')}")


def new_secret(kind: str) -> str:
    return f"{kind}{secrets.token_urlsafe(24)}"


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def sign(raw: str) -> str:
    return _signer().sign(raw)


def unsign(token: str) -> tuple[str, str] | None:
    """``(kind, hash)`` of a link's token made for this workspace; None for anything else."""
    if not token or len(token) > MAX_LENGTH:
        return None
    try:
        raw = _signer().unsign(token)
    except signing.BadSignature:
        return None
    if raw[:1] not in (PERSONAL, SHARED):
        return None
    return raw[:1], hash_secret(raw)
