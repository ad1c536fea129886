"""Giving and withdrawing consent, the writers every surface calls (forms, imports, the
preference page, staff, the API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from modules.marketing.consent.choices import ConsentAction, ConsentStatus
from modules.marketing.consent.models import Consent
from modules.marketing.consent.services.records import (
    change_consent,
    clean_proof,
    clean_source,
    log_event,
    resolve_topic,
)
from modules.marketing.models import Topic

if TYPE_CHECKING:
    from identity.models import User
    from modules.contacts.models import Contact


def record_consent(
    contact: Contact,
    topic: Topic | str | None,
    *,
    granted: bool,
    source: str,
    proof: dict[str, Any] | None,
    by: User | None = None,
) -> Consent | None:
    """Record that ``contact`` gave (``granted``) or withdrew consent to ``topic`` (a Topic or its
    key), with ``source`` (a ``ConsentSource``) and ``proof`` (form id, ip, user agent, note…).
    ``topic=None`` withdraws every topic; consent cannot be given to "everything"."""
    resolved = resolve_topic(topic)
    source = clean_source(source)
    cleaned = clean_proof(proof)
    if by is not None and getattr(by, "pk", None):
        cleaned.setdefault("staff_user", by.pk)
    if resolved is None:
        if granted:
            raise ValidationError({"topic": [_("Choose the topic the contact consents to.")]})
        withdraw_everything(contact, source=source, proof=cleaned, by=by)
        return None
    if granted and not resolved.is_active:
        raise ValidationError({"topic": [_("This topic is no longer offered.")]})
    status = ConsentStatus.GRANTED if granted else ConsentStatus.WITHDRAWN
    action = ConsentAction.GRANTED if granted else ConsentAction.WITHDRAWN
    with transaction.atomic():
        return change_consent(contact, resolved, status=status, action=action, source=source, proof=cleaned, by=by)


def withdraw(
    contact: Contact,
    topic: Topic | str | None = None,
    *,
    source: str,
    proof: dict[str, Any] | None = None,
    by: User | None = None,
) -> None:
    """Withdraw consent to ``topic``, or to every topic when it is None."""
    record_consent(contact, topic, granted=False, source=source, proof=proof, by=by)


def withdraw_everything(
    contact: Contact,
    *,
    source: str,
    proof: dict[str, Any],
    by: User | None,
    action: str = ConsentAction.WITHDRAWN,
) -> int:
    """Withdraw each topic the contact has not withdrawn yet, as one history entry about every
    topic. Returns how many topics changed; nothing is written when none did, unless ``action``
    is a suppression (the address's suppression is itself history)."""
    with transaction.atomic():
        changed = (
            Consent.objects.filter(contact=contact)
            .exclude(status=ConsentStatus.WITHDRAWN)
            .update(status=ConsentStatus.WITHDRAWN, source=source, changed_at=timezone.now())
        )
        if changed or action == ConsentAction.SUPPRESSED:
            log_event(contact, None, action=action, source=source, proof=proof, by=by, status=ConsentStatus.WITHDRAWN)
    return changed
