"""Taking many e-mails of one mailbox into the CRM at once, with a number of queries that does not
grow with the batch: the Message-ID check, the thread lookup (answered messages and, for mail read
out of order, stored answers), the thread counters, the messages, attachments, links, timeline
entries and outbox events are each one statement per batch. Each message is parsed once.

The result is what storing the messages one by one in the same order gives (``store.py`` stores a
single message through here): a message answering another of the same batch joins its thread, a
Message-ID seen twice is kept once. The threads a batch adds to are locked (``FOR UPDATE``, in id
order) for the transaction, so a reply composed meanwhile cannot lose a count. The caller holds the
transaction."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from core.mail.parsing import ParsedMail, parse_mail, sent_date
from customization.events.outbox import emit_many
from modules.collaboration.models.attachment import attachment_storage, new_storage_key
from modules.collaboration.sanitize import clean_note_html, plain_text
from modules.mailboxes.choices import MessageDirection, MessageOrigin
from modules.mailboxes.models import MailAttachment, Mailbox, MailFolder, MailLink, MailMessage, MailThread
from modules.mailboxes.services.matching import Matcher, Matches, domain_of
from modules.mailboxes.services.timeline import Stored, record_stored_on_timelines

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


@dataclass
class _New:
    """A message new to the mailbox, with its thread's count and latest date once it is added."""

    mail: ParsedMail
    raw_size: int
    uid: int | None
    addresses: list[str]
    date: datetime
    thread: MailThread
    count: int
    last_at: datetime
    folder: MailFolder | None
    direction: str
    message: MailMessage | None = None


def _snippet(text: str) -> str:
    return " ".join(text.split())[:SNIPPET]


def _known_threads(mailbox: Mailbox, news: list[tuple[ParsedMail, datetime]]) -> tuple[dict[str, int], dict[str, int]]:
    """(Message-ID → thread of the stored messages the batch answers, Message-ID of the batch →
    thread of a stored message answering it), two queries."""
    answered = {message_id for mail, _date in news for message_id in mail.thread_ids}
    known = (
        dict(
            MailMessage.objects.filter(mailbox=mailbox, message_id__in=answered).values_list("message_id", "thread_id")
        )
        if answered
        else {}
    )
    ids = [mail.message_id for mail, _date in news]
    children: dict[str, int] = {}
    if ids:
        # One containment test per id lets PostgreSQL use the references' GIN index for each.
        by_reference = reduce(operator.or_, (Q(references__contains=[message_id]) for message_id in ids))
        rows = (
            MailMessage.objects.filter(mailbox=mailbox)
            .filter(Q(in_reply_to__in=ids) | by_reference)
            .order_by("date", "id")
            .values_list("in_reply_to", "references", "thread_id")
        )
        wanted = set(ids)
        for in_reply_to, references, thread_id in rows:
            for message_id in {in_reply_to, *(references or [])} & wanted:
                children.setdefault(message_id, thread_id)
    return known, children


def store_messages(
    mailbox: Mailbox,
    raws: Sequence[tuple[bytes, int | None]],
    *,
    folder: MailFolder | None,
    direction: str,
    matcher: Matcher,
    files: WrittenFiles,
    placements: Sequence[tuple[MailFolder | None, str]] | None = None,
) -> list[tuple[MailMessage | None, bool]]:
    """Keep each ``(raw, uid)`` read from ``mailbox``, in order: per item (the message, whether it
    is new), (None, False) when it is excluded. A message already kept (same Message-ID) is
    returned as it is, so reading a folder again adds nothing. Every item comes from ``folder``
    in ``direction``, unless ``placements`` gives each its own (folder, direction): a Gmail page
    mixes received and sent mail."""
    places = list(placements) if placements is not None else [(folder, direction)] * len(raws)
    if len(places) != len(raws):
        raise ValueError("one placement per message")
    now = timezone.now()
    latest = now + timedelta(days=1)
    parsed = [parse_mail(raw, max_attachment=MAX_ATTACHMENT_BYTES) for raw, _uid in raws]
    participants: list[list[str] | None] = []
    for mail in parsed:
        found = [a for a in dict.fromkeys([mail.from_address, *mail.to, *mail.cc]) if a]
        participants.append(None if is_excluded(mailbox, found) else found)
    ids = {mail.message_id for mail, addresses in zip(parsed, participants, strict=True) if addresses is not None}
    existing = {m.message_id: m for m in MailMessage.objects.filter(mailbox=mailbox, message_id__in=ids)} if ids else {}

    candidates: dict[str, tuple[ParsedMail, datetime]] = {}
    for mail, listed in zip(parsed, participants, strict=True):
        if listed is not None and mail.message_id not in existing:
            candidates.setdefault(mail.message_id, (mail, sent_date(mail, fallback=now, latest=latest)))
    known, children = _known_threads(mailbox, list(candidates.values()))
    threads = {
        thread.pk: thread
        for thread in MailThread.objects.select_for_update()
        .filter(pk__in={*known.values(), *children.values()})
        .order_by("pk")
    }
    for thread in threads.values():
        thread.mailbox = mailbox  # the timeline reads its visibility: no query per thread

    # Per item: None (excluded), a stored message (kept before), or a new one (first or repeated).
    slots: list[MailMessage | tuple[_New, bool] | None] = []
    by_id: dict[str, _New] = {}
    answered: dict[str, MailThread] = {}  # Message-ID → thread of the batch's first answer to it
    fresh: list[_New] = []
    for mail, (raw, uid), addresses, (place, way) in zip(parsed, raws, participants, places, strict=True):
        if addresses is None:
            slots.append(None)
            continue
        kept = existing.get(mail.message_id)
        if kept is not None:
            if kept.uid is None and uid is not None:  # sent from the CRM, now seen in the Sent folder
                MailMessage.objects.filter(pk=kept.pk).update(folder=place, uid=uid)
                kept.folder, kept.uid = place, uid
            slots.append(kept)
            continue
        if mail.message_id in by_id:  # the same Message-ID earlier in this batch
            slots.append((by_id[mail.message_id], False))
            continue
        date = candidates[mail.message_id][1]
        found_thread = _thread_of(mail, by_id, known, children, threads) or answered.get(mail.message_id)
        thread = found_thread or MailThread(
            mailbox=mailbox, subject=mail.subject, first_at=date, last_at=date, message_count=0
        )
        thread.message_count += 1
        thread.first_at, thread.last_at = min(thread.first_at, date), max(thread.last_at, date)
        item = _New(
            mail=mail, raw_size=len(raw), uid=uid, addresses=addresses, date=date, thread=thread,
            count=thread.message_count, last_at=thread.last_at, folder=place, direction=way,
        )  # fmt: skip
        by_id[mail.message_id] = item
        for message_id in {*mail.in_reply_to[:1], *mail.references}:
            answered.setdefault(message_id, thread)
        fresh.append(item)
        slots.append((item, True))
    if fresh:
        _write(mailbox, fresh, threads, matcher=matcher, files=files)
    results: list[tuple[MailMessage | None, bool]] = []
    for slot in slots:
        if slot is None or isinstance(slot, MailMessage):
            results.append((slot, False))
        else:
            results.append((slot[0].message, slot[1]))
    return results


