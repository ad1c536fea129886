"""Test sends: an e-mail as a chosen contact (or with every merge field at its fallback) to at
most five addresses, through the tenant's own sending configuration, subject marked [Test]. A
user may send ``LIMIT`` tests an hour, so the button cannot be used to mail a list."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import connection
from django.utils.translation import gettext as _

from identity.models import User
from modules.marketing.email.rendering import Rendered, render_email
from modules.marketing.email.sending import outgoing_connection, sender_for
from modules.marketing.models import MarketingEmail

MAX_ADDRESSES = 5
LIMIT = 20
WINDOW_SECONDS = 3600
# A test must not unsubscribe the contact it was rendered as: its links lead nowhere.
TEST_LINKS = {"unsubscribe_url": "#unsubscribe", "preferences_url": "#preferences"}


class TooManyTests(Exception):
    """The user sent ``LIMIT`` tests within the hour."""


def parse_addresses(raw: str | list[str]) -> list[str]:
    items = raw if isinstance(raw, list) else str(raw or "").replace(";", ",").replace("\n", ",").split(",")
    addresses: list[str] = []
    for item in items:
        address = str(item).strip().lower()
        if not address:
            continue
        if len(address) > 254 or "\x00" in address:
            raise ValidationError({"addresses": [_("Enter valid e-mail addresses.")]})
        try:
            validate_email(address)
        except ValidationError as error:
            raise ValidationError(
                {"addresses": [_("“%(address)s” is not an e-mail address.") % {"address": address}]}
            ) from error
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise ValidationError({"addresses": [_("Enter at least one address.")]})
    if len(addresses) > MAX_ADDRESSES:
        message = _("Send a test to at most %(limit)d addresses.") % {"limit": MAX_ADDRESSES}
        raise ValidationError({"addresses": [message]})
    return addresses


def _within_limit(user: User | None) -> bool:
    who = hashlib.sha256(str(getattr(user, "pk", "anonymous")).encode()).hexdigest()[:16]
    key = f"marketing-email-test:{getattr(connection, 'schema_name', '')}:{who}"
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return True
    try:
        return int(cache.incr(key)) <= LIMIT
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        return True


def send_test(email: MarketingEmail, addresses: str | list[str], *, by: User | None, contact: Any = None) -> int:
    """Send ``email`` rendered for ``contact`` to ``addresses``; returns how many were sent."""
    recipients = parse_addresses(addresses)
    sender = sender_for(email)
    if not _within_limit(by):
        raise TooManyTests
    rendered = render_email(email, contact, links=TEST_LINKS)
    subject = _("[Test] %(subject)s") % {"subject": rendered.subject}
    messages = []
    for recipient in recipients:
        message = EmailMultiAlternatives(
            subject=subject, body=rendered.text, from_email=sender, to=[recipient],
            reply_to=[email.reply_to] if email.reply_to else None,
        )  # fmt: skip
        message.attach_alternative(rendered.html, "text/html")
        messages.append(message)
    with outgoing_connection() as mail:
        return int(mail.send_messages(messages) or 0)


def preview(email: MarketingEmail, contact: Any = None) -> Rendered:
    """``email`` as ``contact`` would get it (every merge field at its fallback without one), with
    the test sends' links that lead nowhere: what the editor's preview and the APIs show."""
    return render_email(email, contact, links=TEST_LINKS)
