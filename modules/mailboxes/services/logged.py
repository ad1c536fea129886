"""Logging an e-mail that reached the CRM outside any connected mailbox: a file dropped on a record
(.eml or .msg) or a message forwarded or BCC'd to the workspace's logging address.

The message is stored once (``origin`` logged, no mailbox: everyone who may open a record it is on
sees it) per Message-ID among logged mail — dropping the same file twice, or dropping a message
already logged by BCC, only adds the records it was not yet on. It is linked to the records its
addresses match (as synced mail is, the workspace's users' own addresses left out) and to the
record it was dropped on, threaded with the logged mail it answers, its HTML sanitised, its
attachments saved in the private storage, and shown on those records' timelines. The caller
holds nothing: each message is one transaction, its files deleted again if it rolls back."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from core.mail.parsing import ParsedMail, parse_mail, sent_date
from customization.events.outbox import emit
from identity.models import User
from modules.collaboration.models.attachment import attachment_storage, new_storage_key
from modules.collaboration.sanitize import clean_note_html, plain_text
from modules.mailboxes.choices import MessageDirection, MessageOrigin
from modules.mailboxes.models import MailAttachment, MailLink, MailMessage, MailThread
from modules.mailboxes.services.matching import Matcher, Matches
from modules.mailboxes.services.timeline import record_on_timelines

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MATCH_SETS = {"contact": "contacts", "company": "companies", "lead": "leads", "deal": "deals"}


def _logged() -> models.QuerySet[MailMessage]:
    return MailMessage.objects.filter(mailbox__isnull=True, origin=MessageOrigin.LOGGED)


def _thread_for(mail: ParsedMail) -> MailThread | None:
    ids = mail.thread_ids
    if ids:
        found = dict(_logged().filter(message_id__in=ids).values_list("message_id", "thread_id"))
        for message_id in ids:
            if message_id in found:
                return MailThread.objects.get(pk=found[message_id])
    child = (
        _logged()
        .filter(Q(in_reply_to=mail.message_id) | Q(references__contains=[mail.message_id]))
        .values_list("thread_id", flat=True)
        .first()
    )
    return MailThread.objects.get(pk=child) if child else None


def _link(message: MailMessage, matches: Matches) -> Matches:
    """Link ``message`` to the records of ``matches`` it is not on yet; those new ones."""
    existing = MailLink.objects.filter(message=message).values_list("contact_id", "company_id", "lead_id", "deal_id")
    new = Matches()
    for contact, company, lead, deal in existing:
        matches.contacts.discard(contact)
        matches.companies.discard(company)
        matches.leads.discard(lead)
        matches.deals.discard(deal)
    new.add(matches)
    MailLink.objects.bulk_create(
        [
            *(MailLink(message=message, contact_id=pk) for pk in new.contacts),
            *(MailLink(message=message, company_id=pk) for pk in new.companies),
            *(MailLink(message=message, lead_id=pk) for pk in new.leads),
            *(MailLink(message=message, deal_id=pk) for pk in new.deals),
        ]
    )
    return new


def log_mail(
    raw: bytes, *, by: User | None, on: tuple[str, models.Model] | None = None, via: str
) -> tuple[MailMessage | None, bool]:
    """Log ``raw`` (RFC 5322 bytes): (the message, whether it is new). ``on`` is the (entity,
    record) it was dropped on; ``by`` the user who logged it (the sender for the logging
    address); ``via`` says how (file, address) in the event. Without ``on``, a message that
    matches no record is not kept: (None, False)."""
    mail = parse_mail(raw, max_attachment=MAX_ATTACHMENT_BYTES)
    addresses = [address for address in dict.fromkeys([mail.from_address, *mail.to, *mail.cc]) if address]
    users = {email.lower() for email in User.objects.filter(email__in=addresses).values_list("email", flat=True)}
    storage = attachment_storage()
    written: list[str] = []
    try:
        with transaction.atomic():
            # Two logs of one message (a file dropped while its BCC copy arrives) wait for each other.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"mailboxes.logged:{mail.message_id}"])
            matches = Matcher(own_addresses=users).match(addresses)
            if on is not None:
                getattr(matches, MATCH_SETS[on[0]]).add(on[1].pk)
            if not matches:
                return None, False
            existing = _logged().filter(message_id=mail.message_id).select_related("thread").first()
            if existing is not None:
                new = _link(existing, matches)
                if new:
                    record_on_timelines(existing.thread, existing, new)
                return existing, False
            message = _store(mail, raw, addresses, users, by, storage, written)
            _link(message, Matches(**vars(matches)))
            if matches:
                record_on_timelines(message.thread, message, matches)
            emit(
                "mail_message.logged",
                message,
                entity="mail_message",
                actor=by,
                data={"thread": message.thread_id, "via": via, "contacts": sorted(matches.contacts)},
            )
    except BaseException:
        for key in written:
            storage.delete(key)
        raise
    return message, True


def _store(
    mail: ParsedMail,
    raw: bytes,
    addresses: list[str],
    users: set[str],
    by: User | None,
    storage: object,
    written: list[str],
) -> MailMessage:
    now = timezone.now()
    date = sent_date(mail, fallback=now, latest=now + timedelta(days=1))
    html = clean_note_html(mail.html) if mail.html.strip() else ""
    text = mail.text or (plain_text(html) if html else "")
    outbound = mail.from_address.lower() in users
    thread = _thread_for(mail)
    if thread is None:
        thread = MailThread.objects.create(subject=mail.subject, first_at=date, last_at=date)
    message = MailMessage.objects.create(
        thread=thread, direction=MessageDirection.OUTBOUND if outbound else MessageDirection.INBOUND,
        origin=MessageOrigin.LOGGED, message_id=mail.message_id,
        in_reply_to=mail.in_reply_to[0][:998] if mail.in_reply_to else "", references=mail.references,
        subject=mail.subject, from_address=mail.from_address, from_name=mail.from_name, to_addresses=mail.to,
        cc_addresses=mail.cc, participants=addresses, date=date, text=text, html=html,
        snippet=" ".join(text.split())[:200], size=len(raw), sender=by if outbound else None,
    )  # fmt: skip
    rows = []
    for attachment in mail.attachments:
        key = storage.save(new_storage_key(attachment.name), ContentFile(attachment.content))  # type: ignore[attr-defined]
        written.append(key)
        rows.append(
            MailAttachment(
                message=message,
                storage_key=key,
                name=attachment.name[:200],
                content_type=attachment.content_type[:100],
                size=len(attachment.content),
            )
        )
    MailAttachment.objects.bulk_create(rows)
    MailThread.objects.filter(pk=thread.pk).update(
        message_count=F("message_count") + 1, first_at=Least("first_at", date), last_at=Greatest("last_at", date)
    )
    thread.refresh_from_db(fields=["message_count", "first_at", "last_at"])
    message.thread = thread
    return message
