"""One switch for where outgoing e-mail really goes.

With ``EMAIL_CATCH_ALL`` on (``make run`` turns it on beside its local SMTP sink), a connection to a
workspace's own SMTP server, an e-mail service or a user's mailbox is replaced by the platform's
default connection, which points at the sink: a developer's machine never mails a real customer,
and every message is still kept and readable. Everywhere else the connection asked for is returned.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend


def caught() -> bool:
    return bool(getattr(settings, "EMAIL_CATCH_ALL", False))


def connection(backend: str | None = None, *, fail_silently: bool = False, **options: Any) -> BaseEmailBackend:
    """``django.core.mail.get_connection(backend, **options)``, unless mail is caught."""
    if caught():
        return get_connection(fail_silently=fail_silently)  # type: ignore[no-any-return]
    return get_connection(backend, fail_silently=fail_silently, **options)  # type: ignore[no-any-return]
