"""Double opt-in: a subscription asked for (on a form, by import) is pending until the contact
clicks the signed link e-mailed to it; confirming records the request, the click's address and
user agent as proof."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from modules.marketing.choices import SuppressionReason
from modules.marketing.consent.choices import ConsentAction, ConsentStatus
from modules.marketing.consent.links import absolute
from modules.marketing.consent.models import Consent, OptInRequest
from modules.marketing.consent.selectors import contact_language
from modules.marketing.consent.services.records import (
    change_consent,
    clean_proof,
    clean_source,
    log_event,
    proof_language,
    resolve_topic,
)
from modules.marketing.consent.services.suppression import find_suppression
from modules.marketing.consent.throttle import within_limit
from modules.marketing.consent.tokens import hash_nonce, make_opt_in_token, read_opt_in_token

if TYPE_CHECKING:
    from identity.models import User
    from modules.contacts.models import Contact
    from modules.marketing.models import Topic

logger = logging.getLogger(__name__)

# Confirmation e-mails per address per hour: a form cannot be used to flood someone's mailbox.
CONFIRMATIONS_PER_HOUR = 3


def start_double_opt_in(
    contact: Contact,
    topic: Topic | str,
    *,
    source: str,
    proof: dict[str, Any] | None,
    by: User | None = None,
) -> OptInRequest | None:
    """Mark the contact's consent to ``topic`` pending and e-mail it a confirmation link (after the
    commit, in the contact's language). None, with nothing sent, when consent is already granted,
    the address bounced or complained, or too many confirmations went to it this hour."""
    resolved = resolve_topic(topic)
    if resolved is None:
        raise ValidationError({"topic": [_("Choose the topic the contact consents to.")]})
    source = clean_source(source)
    cleaned = clean_proof(proof)
    address = (contact.email or "").strip()
    if not address:
        raise ValidationError({"email": [_("The contact has no e-mail address to confirm.")]})
    suppression = find_suppression(address)
    if suppression is not None and suppression.reason != SuppressionReason.UNSUBSCRIBED:
        return None
    if Consent.objects.filter(contact=contact, topic=resolved, status=ConsentStatus.GRANTED).exists():
        return None
    if not within_limit("opt-in", address, CONFIRMATIONS_PER_HOUR, window=3600):
        return None
    nonce = secrets.token_urlsafe(24)
    with transaction.atomic():
        request = OptInRequest.objects.create(
            contact=contact, topic=resolved, email=address, nonce_hash=hash_nonce(nonce), source=source,
            proof=cleaned, language=proof_language(cleaned) or contact_language(contact.pk),
        )  # fmt: skip
        pending_proof = {**cleaned, "opt_in": request.pk}
        consent = Consent.objects.select_for_update().filter(contact=contact, topic=resolved).first()
        if consent is None or consent.status != ConsentStatus.PENDING:
            change_consent(
                contact, resolved, status=ConsentStatus.PENDING, action=ConsentAction.CONFIRMATION_SENT,
                source=source, proof=pending_proof, by=by,
            )  # fmt: skip
        else:
            log_event(
                contact, resolved, action=ConsentAction.CONFIRMATION_SENT, source=source, proof=pending_proof,
                by=by, status=ConsentStatus.PENDING,
            )  # fmt: skip
        token = make_opt_in_token(request.pk, nonce)
        from modules.marketing.consent.tasks import send_opt_in_confirmation

        request_id = request.pk
        transaction.on_commit(lambda: send_opt_in_confirmation.delay(request_id, token))
    return request


def send_confirmation(request_id: int, token: str) -> str:
    """E-mail the confirmation link of a pending request (nothing once it was confirmed), through
    the workspace's marketing sending settings — its SMTP server or e-mail service, from its default
    sender — like every message to its contacts. A default sender whose domain is not verified
    sends nothing (logged): the request stays pending."""
    from modules.marketing.email.sending import SenderRefused, default_sender, outgoing_connection

    request = OptInRequest.objects.select_related("topic", "contact").filter(pk=request_id).first()
    if request is None or request.confirmed_at is not None:
        return "nothing-to-do"
    try:
        sender = default_sender()
    except SenderRefused:
        logger.warning("double opt-in %s not sent: the default sender's domain is not verified", request_id)
        return "sender-refused"
    tenant = getattr(connection, "tenant", None)
    with translation.override(request.language or contact_language(request.contact_id)):
        context = {
            "topic": request.topic,
            "contact": request.contact,
            "link": absolute(reverse("marketing-consent-public:confirm", args=[token])),
            "workspace": getattr(tenant, "name", ""),
        }
        message = EmailMessage(
            subject=_("Please confirm your subscription: %(topic)s") % {"topic": request.topic.name},
            body=render_to_string("marketing_consent/email/confirm.txt", context),
            from_email=sender,
            to=[request.email],
            connection=outgoing_connection(),
        )
        message.send()
    return "sent"


def find_request(token: str) -> OptInRequest | None:
    """The request a confirmation link names (None: forged, altered, expired or another workspace's)."""
    found = read_opt_in_token(token)
    if found is None:
        return None
    request_id, nonce = found
    return (
        OptInRequest.objects.select_related("topic", "contact")
        .filter(pk=request_id, nonce_hash=hash_nonce(nonce))
        .first()
    )


def confirm_opt_in(token: str, *, ip_address: str, user_agent: str) -> OptInRequest | None:
    """Grant the consent a confirmation link asked for, once; confirming again changes nothing."""
    with transaction.atomic():
        found = find_request(token)
        if found is None:
            return None
        request = OptInRequest.objects.select_for_update().select_related("topic", "contact").get(pk=found.pk)
        if request.confirmed_at is not None:
            return request
        request.confirmed_at = timezone.now()
        request.save(update_fields=["confirmed_at"])
        proof = {
            **request.proof, "opt_in": request.pk, "confirmed_ip": ip_address[:64],
            "confirmed_user_agent": user_agent[:300], "language": request.language,
        }  # fmt: skip
        change_consent(
            request.contact, request.topic, status=ConsentStatus.GRANTED, action=ConsentAction.CONFIRMED,
            source=request.source, proof=clean_proof(proof), by=None,
        )  # fmt: skip
    return request
