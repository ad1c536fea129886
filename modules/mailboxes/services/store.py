"""Taking one e-mail into the CRM: parsed (``core.mail.parsing``, which never raises), skipped when
it involves an address the owner never wants logged, kept once per (mailbox, Message-ID), put in
its thread, its HTML sanitised, its attachments saved in the private storage, linked to the
records it is about and shown on their timelines. The caller holds the transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from core.mail.parsing import ParsedMail, parse_mail, sent_date
from customization.events.outbox import emit
from modules.collaboration.models.attachment import attachment_storage, new_storage_key
from modules.collaboration.sanitize import clean_note_html, plain_text
from modules.mailboxes.choices import MessageDirection, MessageOrigin
from modules.mailboxes.models import MailAttachment, Mailbox, MailFolder, MailLink, MailMessage, MailThread
from modules.mailboxes.services.matching import Matcher, domain_of
from modules.mailboxes.services.timeline import record_on_timelines

MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
SNIPPET = 200


@dataclass
class WrittenFiles:
    """Storage keys written in the current transaction, deleted by the caller if it rolls back."""

    keys: list[str] = field(default_factory=list)

    def discard(self) -> None:
        storage = attachment_storage()
        for key in self.keys:
            storage.delete(key)
        self.keys.clear()


def is_excluded(mailbox: Mailbox, addresses: list[str]) -> bool:
    """Whether mail with these participants is never to be logged (an address or ``@domain`` of
    the mailbox's list)."""
    excluded = {str(item).strip().lower() for item in mailbox.excluded_addresses or [] if str(item).strip()}
    if not excluded:
        return False
    return any(a in excluded or f"@{domain_of(a)}" in excluded for a in addresses)


def _thread_for(mailbox: Mailbox, mail: ParsedMail, date: object) -> MailThread | None:
    """The thread of the nearest message this one answers, else of a message already stored that
    answers this one (mail can arrive out of order)."""
    ids = mail.thread_ids
    if ids:
        found = dict(
            MailMessage.objects.filter(mailbox=mailbox, message_id__in=ids).values_list("message_id", "thread_id")
        )
        for message_id in ids:
            if message_id in found:
                return MailThread.objects.get(pk=found[message_id])
    child = (
        MailMessage.objects.filter(mailbox=mailbox)
        .filter(Q(in_reply_to=mail.message_id) | Q(references__contains=[mail.message_id]))
        .values_list("thread_id", flat=True)
        .first()
    )
    return MailThread.objects.get(pk=child) if child else None


def _snippet(text: str) -> str:
    return " ".join(text.split())[:SNIPPET]


def store_message(
    mailbox: Mailbox,
    raw: bytes,
    *,
    folder: MailFolder | None,
    uid: int | None,
    direction: str,
    matcher: Matcher,
    files: WrittenFiles,
) -> tuple[MailMessage | None, bool]:
    """Keep ``raw`` (an RFC 5322 message) read from ``mailbox``: (the message, whether it is new);
    (None, False) when it is excluded. A message already kept (same Message-ID) is returned as it
    is, so reading a folder again adds nothing."""
    mail = parse_mail(raw, max_attachment=MAX_ATTACHMENT_BYTES)
    addresses = list(dict.fromkeys([mail.from_address, *mail.to, *mail.cc]))
    addresses = [address for address in addresses if address]
    if is_excluded(mailbox, addresses):
        return None, False
    existing = MailMessage.objects.filter(mailbox=mailbox, message_id=mail.message_id).first()
    if existing is not None:
        if existing.uid is None and uid is not None:  # sent from the CRM, now seen in the Sent folder
            MailMessage.objects.filter(pk=existing.pk).update(folder=folder, uid=uid)
        return existing, False
    now = timezone.now()
    date = sent_date(mail, fallback=now, latest=now + timedelta(days=1))
    html = clean_note_html(mail.html) if mail.html.strip() else ""
    text = mail.text or (plain_text(html) if html else "")
    thread = _thread_for(mailbox, mail, date)
    if thread is None:
        thread = MailThread.objects.create(mailbox=mailbox, subject=mail.subject, first_at=date, last_at=date)
    message = MailMessage.objects.create(
        mailbox=mailbox,
        thread=thread,
        folder=folder,
        uid=uid,
        direction=direction,
        origin=MessageOrigin.SYNC,
        message_id=mail.message_id,
        in_reply_to=mail.in_reply_to[0][:998] if mail.in_reply_to else "",
        references=mail.references,
        subject=mail.subject,
        from_address=mail.from_address,
        from_name=mail.from_name,
        to_addresses=mail.to,
        cc_addresses=mail.cc,
        participants=addresses,
        date=date,
        text=text,
        html=html,
        snippet=_snippet(text),
        size=len(raw),
        sender=mailbox.owner if direction == MessageDirection.OUTBOUND else None,
    )
    storage = attachment_storage()
    rows = []
    for attachment in mail.attachments:
        key = storage.save(new_storage_key(attachment.name), ContentFile(attachment.content))
        files.keys.append(key)
        rows.append(
            MailAttachment(
                message=message,
                storage_key=key,
                name=attachment.name,
                content_type=attachment.content_type,
                size=len(attachment.content),
            )
        )
    MailAttachment.objects.bulk_create(rows)
    MailThread.objects.filter(pk=thread.pk).update(
        message_count=F("message_count") + 1, first_at=Least("first_at", date), last_at=Greatest("last_at", date)
    )
    thread.refresh_from_db(fields=["message_count", "first_at", "last_at"])
    matches = matcher.match(addresses)
    MailLink.objects.bulk_create(
        [
            *(MailLink(message=message, contact_id=pk) for pk in matches.contacts),
            *(MailLink(message=message, company_id=pk) for pk in matches.companies),
            *(MailLink(message=message, lead_id=pk) for pk in matches.leads),
            *(MailLink(message=message, deal_id=pk) for pk in matches.deals),
        ]
    )
    if matches:
        record_on_timelines(thread, message, matches)
    emit(
        "mail_message.stored",
        message,
        entity="mail_message",
        data={"thread": thread.pk, "direction": direction, "contacts": sorted(matches.contacts)},
    )
    return message, True
