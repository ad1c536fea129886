"""Helpers of the delivery tests: an e-mail to a static segment of contacts, the tenant's sending
limits forgotten before each test, the real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from modules.contacts.models import Contact
from modules.marketing.choices import SegmentKind
from modules.marketing.delivery.models import DeliverySettings
from modules.marketing.delivery.services import limits
from modules.marketing.models import MarketingEmail, Segment, SegmentMember
from tests.factories import ContactFactory
from tests.mail_server import smtp_server  # noqa: F401 - the fixture of these tests

CONTENT = [
    {"type": "text", "html": "<p>Hello {{ contact.first_name }}</p>"},
    {"type": "button", "label": "Read more", "href": "https://example.com/news"},
]


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    for schema in ("alpha", "beta"):
        limits.forget_limits(schema)
    return


def audience(size: int, *, prefix: str = "reader", **extra: Any) -> tuple[Segment, list[Contact]]:
    """A static segment of ``size`` new contacts (in the active schema)."""
    segment = Segment.objects.create(name=f"{prefix} segment {Segment.objects.count()}", kind=SegmentKind.STATIC)
    contacts = [
        ContactFactory(first_name=f"{prefix.title()}{index}", email=f"{prefix}{index}@people.example", **extra)
        for index in range(size)
    ]
    SegmentMember.objects.bulk_create(SegmentMember(segment=segment, contact=contact) for contact in contacts)
    return segment, contacts


def large_audience(size: int, *, prefix: str = "reader") -> tuple[Segment, list[Contact]]:
    """``audience`` written in two INSERTs, for sends of thousands."""
    segment = Segment.objects.create(name=f"{prefix} segment {Segment.objects.count()}", kind=SegmentKind.STATIC)
    contacts = Contact.objects.bulk_create(
        Contact(
            first_name=f"{prefix.title()}{index}", last_name="Tester", full_name=f"{prefix.title()}{index} Tester",
            email=f"{prefix}{index}@people.example",
        )
        for index in range(size)
    )  # fmt: skip
    SegmentMember.objects.bulk_create(SegmentMember(segment=segment, contact=contact) for contact in contacts)
    return segment, contacts


def marketing_email(segment: Segment | None, **fields: Any) -> MarketingEmail:
    values = {
        "name": "Autumn news",
        "subject": "News for {{ contact.first_name }}",
        "from_name": "Alpha",
        "from_address": "news@alpha.example",
        "content": CONTENT,
        **fields,
    }
    return MarketingEmail.objects.create(segment=segment, **values)


def unlimited_rate(messages_per_minute: int = 100_000) -> DeliverySettings:
    """The active workspace's delivery settings with a rate no test waits for."""
    return DeliverySettings.objects.create(messages_per_minute=messages_per_minute)
