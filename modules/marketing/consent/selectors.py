"""Who may be sent a topic's e-mails, the contact's language and its consent history (reads)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from identity.locales import is_supported_locale
from modules.marketing.consent.choices import ConsentStatus
from modules.marketing.consent.models import Consent, ConsentEvent
from modules.marketing.models import Topic
from modules.marketing.selectors.audience import is_suppressed, without_suppressed

if TYPE_CHECKING:
    from modules.contacts.models import Contact


def _topic_id(topic: Topic | str | None) -> int | None:
    if topic is None:
        return None
    if isinstance(topic, Topic):
        return topic.pk
    found = Topic.objects.filter(key=topic).values_list("pk", flat=True).first()
    return found if found is not None else -1


def may_email(contact: Contact, topic: Topic | str | None) -> bool:
    """True when a marketing e-mail about ``topic`` may go to ``contact``: it has an address that
    is not suppressed and, for a topic, its consent is granted (opt-in: no consent is a no).
    ``topic=None`` (a message of no topic) only asks the suppression list."""
    if not contact.email or is_suppressed(contact.email):
        return False
    topic_id = _topic_id(topic)
    if topic_id is None:
        return True
    return Consent.objects.filter(contact=contact, topic_id=topic_id, status=ConsentStatus.GRANTED).exists()


def subscribed(contacts: QuerySet[Contact], topic: Topic | str | None) -> QuerySet[Contact]:
    """``contacts`` that ``may_email`` answers yes for, as one SQL filter (no rows loaded)."""
    contacts = without_suppressed(contacts)
    topic_id = _topic_id(topic)
    if topic_id is None:
        return contacts
    granted = Consent.objects.filter(contact=OuterRef("pk"), topic_id=topic_id, status=ConsentStatus.GRANTED)
    return contacts.filter(Exists(granted))


def contact_language(contact_id: int | None) -> str:
    """The language the contact last consented in, else the workspace's default."""
    language = (
        Consent.objects.filter(contact_id=contact_id).exclude(language="").order_by("-changed_at", "-id")
        .values_list("language", flat=True).first()
        if contact_id is not None
        else None
    )  # fmt: skip
    if is_supported_locale(language):
        return language
    tenant_locale = getattr(getattr(connection, "tenant", None), "locale", "")
    return tenant_locale if is_supported_locale(tenant_locale) else "en"


def current_consents(contact: Contact) -> dict[int, Consent]:
    return {consent.topic_id: consent for consent in Consent.objects.filter(contact=contact)}


def history(contact: Contact) -> QuerySet[ConsentEvent]:
    return ConsentEvent.objects.filter(contact=contact).select_related("topic", "actor")
