"""E-mail written on a record and sent from the CRM.

``compose`` validates what the user wrote (addresses, subject, body, files, the send time), fills a
chosen workflow template's merge fields from the record, and stores the message in one transaction
— a ``MailMessage`` (origin composed, direction out) in a new thread or the thread of the message it
answers, its ``Message-ID`` made now so replies synced later thread onto it, its link to the record,
its attachments in the private storage — then queues the send after the commit (at the scheduled
time, if any). ``send_composed`` builds the e-mail with its threading headers and sends it through
the workspace's way of sending (``modules.marketing.email.sending.outgoing_connection``, which
``core.mail_catch`` points at the local sink under ``make run``); it is idempotent (a message
already sent is left alone) and records the error of a failed attempt."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr, make_msgid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import moment_problem, text_problem
from customization.events.outbox import emit
from customization.workflows.engine.context import merge_values, render
from customization.workflows.models import EmailTemplate
from identity.models import User
from modules.collaboration.models.attachment import attachment_storage, new_storage_key
from modules.mailboxes.choices import MessageDirection, MessageOrigin, SendState
from modules.mailboxes.models import MailAttachment, MailLink, MailMessage, MailThread

MAX_RECIPIENTS = 50
MAX_BODY = 200_000
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_SCHEDULE_AHEAD = timedelta(days=366)
# The record kinds a message can be written on: the entity name and the MailLink field.
LINK_FIELDS = {"contact": "contact", "company": "company", "lead": "lead", "deal": "deal"}


@dataclass
class Draft:
    to: list[str]
    subject: str
    body: str
    cc: list[str] = field(default_factory=list)
    template_id: int | None = None
    send_at: datetime | None = None
    files: list[UploadedFile] = field(default_factory=list)


def split_addresses(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _address_problems(name: str, addresses: list[str], *, required: bool) -> dict[str, list[str]]:
    if required and not addresses:
        return {name: [_("Enter at least one recipient.")]}
    if len(addresses) > MAX_RECIPIENTS:
        return {name: [_("Enter at most %(count)d addresses.") % {"count": MAX_RECIPIENTS}]}
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            return {name: [_("%(address)s is not a valid e-mail address.") % {"address": address[:100]}]}
    return {}


def _filled(draft: Draft, record: models.Model, entity: str) -> tuple[str, str]:
    """The subject and body, with the chosen template's merge fields filled from the record (the
    user's own subject and body win when given)."""
    subject, body = draft.subject, draft.body
    if draft.template_id is not None:
        template = EmailTemplate.objects.filter(pk=draft.template_id).first()
        if template is None:
            raise ValidationError({"template": [_("Choose one of the templates.")]})
        values = merge_values(record, entity)
        subject = subject or render(template.subject, values)
        body = body or render(template.body, values)
    return subject.strip(), body


def _problems(draft: Draft, subject: str, body: str) -> dict[str, list[str]]:
    problems = {
        **_address_problems("to", draft.to, required=True),
        **_address_problems("cc", draft.cc, required=False),
    }
    if not subject:
        problems["subject"] = [_("Enter a subject.")]
    elif len(subject) > 300:
        problems["subject"] = [_("Keep the subject to 300 characters.")]
    elif problem := text_problem(subject):
        problems["subject"] = [problem]
    if len(body) > MAX_BODY:
        problems["body"] = [_("Keep the message to %(count)d characters.") % {"count": MAX_BODY}]
    elif problem := text_problem(body.replace("\n", " ").replace("\r", " ").replace("\t", " ")):
        problems["body"] = [problem]
    if draft.send_at is not None and (problem := moment_problem(draft.send_at)):
        problems["send_at"] = [problem]
    elif draft.send_at is not None and draft.send_at > timezone.now() + MAX_SCHEDULE_AHEAD:
        problems["send_at"] = [_("Schedule the e-mail at most a year ahead.")]
    if len(draft.files) > MAX_ATTACHMENTS:
        problems["attachments"] = [_("Attach at most %(count)d files.") % {"count": MAX_ATTACHMENTS}]
    elif any(upload.size is None or upload.size > MAX_ATTACHMENT_BYTES for upload in draft.files):
        problems["attachments"] = [_("Each file may be at most 20 MB.")]
    return problems


def new_message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">").strip()
    return make_msgid(idstring="crm", domain=domain or "relata.invalid")


