"""Senders nobody knows yet: people who wrote to a user's connected mailboxes and match no contact
and no open lead, so their mail is on no timeline. One click makes the sender a contact or a lead
(through the records' own services: duplicates refused, events and timelines as for any new
record) and then links every stored message with that address — in any mailbox, as the matching
would have at sync time — to the new record, its threads put on its timeline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.db.models.functions import Lower

from identity.models import User
from modules.contacts.models import Contact
from modules.mailboxes.choices import MessageDirection
from modules.mailboxes.models import MailLink, MailMessage, MailThread
from modules.mailboxes.services.matching import Matches
from modules.mailboxes.services.timeline import record_on_timelines
from modules.sales.choices import LeadStatus
from modules.sales.models import Lead

PAGE = 50
MAX_LINKED = 2000


@dataclass
class UnknownSender:
    address: str
    name: str
    count: int
    last_at: datetime
    subject: str


def _unlinked_inbound(user_id: int) -> models.QuerySet[MailMessage]:
    return (
        MailMessage.objects.filter(mailbox__owner_id=user_id, direction=MessageDirection.INBOUND)
        .exclude(from_address="")
        .filter(~Exists(MailLink.objects.filter(message=OuterRef("pk"))))
    )


def unknown_senders(user_id: int, *, limit: int = PAGE) -> list[UnknownSender]:
    """The latest ``limit`` senders of the user's unlinked received mail that still match no
    contact, lead or workspace user (three queries, whatever the page holds)."""
    rows = list(
        _unlinked_inbound(user_id)
        .annotate(address=Lower("from_address"))
        .values("address")
        .annotate(count=Count("pk"), last_at=Max("date"), name=Max("from_name"), last_id=Max("pk"))
        .order_by("-last_at", "address")[: limit * 2]
    )
    addresses = [row["address"] for row in rows]
    known = set(
        Contact.objects.annotate(address=Lower("email")).filter(address__in=addresses).values_list("address", flat=True)
    )
    known |= set(
        Lead.objects.annotate(address=Lower("email"))
        .filter(address__in=addresses)
        .exclude(status=LeadStatus.CONVERTED)
        .values_list("address", flat=True)
    )
    known |= set(
        User.objects.annotate(address=Lower("email")).filter(address__in=addresses).values_list("address", flat=True)
    )
    rows = [row for row in rows if row["address"] not in known][:limit]
    subjects = dict(MailMessage.objects.filter(pk__in=[row["last_id"] for row in rows]).values_list("pk", "subject"))
    return [
        UnknownSender(row["address"], row["name"] or "", row["count"], row["last_at"], subjects.get(row["last_id"], ""))
        for row in rows
    ]


def sender_name(user_id: int, address: str) -> tuple[str, str]:
    """(first name, last name) for ``address`` from the latest unlinked message's display name,
    else the address's local part as the last name."""
    name = (
        _unlinked_inbound(user_id)
        .filter(from_address__iexact=address)
        .exclude(from_name="")
        .order_by("-date")
        .values_list("from_name", flat=True)
        .first()
    )
    parts = (name or "").replace('"', "").split()
    if not parts or "@" in parts[0]:
        return "", address.split("@", 1)[0][:100]
    if len(parts) == 1:
        return "", parts[0][:100]
    return " ".join(parts[:-1])[:100], parts[-1][:100]


def has_unlinked_mail(user_id: int, address: str) -> bool:
    return _unlinked_inbound(user_id).filter(from_address__iexact=address).exists()


def link_address(address: str, *, contact: Contact | None = None, lead: Lead | None = None) -> int:
    """Link the stored messages with ``address`` among their participants to the new record and
    put their threads on its timeline (caller's transaction); how many messages were linked."""
    messages = list(
        MailMessage.objects.filter(participants__contains=[address.lower()]).order_by("date", "pk")[:MAX_LINKED]
    )
    MailLink.objects.bulk_create(
        [MailLink(message=message, contact=contact, lead=lead) for message in messages], ignore_conflicts=True
    )
    latest: dict[int, MailMessage] = {}
    for message in messages:
        latest[message.thread_id] = message
    threads = MailThread.objects.in_bulk(list(latest))
    by_thread: dict[int, Matches] = defaultdict(Matches)
    for thread_id in latest:
        if contact is not None:
            by_thread[thread_id].contacts.add(contact.pk)
        else:
            by_thread[thread_id].leads.add(lead.pk)  # type: ignore[union-attr]
    for thread_id, message in latest.items():
        record_on_timelines(threads[thread_id], message, by_thread[thread_id])
    return len(messages)


def sender_to_record(user: User, address: str, kind: str) -> Contact | Lead:
    """Make ``address`` a contact or a lead owned by ``user`` and link its mail to it. The records'
    services raise ValidationError (a duplicate contact, a missing permission-free name…)."""
    from modules.contacts.services.contacts import create_contact
    from modules.sales.services.leads import create_lead

    first, last = sender_name(user.pk, address)
    with transaction.atomic():
        if kind == "contact":
            contact = create_contact(by=user, first_name=first, last_name=last, email=address)
            link_address(address, contact=contact)
            return contact
        lead = create_lead(by=user, first_name=first, last_name=last, email=address)
        link_address(address, lead=lead)
        return lead
