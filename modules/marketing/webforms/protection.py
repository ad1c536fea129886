"""What keeps robots out of the public forms: a honeypot input, a signed render time (a form sent
back faster than a person can fill it is spam), and rate limits per client address and per form
in the tenant's cache. Spam is answered like a success, so a robot learns nothing from it."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.core import signing
from django.core.cache import cache
from django.db import connection

from modules.marketing.webforms.models import WebForm

HONEYPOT = "website_url"  # a name robots like to fill; hidden from people
TOKEN = "_ts"  # noqa: S105 - the name of an input, not a secret
MIN_FILL_SECONDS = 3
TOKEN_MAX_AGE = 2 * 24 * 3600
# The plain HTML snippet is pasted into another site once, so its token is old by design: it proves
# the post came from a snippet of this form, and the other checks do the rest.
STATIC = "static"
WINDOW_SECONDS = 600
PER_ADDRESS = 10  # submissions per client address and form in the window
PER_FORM = 300  # submissions per form in the window, whoever sends them


def _salt(form: WebForm) -> str:
    return f"marketing-forms.render:{getattr(connection, 'schema_name', '')}:{form.pk}"


def render_token(form: WebForm, *, static: bool = False) -> str:
    """The signed moment ``form`` was rendered, sent back with the submission."""
    return signing.dumps({"t": int(time.time()), "k": STATIC if static else "live"}, salt=_salt(form), compress=True)


def token_problem(form: WebForm, token: Any) -> str | None:
    """Why the render token shows a robot ("missing", "forged", "too_fast", "expired"), or None."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return "missing"
    try:
        payload = signing.loads(token, salt=_salt(form))
    except signing.BadSignature:
        return "forged"
    if not isinstance(payload, dict) or not isinstance(payload.get("t"), int):
        return "forged"
    if payload.get("k") == STATIC:
        return None
    elapsed = time.time() - payload["t"]
    if elapsed < MIN_FILL_SECONDS:
        return "too_fast"
    if elapsed > TOKEN_MAX_AGE:
        return "expired"
    return None


def honeypot_filled(values: Any) -> bool:
    return bool(str(values.get(HONEYPOT, "") or "").strip())


def _count(key: str, limit: int) -> bool:
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return True
    try:
        return int(cache.incr(key)) <= limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        return True


def within_limits(form: WebForm, address: str | None) -> bool:
    """Count one submission of ``form`` from ``address``; False once either limit is reached."""
    schema = getattr(connection, "schema_name", "")
    who = hashlib.sha256((address or "-").encode()).hexdigest()[:32]
    by_address = _count(f"marketing-forms:{schema}:address:{form.pk}:{who}", PER_ADDRESS)
    return _count(f"marketing-forms:{schema}:form:{form.pk}", PER_FORM) and by_address
