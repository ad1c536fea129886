"""A thread on the timelines of the records its messages are about: one ``TimelineEntry`` of kind
e-mail per (thread, record), moved to the thread's latest message as messages arrive. The entry's
``data`` carries what the timeline shows and who may see it (the mailbox's owner and visibility),
so a timeline page filters and renders e-mail without a query per entry."""

from __future__ import annotations

from typing import Any

from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.mailboxes.choices import MailboxVisibility
from modules.mailboxes.models import Mailbox, MailMessage, MailThread
from modules.mailboxes.services.matching import Matches

MAX_PARTICIPANTS = 10


def visibility_data(mailbox: Mailbox | None) -> dict[str, Any]:
    """Who sees the thread's entries: everyone who may open the record (no mailbox: mail sent
    through the workspace), else the owner and, by the mailbox's choice, colleagues."""
    if mailbox is None:
        return {"mailbox": None, "owner": None, "visibility": MailboxVisibility.FULL.value, "private": False}
    return {
        "mailbox": mailbox.pk,
        "owner": mailbox.owner_id,
        "visibility": mailbox.visibility,
        "private": mailbox.visibility == MailboxVisibility.PRIVATE,
    }


def _data(thread: MailThread, message: MailMessage, previous: dict[str, Any] | None) -> dict[str, Any]:
    participants = list((previous or {}).get("participants", []))
    for address in message.participants:
        if address not in participants and len(participants) < MAX_PARTICIPANTS:
            participants.append(address)
    return {
        "thread": thread.pk,
        "subject": thread.subject,
        "count": thread.message_count,
        "snippet": message.snippet if message.date >= thread.last_at else (previous or {}).get("snippet", ""),
        "direction": message.direction,
        "participants": participants,
        **visibility_data(thread.mailbox),
    }


def record_on_timelines(thread: MailThread, message: MailMessage, matches: Matches) -> None:
    """Add or move the thread's entry on each record ``matches`` names (caller's transaction)."""
    targets = [
        *(("contact", pk) for pk in matches.contacts),
        *(("company", pk) for pk in matches.companies),
        *(("lead", pk) for pk in matches.leads),
        *(("deal", pk) for pk in matches.deals),
    ]
    earlier = (
        TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, data__thread=thread.pk)
        if thread.message_count > 1
        else TimelineEntry.objects.none()  # a new thread is on no timeline yet
    )
    existing = {
        (field, getattr(entry, f"{field}_id")): entry
        for entry in earlier
        for field in ("contact", "company", "lead", "deal")
        if getattr(entry, f"{field}_id") is not None
    }
    new = []
    for field, pk in targets:
        entry = existing.get((field, pk))
        if entry is None:
            new.append(
                TimelineEntry(
                    kind=TimelineKind.EMAIL,
                    occurred_at=thread.last_at,
                    actor=message.sender,
                    data=_data(thread, message, None),
                    **{f"{field}_id": pk},
                )
            )
    TimelineEntry.objects.bulk_create(new)
    for entry in {id(entry): entry for entry in existing.values()}.values():
        entry.data = _data(thread, message, entry.data if isinstance(entry.data, dict) else None)
        entry.occurred_at = thread.last_at
        entry.save(update_fields=["data", "occurred_at"])


def refresh_visibility(mailbox: Mailbox) -> int:
    """After the owner changed what colleagues see: the mailbox's entries follow."""
    entries = list(TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, data__mailbox=mailbox.pk))
    for entry in entries:
        entry.data = {**entry.data, **visibility_data(mailbox)}
    TimelineEntry.objects.bulk_update(entries, ["data"])
    return len(entries)


def forget_mailbox(mailbox: Mailbox) -> int:
    """A disconnected mailbox's threads leave the timelines with its messages."""
    deleted, _kinds = TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, data__mailbox=mailbox.pk).delete()
    return deleted
