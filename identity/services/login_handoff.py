"""Signing a person in on a tenant host from the public host: after signup (the new admin lands
logged in) and for support impersonation from the operator console.

A handoff is a signed, short-lived (``LOGIN_HANDOFF_MAX_AGE`` seconds), single-use token naming the
tenant schema and the user; it is only accepted on that tenant's host. Sessions stay host-only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

SALT = "identity.login-handoff"


class HandoffInvalid(Exception):
    """The token is forged, expired, used, or for another tenant."""


@dataclass(frozen=True)
class Handoff:
    schema_name: str
    email: str
    # Set for support impersonation: the operator's e-mail, the reason and how long it may last.
    impersonator: str = ""
    reason: str = ""
    minutes: int = 0


def issue_handoff(handoff: Handoff) -> str:
    """A token the tenant host's ``/login/handoff/<token>/`` accepts once."""
    payload = {
        "s": handoff.schema_name,
        "u": handoff.email,
        "i": handoff.impersonator,
        "r": handoff.reason,
        "m": handoff.minutes,
        "n": secrets.token_urlsafe(16),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def handoff_path(token: str) -> str:
    return f"/login/handoff/{token}/"


def redeem_handoff(token: str, *, schema_name: str) -> Handoff:
    """Check a token on the tenant host it names and spend it; raises HandoffInvalid."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.LOGIN_HANDOFF_MAX_AGE)
    except signing.SignatureExpired:
        raise HandoffInvalid(_("This sign-in link has expired.")) from None
    except signing.BadSignature:
        raise HandoffInvalid(_("This sign-in link is not valid.")) from None
    if payload.get("s") != schema_name:
        raise HandoffInvalid(_("This sign-in link is for another workspace."))
    # The cache key carries the tenant's schema (KEY_FUNCTION), and the nonce is random.
    if not cache.add(f"login-handoff:{payload['n']}", 1, timeout=settings.LOGIN_HANDOFF_MAX_AGE + 60):
        raise HandoffInvalid(_("This sign-in link has already been used."))
    return Handoff(
        schema_name=payload["s"],
        email=payload["u"],
        impersonator=payload.get("i", ""),
        reason=payload.get("r", ""),
        minutes=int(payload.get("m") or 0),
    )
