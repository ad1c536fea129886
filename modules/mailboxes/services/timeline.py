"""A thread on the timelines of the records its messages are about: one ``TimelineEntry`` of kind
e-mail per (thread, record), moved to the thread's latest message as messages arrive. The entry's
``data`` carries what the timeline shows and who may see it (the mailbox's owner and visibility),
so a timeline page filters and renders e-mail without a query per entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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


@dataclass
class Stored:
    """A message just stored in ``thread``: the thread's count and latest date once it was added
    (``older``: the thread existed before the batch, so it may already be on timelines)."""

    thread: MailThread
    message: MailMessage
    matches: Matches
    count: int
    last_at: datetime
    older: bool


def _data(stored: Stored, previous: dict[str, Any] | None) -> dict[str, Any]:
    message = stored.message
    participants = list((previous or {}).get("participants", []))
    for address in message.participants:
        if address not in participants and len(participants) < MAX_PARTICIPANTS:
            participants.append(address)
    return {
        "thread": stored.thread.pk,
        "subject": stored.thread.subject,
        "count": stored.count,
        "snippet": message.snippet if message.date >= stored.last_at else (previous or {}).get("snippet", ""),
        "direction": message.direction,
        "participants": participants,
        **visibility_data(stored.thread.mailbox),
    }


def record_stored_on_timelines(batch: list[Stored]) -> None:
    """Add or move each thread's entry on the records its messages are about, as if the messages
    were recorded one by one in order (caller's transaction): one read of the entries of the threads
    that existed before, one insert, one update."""
    older = {stored.thread.pk for stored in batch if stored.older and stored.matches}
    entries: dict[int, dict[tuple[str, int], TimelineEntry]] = {}
    if older:
        for entry in TimelineEntry.objects.filter(kind=TimelineKind.EMAIL, data__thread__in=sorted(older)):
            for field in ("contact", "company", "lead", "deal"):
                if getattr(entry, f"{field}_id") is not None:
                    entries.setdefault(entry.data["thread"], {})[(field, getattr(entry, f"{field}_id"))] = entry
    new: list[TimelineEntry] = []
    changed: dict[int, TimelineEntry] = {}
    for stored in batch:
        if not stored.matches:
            continue
        matches = stored.matches
        on_thread = entries.setdefault(stored.thread.pk, {})
        earlier = list({id(entry): entry for entry in on_thread.values()}.values())
        targets = [
            *(("contact", pk) for pk in matches.contacts),
            *(("company", pk) for pk in matches.companies),
            *(("lead", pk) for pk in matches.leads),
            *(("deal", pk) for pk in matches.deals),
        ]
        for field, pk in targets:
            if (field, pk) not in on_thread:
                entry = TimelineEntry(
                    kind=TimelineKind.EMAIL,
                    occurred_at=stored.last_at,
                    actor=stored.message.sender,
                    data=_data(stored, None),
                    **{f"{field}_id": pk},
                )
                on_thread[(field, pk)] = entry
                new.append(entry)
        for entry in earlier:
            entry.data = _data(stored, entry.data if isinstance(entry.data, dict) else None)
            entry.occurred_at = stored.last_at
            if entry.pk is not None:
                changed[entry.pk] = entry
    TimelineEntry.objects.bulk_create(new)
    TimelineEntry.objects.bulk_update(list(changed.values()), ["data", "occurred_at"])


def record_on_timelines(thread: MailThread, message: MailMessage, matches: Matches) -> None:
    """Add or move the thread's entry on each record ``matches`` names, ``message`` being the
    thread's latest addition (caller's transaction)."""
    stored = Stored(thread, message, matches, thread.message_count, thread.last_at, thread.message_count > 1)
    record_stored_on_timelines([stored])


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
