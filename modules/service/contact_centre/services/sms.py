"""SMS to customers about their cases: which case events send one (the tenant's choice), to whom
(contacts who opted in, ``SmsConsent``), sending from a Celery task after the case write commits,
and the provider's delivery reports.

Each message is a ``SmsMessage`` row with a unique ``dedupe_key`` (case, event, occurrence) written
in the case's transaction, so a hook run twice writes one row; the task sends a row only while it is
pending, under a row lock, so a redelivered or retried task sends it once. Every SMS sent goes on the
contact's timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.phones import to_e164
from modules.contacts.choices import TimelineKind
from modules.contacts.services.timeline import record_entry
from modules.service.choices import MessageAuthor, MessageKind, StatusCategory
from modules.service.contact_centre.choices import SmsEvent, SmsStatus
from modules.service.contact_centre.language import customer_language
from modules.service.contact_centre.links import tenant_link
from modules.service.contact_centre.models import SmsConsent, SmsMessage
from modules.service.contact_centre.providers import provider_for
from modules.service.contact_centre.providers.base import Placed, ProviderError
from modules.service.contact_centre.services.accounts import configured_settings
from modules.service.hooks import CaseChange
from modules.workspace.services import default_phone_region

BODY_LENGTH = 300


def event_of(case: Any, change: CaseChange) -> tuple[str, str] | None:
    """The SMS event a case change is, with what makes it unique (None: none)."""
    if change.action == "created":
        return SmsEvent.CASE_OPENED, ""
    message = change.message
    if (
        change.action == "message"
        and message is not None
        and message.kind == MessageKind.REPLY
        and message.author_kind == MessageAuthor.AGENT
    ):
        return SmsEvent.AGENT_REPLIED, str(message.pk)
    if (
        change.action == "status_changed"
        and case.status.category == StatusCategory.SOLVED
        and change.previous_category != StatusCategory.SOLVED
    ):
        return SmsEvent.CASE_SOLVED, case.solved_at.isoformat() if case.solved_at else ""
    return None


def _body(case: Any, event: str) -> str:
    """The text in the customer's language (the hook runs in an agent's or a callback's request)."""
    with translation.override(customer_language(case)):
        return _text(case, event)


def _text(case: Any, event: str) -> str:
    texts = {
        SmsEvent.CASE_OPENED: _("We have received your request %(number)s “%(subject)s” and will get back to you."),
        SmsEvent.AGENT_REPLIED: _("There is a new reply to your request %(number)s “%(subject)s”."),
        SmsEvent.CASE_SOLVED: _("Your request %(number)s “%(subject)s” is solved."),
    }
    text = texts[SmsEvent(event)] % {"number": case.number, "subject": case.subject[:80]}
    return text[:BODY_LENGTH]


def queue_case_sms(case: Any, change: CaseChange) -> SmsMessage | None:
    """Write the SMS a case change asks for and send it after the commit (in the caller's transaction)."""
    found = event_of(case, change)
    if found is None or case.contact_id is None:
        return None
    account = configured_settings()
    event, occurrence = found
    if account is None or event not in account.sms_events:
        return None
    contact = case.contact
    if not SmsConsent.objects.filter(contact=contact).exists():
        return None
    number = to_e164(contact.phone, default_phone_region())
    if number is None:
        return None
    key = f"{case.pk}:{event}:{occurrence}"[:120]
    sms, created = SmsMessage.objects.get_or_create(
        dedupe_key=key,
        defaults={"event": event, "case": case, "contact": contact, "to_number": number, "body": _body(case, event)},
    )
    if created:
        from modules.service.contact_centre.tasks import send_sms

        transaction.on_commit(lambda: send_sms.delay(sms.pk))
    return sms


def send_pending(sms_id: int) -> str:
    """Send one pending SMS (the task's body). Returns what happened; raises ``ProviderError`` when
    the provider could not take it and a retry may work."""
    retry: ProviderError | None = None
    with transaction.atomic():
        sms = SmsMessage.objects.select_for_update(of=("self",)).select_related("contact").filter(pk=sms_id).first()
        if sms is None or sms.status != SmsStatus.PENDING:
            return "nothing-to-do"
        account = configured_settings()
        if account is None:
            sms.status, sms.error_code = SmsStatus.FAILED, "not-configured"
            sms.save(update_fields=["status", "error_code"])
            return "failed"
        sms.attempts += 1
        placed: Placed | None = None
        try:
            placed = provider_for(account).send_sms(
                to=sms.to_number, sender=account.caller_id, body=sms.body,
                status_callback=tenant_link("contact-centre-hooks:sms-status"),
            )  # fmt: skip
        except ProviderError as error:
            if not error.retryable:
                sms.status, sms.error_code = SmsStatus.FAILED, error.code[:20]
                sms.save(update_fields=["status", "error_code", "attempts"])
                return "failed"
            retry = error
        if placed is None:
            sms.save(update_fields=["attempts"])  # counted, and committed before the retry is raised
        else:
            _mark_sent(sms, placed)
    if retry is not None:
        raise retry
    return "sent"


def _mark_sent(sms: SmsMessage, placed: Placed) -> None:
    """The provider took the message: its id and status, and the entry on the contact's timeline."""
    sms.provider_sid = placed.sid
    sms.status = placed.status if placed.status in SmsStatus.values else SmsStatus.QUEUED
    sms.sent_at = timezone.now()
    sms.save(update_fields=["provider_sid", "status", "sent_at", "attempts"])
    contact = sms.contact
    if contact is not None:
        record_entry(
            TimelineKind.SMS, actor=None, contact=contact, company_id=contact.company_id,
            data={"sms": sms.pk, "to": sms.to_number, "body": sms.body, "event": sms.event, "case": sms.case_id},
        )  # fmt: skip


def give_up(sms_id: int, code: str) -> None:
    SmsMessage.objects.filter(pk=sms_id, status=SmsStatus.PENDING).update(status=SmsStatus.FAILED, error_code=code[:20])


def record_sms_status(params: Mapping[str, str]) -> SmsMessage | None:
    """A delivery report (``MessageSid``, ``MessageStatus``, ``ErrorCode``) updates its message; a
    report of a message this workspace did not send changes nothing."""
    sid = params.get("MessageSid", "")
    status = params.get("MessageStatus", "")
    if not sid or status not in SmsStatus.values or status == SmsStatus.PENDING:
        return None
    with transaction.atomic():
        sms = SmsMessage.objects.select_for_update().filter(provider_sid=sid).first()
        if sms is None:
            return None
        # A late "sent" must not undo "delivered" (callbacks can arrive out of order).
        final = (SmsStatus.DELIVERED, SmsStatus.UNDELIVERED, SmsStatus.FAILED)
        if sms.status in final:
            return sms
        sms.status = status
        sms.error_code = params.get("ErrorCode", "")[:20]
        sms.status_changed_at = timezone.now()
        sms.save(update_fields=["status", "error_code", "status_changed_at"])
    return sms
