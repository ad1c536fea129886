"""The one place consent rows, their history, the timeline entry and the outbox event are written
together. Every service of this package calls ``change_consent`` / ``log_event`` inside its own
transaction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import text_problem
from customization.events.outbox import emit
from identity.locales import is_supported_locale
from modules.contacts.choices import TimelineKind
from modules.contacts.services.timeline import record_entry
from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentAction, ConsentSource, ConsentStatus
from modules.marketing.consent.models import Consent, ConsentEvent
from modules.marketing.models import Suppression, Topic

if TYPE_CHECKING:
    from identity.models import User
    from modules.contacts.models import Contact

PROOF_MAX_BYTES = 4000
PROOF_TEXT_MAX = 1000
EVENT_TYPE = "consent.changed"


def resolve_topic(topic: Topic | str | int | None) -> Topic | None:
    """A ``Topic`` from itself, its key or its id (None stays None: every topic)."""
    if topic is None or isinstance(topic, Topic):
        return topic
    found = (
        Topic.objects.filter(pk=topic).first()
        if isinstance(topic, int)
        else Topic.objects.filter(key=str(topic)).first()
    )
    if found is None:
        raise ValidationError({"topic": [_("There is no such subscription topic.")]})
    return found


def clean_source(source: str) -> str:
    if source not in ConsentSource.values:
        raise ValidationError({"source": [_("Choose a known consent source.")]})
    return source


def clean_proof(proof: dict[str, Any] | None) -> dict[str, Any]:
    """The proof as stored: a small JSON object of text, numbers and flags. Refused (naming the
    ``proof`` field) when it holds control characters or is too big to be a proof."""
    proof = dict(proof or {})
    for key, value in proof.items():
        if not isinstance(key, str) or not isinstance(value, str | int | float | bool | type(None)):
            raise ValidationError({"proof": [_("A proof holds only text, numbers and yes/no values.")]})
        problem = text_problem(key) or (text_problem(value) if isinstance(value, str) else None)
        if problem:
            raise ValidationError({"proof": [problem]})
        if isinstance(value, str) and len(value) > PROOF_TEXT_MAX:
            proof[key] = value[:PROOF_TEXT_MAX]
    if len(json.dumps(proof)) > PROOF_MAX_BYTES:
        raise ValidationError({"proof": [_("The proof is too long.")]})
    return proof


def proof_language(proof: dict[str, Any]) -> str:
    language = str(proof.get("language") or "")
    return language if is_supported_locale(language) else ""


def log_event(
    contact: Contact,
    topic: Topic | None,
    *,
    action: str,
    source: str,
    proof: dict[str, Any],
    by: User | None,
    status: str = "",
) -> ConsentEvent:
    """Append the history entry, the contact's timeline entry and the ``consent.changed`` event."""
    now = timezone.now()
    event = ConsentEvent.objects.create(
        contact=contact, topic=topic, email=contact.email, action=action, source=source, proof=proof,
        actor=by if getattr(by, "pk", None) else None, occurred_at=now,
    )  # fmt: skip
    data = {
        "action": action,
        "source": source,
        "topic": topic.name if topic is not None else "",
        "note": str(proof.get("note") or "")[:200],
    }
    record_entry(TimelineKind.CONSENT, actor=event.actor, data=data, occurred_at=now, contact_id=contact.pk)
    emit(
        EVENT_TYPE, contact, entity="contact", actor=by,
        data={
            "id": topic.pk if topic is not None else None, "contact": contact.pk,
            "topic": topic.key if topic is not None else None, "action": action, "status": status,
            "source": source, "send_id": proof.get("send"),
        },
    )  # fmt: skip
    return event


def change_consent(
    contact: Contact,
    topic: Topic,
    *,
    status: str,
    action: str,
    source: str,
    proof: dict[str, Any],
    by: User | None,
) -> Consent:
    """Move the contact's consent to ``topic`` to ``status``, writing history only on a change
    (repeating an unsubscribe or a consent records nothing twice)."""
    consent = Consent.objects.select_for_update().filter(contact=contact, topic=topic).first()
    if consent is not None and consent.status == status and action != ConsentAction.CONFIRMED:
        return consent
    now = timezone.now()
    language = proof_language(proof)
    if consent is None:
        consent = Consent(contact=contact, topic=topic, language=language)
    elif language:
        consent.language = language
    consent.status, consent.source, consent.changed_at = status, source, now
    consent.save()
    log_event(contact, topic, action=action, source=source, proof=proof, by=by, status=status)
    if status == ConsentStatus.GRANTED:
        lift_unsubscribe(contact, source=source, proof=proof, by=by)
    return consent


def lift_unsubscribe(contact: Contact, *, source: str, proof: dict[str, Any], by: User | None) -> None:
    """A consent given anew outweighs an earlier "unsubscribe from everything" of the same
    address; a bounce, a complaint or a suppression added by hand stays."""
    address = (contact.email or "").strip().lower()
    if not address:
        return
    removed, _rows = (
        Suppression.objects.annotate(address=Lower("email"))
        .filter(address=address, reason=SuppressionReason.UNSUBSCRIBED)
        .delete()
    )
    if removed:
        log_event(contact, None, action=ConsentAction.UNSUPPRESSED, source=source, proof=proof, by=by)
