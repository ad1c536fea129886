"""The optional captcha: ALTCHA's proof of work, self-hosted. The server hands out a challenge (a
SHA-256 of a random salt and a secret number, HMAC-signed with a key of this tenant and form); the
visitor's browser finds the number (about a second of hashing, no third party, no tracking) and
sends it back with the submission. A solved challenge counts once."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

from altcha.v1 import ChallengeOptions, create_challenge, verify_solution
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from modules.marketing.webforms.models import WebForm

CAPTCHA_FIELD = "altcha"
MAX_NUMBER = 100_000  # ~50,000 hashes on average: a blink for a person's browser, a cost per robot post
EXPIRES = timedelta(minutes=20)


def _key(form: WebForm) -> str:
    schema = getattr(connection, "schema_name", "")
    return salted_hmac("marketing-forms.captcha", f"{schema}:{form.pk}", algorithm="sha256").hexdigest()


def new_challenge(form: WebForm) -> dict[str, Any]:
    options = ChallengeOptions(hmac_key=_key(form), max_number=MAX_NUMBER, expires=timezone.now() + EXPIRES)
    challenge = create_challenge(options)
    return challenge.to_dict()


def captcha_problem(form: WebForm, payload: Any) -> str | None:
    """Why the captcha answer is refused, or None when it is a fresh, correct solution."""
    message = _("Confirm that you are a person: wait for the check to finish, then send again.")
    if not isinstance(payload, str) or not payload or len(payload) > 2000:
        return message
    ok, _error = verify_solution(payload, _key(form), check_expires=True)
    if not ok:
        return message
    challenge = str(json.loads(base64.b64decode(payload))["challenge"])
    used = f"marketing-forms:{getattr(connection, 'schema_name', '')}:captcha:{challenge}"
    if not cache.add(used, 1, timeout=int(EXPIRES.total_seconds()) + 60):
        return message
    return None
