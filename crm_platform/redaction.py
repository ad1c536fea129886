"""Secrets in URLs, removed from everything the platform logs or reports.

Some links are credentials: the calendar feed, an invitation, a password reset, an e-mail change's
confirmation, the login handoff, the signup progress page, a quote's public page, a survey's link
(``/s/…``), and OAuth's ``code`` and ``state``. A
log line or a Sentry breadcrumb holding one lets whoever reads the logs use it. ``redact``
replaces those parts of any text (a URL, a request line, a whole JSON log line) with
``[redacted]`` and keeps the rest, so the path still says what was asked for. Every log path uses
it: gunicorn's access and error logs (``crm_platform.access_log``), the JSON log formatter
(``crm_platform.logging``) and Sentry events and breadcrumbs (``crm_platform.sentry``).

Plain standard library: gunicorn's master loads it before Django is configured."""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"

# A URL inside another one (``/login/?next=%2Finvitations%2F…``) is percent-encoded, so the
# separators are matched in both spellings.
_SLASH = r"(?:/|%2F)"
_QUERY = r"(?:[?&;\s\"']|%3F|%26)"
_EQUALS = r"(?:=|%3D)"
# What ends a URL segment in any text: a separator (plain or encoded), a quote, whitespace, or a
# backslash (JSON escapes).
_SEGMENT = r"(?:(?!%2F|%3F|%26|%23)[^/?#&\s\"'\\<>])+"
_END = r"(?=[/?#&\s\"'\\<>]|%2F|%3F|%26|%23|$)"


def _path(prefix: str, *, not_before: str = "", not_after: str = "", suffix: str = "") -> re.Pattern[str]:
    guard = f"(?<!{not_before})" if not_before else ""
    skip = f"(?!(?:{not_after}){_END})" if not_after else ""
    segment = f"{_SEGMENT}?(?={suffix})" if suffix else _SEGMENT
    return re.compile(f"({guard}{_SLASH}{prefix}{_SLASH}){skip}{segment}", re.IGNORECASE)


_SECRET_PATH_SEGMENTS = [
    _path("calendar" + _SLASH + "feed", not_after="reset", suffix=r"\.ics"),
    _path("login" + _SLASH + "handoff"),
    _path("password-reset" + _SLASH + _SEGMENT, not_after="set-password|sent|done"),
    _path("invitations", not_before="settings"),
    _path("signup", not_after="subdomain"),
    _path("account" + _SLASH + "email" + _SLASH + "confirm"),
    _path("quote"),
    _path("csat"),
    _path("s"),
    _path("collateral" + _SLASH + "shared"),
    _path("portal" + _SLASH + "link"),
]

# Query parameters (also in form-encoded bodies quoted in a log) that carry a credential.
_SECRET_PARAMETERS = (
    "code",
    "state",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "secret",
    "key",
    "api_key",
    "signature",
    "sig",
)
_SECRET_QUERY = re.compile(
    rf"((?:^|{_QUERY})(?:{'|'.join(_SECRET_PARAMETERS)}){_EQUALS})(?:(?!%26|%23)[^&#\s\"'\\<>])*",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with every secret URL part replaced by ``[redacted]``."""
    if "/" not in text and "=" not in text and "%" not in text:
        return text
    for pattern in _SECRET_PATH_SEGMENTS:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return _SECRET_QUERY.sub(rf"\g<1>{REDACTED}", text)


def redact_strings(value: Any) -> Any:
    """``value`` (a Sentry event or breadcrumb: dicts, lists, strings) with every string redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_strings(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_strings(item) for item in value]
    return value


class RedactingFilter(logging.Filter):
    """Redacts a record's message, formatted with its arguments (for handlers that are not ours)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