def compose(
    record: models.Model, entity: str, draft: Draft, *, by: User, answering: MailMessage | None = None
) -> MailMessage:
    """Store ``draft`` written on ``record`` by ``by`` and queue its sending; a ValidationError keyed
    by field (to, cc, subject, body, template, send_at, attachments) writes nothing."""
    if entity not in LINK_FIELDS:
        raise ValidationError({"entity": [_("E-mail cannot be written on this kind of record.")]})
    subject, body = _filled(draft, record, entity)
    problems = _problems(draft, subject, body)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    scheduled = draft.send_at is not None and draft.send_at > now
    storage = attachment_storage()
    stored: list[str] = []
    try:
        with transaction.atomic():
            thread = answering.thread if answering is not None else None
            if thread is None:
                thread = MailThread.objects.create(subject=subject, first_at=now, last_at=now)
            references = [*(answering.references if answering else []), *([answering.message_id] if answering else [])]
            message = MailMessage.objects.create(
                thread=thread, direction=MessageDirection.OUTBOUND, origin=MessageOrigin.COMPOSED,
                message_id=new_message_id(), in_reply_to=answering.message_id if answering else "",
                references=references[-20:], subject=subject, from_address=by.email,
                from_name=(by.full_name or "")[:200], to_addresses=draft.to, cc_addresses=draft.cc,
                participants=sorted({address.lower() for address in [by.email, *draft.to, *draft.cc]}),
                date=now, text=body, snippet=" ".join(body.split())[:200], sender=by,
                send_state=SendState.SCHEDULED if scheduled else SendState.QUEUED,
                send_after=draft.send_at if scheduled else None,
            )  # fmt: skip
            MailThread.objects.filter(pk=thread.pk).update(message_count=models.F("message_count") + 1, last_at=now)
            MailLink.objects.create(message=message, **{LINK_FIELDS[entity]: record})
            for upload in draft.files:
                key = new_storage_key(upload.name or "attachment")
                storage.save(key, upload)
                stored.append(key)
                MailAttachment.objects.create(
                    message=message, storage_key=key, name=(upload.name or "attachment")[:200],
                    content_type=(upload.content_type or "application/octet-stream")[:100], size=upload.size or 0,
                )  # fmt: skip
            emit("email.composed", record, entity=entity, actor=by, data={"message": message.pk})
            transaction.on_commit(lambda: queue_send(message))
    except BaseException:
        for key in stored:  # the row is gone with the transaction: so are its files
            storage.delete(key)
        raise
    return message


def queue_send(message: MailMessage) -> None:
    from modules.mailboxes.compose_tasks import send_composed_mail

    options: dict[str, Any] = {"retry": False}
    if message.send_after is not None:
        options["eta"] = message.send_after
    send_composed_mail.apply_async((message.pk,), **options)


def build_email(message: MailMessage) -> EmailMultiAlternatives:
    headers = {"Message-ID": message.message_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = " ".join(message.references)
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.text, to=message.to_addresses, cc=message.cc_addresses or None,
        from_email=formataddr((message.from_name, settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].strip(">"))),
        reply_to=[message.from_address] if message.from_address else None, headers=headers,
    )  # fmt: skip
    storage = attachment_storage()
    for attachment in message.attachments.all():
        with storage.open(attachment.storage_key, "rb") as handle:
            email.attach(attachment.name, handle.read(), attachment.content_type)
    return email


def send_composed(message_id: int) -> str:
    """Send one stored message now (a no-op for one sent, gone, scheduled for later, or being sent
    by another worker: the row is locked while it is handed over, so the task, its redelivery and
    the sweep never send it twice). Raises the transport's error after recording it, so the task
    retries."""
    from modules.marketing.email.sending import outgoing_connection

    failure: Exception | None = None
    with transaction.atomic():
        message = (
            MailMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, origin=MessageOrigin.COMPOSED)
            .first()
        )
        if message is None or message.send_state in (SendState.SENT, SendState.FAILED, ""):
            return "skipped"
        if message.send_after is not None and message.send_after > timezone.now():
            return "not yet"
        attempts = message.send_attempts + 1
        try:
            email = build_email(message)
            email.connection = outgoing_connection()
            email.send()
        except Exception as error:
            failure = error
            MailMessage.objects.filter(pk=message.pk).update(
                send_attempts=attempts, send_error=f"{type(error).__name__}: {error}"[:500]
            )
        else:
            MailMessage.objects.filter(pk=message.pk).update(
                send_state=SendState.SENT, sent_at=timezone.now(), send_error="", send_attempts=attempts
            )
    if failure is not None:
        raise failure
    return "sent"


# A message never tried this long after it was due lost its task (a broker or worker gone).
LOST_AFTER = timedelta(minutes=2)


def lost_messages() -> list[int]:
    """Composed messages due for a while that no send ever tried: their task was lost. Messages
    tried at least once are the retrying task's, with its backoff."""
    due = timezone.now() - LOST_AFTER
    rows = MailMessage.objects.filter(origin=MessageOrigin.COMPOSED, send_attempts=0).filter(
        Q(send_state=SendState.SCHEDULED, send_after__lte=due) | Q(send_state=SendState.QUEUED, created_at__lte=due)
    )
    return list(rows.order_by("pk").values_list("pk", flat=True)[:500])


def give_up(message_id: int, error: str) -> None:
    MailMessage.objects.filter(pk=message_id).exclude(send_state=SendState.SENT).update(
        send_state=SendState.FAILED, send_error=error[:500]
    )
