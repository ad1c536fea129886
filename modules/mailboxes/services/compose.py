"""E-mail written on a record and sent from the CRM.

``compose`` validates what the user wrote (addresses, subject, body, files, the send time), fills a
chosen workflow template's merge fields from the record, and stores the message in one transaction
— a ``MailMessage`` (origin composed, direction out) in a new thread or the thread of the message it
answers, its ``Message-ID`` made now so replies synced later thread onto it, its link to the record,
its attachments in the private storage — then queues the send after the commit (at the scheduled
time, if any), and puts it on the record's timeline. ``send_composed`` builds the e-mail with its
threading headers and sends it through the writer's connected mailbox the draft chose
(``services.outgoing``: From the mailbox's address, a copy in its Sent folder) or else the
workspace's way of sending (``modules.marketing.email.sending.outgoing_connection``: From the
platform's address, Reply-To the writer); ``core.mail_catch`` sends both to the local sink under
``make run``. It is idempotent (a message already sent is left alone) and records the error of a
failed attempt."""

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
from modules.mailboxes.models import MailAttachment, Mailbox, MailLink, MailMessage, MailThread
from modules.mailboxes.services.mail_settings import tracking_allowed
from modules.mailboxes.services.matching import Matches
from modules.mailboxes.services.outgoing import can_send, send_through_mailbox
from modules.mailboxes.services.timeline import record_on_timelines
from modules.mailboxes.services.tracking import tracked_html

MAX_RECIPIENTS = 50
MAX_BODY = 200_000
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_SCHEDULE_AHEAD = timedelta(days=366)
# The record kinds a message can be written on: the entity name and the MailLink field.
LINK_FIELDS = {"contact": "contact", "company": "company", "lead": "lead", "deal": "deal"}
MATCH_SETS = {"contact": "contacts", "company": "companies", "lead": "leads", "deal": "deals"}


@dataclass
class Draft:
    to: list[str]
    subject: str
    body: str
    cc: list[str] = field(default_factory=list)
    template_id: int | None = None
    send_at: datetime | None = None
    files: list[UploadedFile] = field(default_factory=list)
    # The writer's connected mailbox it leaves through (None: the workspace's way of sending).
    mailbox: Mailbox | None = None
    # Other records the message is about (a quote's deal), linked and on their timelines too.
    also_on: list[tuple[str, models.Model]] = field(default_factory=list)
    # Asked for open and click tracking (honoured when the workspace allows it).
    track: bool = False
    # A line put below the body once a template has filled it (a library item's share link).
    appendix: str = ""


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


def _problems(draft: Draft, subject: str, body: str, by: User) -> dict[str, list[str]]:
    problems = {
        **_address_problems("to", draft.to, required=True),
        **_address_problems("cc", draft.cc, required=False),
    }
    if draft.mailbox is not None and (draft.mailbox.owner_id != by.pk or not can_send(draft.mailbox)):
        problems["send_from"] = [_("Choose one of your mailboxes that can send.")]
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


def _matches(entity: str, pk: int) -> Matches:
    """``pk`` of ``entity`` as the records a message is about."""
    matches = Matches()
    getattr(matches, MATCH_SETS[entity]).add(pk)
    return matches


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
    if draft.appendix:
        body = f"{body.rstrip()}\n\n{draft.appendix}" if body.strip() else draft.appendix
    problems = _problems(draft, subject, body, by)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    scheduled = draft.send_at is not None and draft.send_at > now
    storage = attachment_storage()
    stored: list[str] = []
    try:
        with transaction.atomic():
            mailbox = draft.mailbox
            thread = answering.thread if answering is not None else None
            if thread is None or thread.mailbox_id != (mailbox.pk if mailbox else None):
                thread = MailThread.objects.create(mailbox=mailbox, subject=subject, first_at=now, last_at=now)
            from_address, from_name = by.email, by.full_name or ""
            if mailbox is not None:
                from_address, from_name = mailbox.email, mailbox.display_name or from_name
            references = [*(answering.references if answering else []), *([answering.message_id] if answering else [])]
            message = MailMessage.objects.create(
                thread=thread, direction=MessageDirection.OUTBOUND, origin=MessageOrigin.COMPOSED,
                mailbox=mailbox, message_id=new_message_id(), in_reply_to=answering.message_id if answering else "",
                references=references[-20:], subject=subject, from_address=from_address,
                from_name=from_name[:200], to_addresses=draft.to, cc_addresses=draft.cc,
                participants=sorted({address.lower() for address in [from_address, *draft.to, *draft.cc]}),
                date=now, text=body, snippet=" ".join(body.split())[:200], sender=by,
                send_state=SendState.SCHEDULED if scheduled else SendState.QUEUED,
                send_after=draft.send_at if scheduled else None, tracked=draft.track and tracking_allowed(),
            )  # fmt: skip
            MailThread.objects.filter(pk=thread.pk).update(message_count=models.F("message_count") + 1, last_at=now)
            thread.refresh_from_db(fields=["message_count", "last_at"])
            matches = _matches(entity, record.pk)
            MailLink.objects.create(message=message, **{LINK_FIELDS[entity]: record})
            for other_entity, other in draft.also_on:
                if other.pk not in getattr(matches, MATCH_SETS[other_entity]):
                    getattr(matches, MATCH_SETS[other_entity]).add(other.pk)
                    MailLink.objects.create(message=message, **{LINK_FIELDS[other_entity]: other})
            record_on_timelines(thread, message, matches)
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
    if message.mailbox_id is not None:  # the writer's own mailbox: their address, nothing to redirect
        from_email, reply_to = formataddr((message.from_name, message.from_address)), None
    else:  # the workspace's way of sending: the platform's address, answers to the writer
        from_email = formataddr((message.from_name, settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].strip(">")))
        reply_to = [message.from_address] if message.from_address else None
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.text, to=message.to_addresses, cc=message.cc_addresses or None,
        from_email=from_email, reply_to=reply_to, headers=headers,
    )  # fmt: skip
    if message.tracked:
        email.attach_alternative(tracked_html(message), "text/html")
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
            MailMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("mailbox")
            .filter(pk=message_id, origin=MessageOrigin.COMPOSED)
            .first()
        )
        if message is None or message.send_state in (SendState.SENT, SendState.FAILED, ""):
            return "skipped"
        if message.send_after is not None and message.send_after > timezone.now():
            return "not yet"
        attempts = message.send_attempts + 1
        note = ""
        try:
            email = build_email(message)
            if message.mailbox is not None:
                note = send_through_mailbox(message.mailbox, email)
            else:
                email.connection = outgoing_connection()
                email.send()
        except Exception as error:
            failure = error
            MailMessage.objects.filter(pk=message.pk).update(
                send_attempts=attempts, send_error=f"{type(error).__name__}: {error}"[:500]
            )
        else:
            MailMessage.objects.filter(pk=message.pk).update(
                send_state=SendState.SENT, sent_at=timezone.now(), send_error=note[:500], send_attempts=attempts
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
