"""Who marketing may write to: a segment's contacts (a join on the kept membership) less the
suppressed addresses. Every send reads its recipients through here."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower

from modules.contacts.models import Contact
from modules.marketing.models import Segment, Suppression


def segment_contacts(segment: Segment) -> QuerySet[Contact]:
    return Contact.objects.filter(segment_memberships__segment=segment)


def is_suppressed(email: str) -> bool:
    address = (email or "").strip().lower()
    return bool(address) and Suppression.objects.annotate(address=Lower("email")).filter(address=address).exists()


def without_suppressed(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """``contacts`` with an e-mail address that is not suppressed."""
    suppressed = Suppression.objects.annotate(address=Lower("email")).filter(address=Lower(OuterRef("email")))
    return contacts.exclude(email="").filter(~Exists(suppressed))
