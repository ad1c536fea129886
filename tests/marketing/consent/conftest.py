"""Consent test helpers: topics, a contact that consented, its unsubscribe link, the SMTP server."""

from __future__ import annotations

from modules.marketing.models import Topic
from tests.mail_server import smtp_server  # noqa: F401 - a fixture of these tests


def make_topic(key: str = "newsletter", name: str = "Newsletter") -> Topic:
    return Topic.objects.create(key=key, name=name)