def _thread_of(
    mail: ParsedMail,
    by_id: dict[str, _New],
    known: dict[str, int],
    children: dict[str, int],
    threads: dict[int, MailThread],
) -> MailThread | None:
    """The thread of the nearest message this one answers (stored, or earlier in the batch), else
    of a stored message answering it."""
    for message_id in mail.thread_ids:
        if message_id in by_id:
            return by_id[message_id].thread
        if message_id in known:
            return threads[known[message_id]]
    if mail.message_id in children:
        return threads[children[mail.message_id]]
    return None


def _write(
    mailbox: Mailbox,
    fresh: list[_New],
    threads: dict[int, MailThread],
    *,
    matcher: Matcher,
    files: WrittenFiles,
) -> None:
    """The batch's rows: new threads, counters of the older ones, messages, attachments, links,
    timeline entries, events."""
    older = {thread.pk for thread in threads.values()}
    added = {id(item.thread): item.thread for item in fresh}.values()
    MailThread.objects.bulk_create([thread for thread in added if thread.pk is None])
    MailThread.objects.bulk_update([t for t in added if t.pk in older], ["message_count", "first_at", "last_at"])
    messages = []
    for item in fresh:
        mail = item.mail
        html = clean_note_html(mail.html) if mail.html.strip() else ""
        text = mail.text or (plain_text(html) if html else "")
        item.message = MailMessage(
            mailbox=mailbox,
            thread=item.thread,
            folder=item.folder,
            uid=item.uid,
            direction=item.direction,
            origin=MessageOrigin.SYNC,
            message_id=mail.message_id,
            in_reply_to=mail.in_reply_to[0][:998] if mail.in_reply_to else "",
            references=mail.references,
            subject=mail.subject,
            from_address=mail.from_address,
            from_name=mail.from_name,
            to_addresses=mail.to,
            cc_addresses=mail.cc,
            participants=item.addresses,
            date=item.date,
            text=text,
            html=html,
            snippet=_snippet(text),
            size=item.raw_size,
            sender=mailbox.owner if item.direction == MessageDirection.OUTBOUND else None,
        )
        messages.append(item.message)
    MailMessage.objects.bulk_create(messages)
    _save_attachments(fresh, files)
    matcher.prepare(address for item in fresh for address in item.addresses)
    links: list[MailLink] = []
    stored: list[Stored] = []
    events = []
    for item, message in zip(fresh, messages, strict=True):
        matches = matcher.match(item.addresses)
        links.extend(_links(message, matches))
        stored.append(
            Stored(
                thread=item.thread, message=message, matches=matches, count=item.count, last_at=item.last_at,
                older=item.thread.pk in older,
            )
        )  # fmt: skip
        data = {"thread": item.thread.pk, "direction": item.direction, "contacts": sorted(matches.contacts)}
        events.append((message.pk, data))
    MailLink.objects.bulk_create(links)
    record_stored_on_timelines(stored)
    emit_many("mail_message.stored", entity="mail_message", records=events)


def _save_attachments(fresh: list[_New], files: WrittenFiles) -> None:
    storage = attachment_storage()
    rows = []
    for item in fresh:
        for attachment in item.mail.attachments:
            key = storage.save(new_storage_key(attachment.name), ContentFile(attachment.content))
            files.keys.append(key)
            rows.append(
                MailAttachment(
                    message=item.message,
                    storage_key=key,
                    name=attachment.name,
                    content_type=attachment.content_type,
                    size=len(attachment.content),
                )
            )
    MailAttachment.objects.bulk_create(rows)


def _links(message: MailMessage, matches: Matches) -> list[MailLink]:
    return [
        *(MailLink(message=message, contact_id=pk) for pk in matches.contacts),
        *(MailLink(message=message, company_id=pk) for pk in matches.companies),
        *(MailLink(message=message, lead_id=pk) for pk in matches.leads),
        *(MailLink(message=message, deal_id=pk) for pk in matches.deals),
    ]
