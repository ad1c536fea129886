"""What a user may see of a thread, on the thread page and in the APIs alike.

The mailbox's owner sees all of it. Anyone else needs a record the thread is linked to that they
may open (``modules.record_access``: the module in the plan, its view permission, the record
within their visibility), and then sees what the mailbox's visibility allows: nothing for a
private mailbox, subject, participants and dates for "subject only", everything (bodies and
attachments) for "full". Mail that belongs to no user's mailbox (sent through the workspace, or
logged) is shown in full to whoever may open one of its records."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from django.db.models import Exists, OuterRef, Q, QuerySet

from modules.mailboxes.choices import MailboxVisibility
from modules.mailboxes.models import MailLink, MailThread
from modules.record_access import RecordAccess

RECORDS = ("contact", "company", "lead", "deal")


class Sight(Enum):
    NONE = "none"
    SUBJECT = "subject"
    FULL = "full"


def _granted(thread: MailThread) -> Sight:
    mailbox = thread.mailbox
    if mailbox is None or mailbox.visibility == MailboxVisibility.FULL:
        return Sight.FULL
    return Sight.SUBJECT if mailbox.visibility == MailboxVisibility.SUBJECT else Sight.NONE


def sights(threads: Iterable[MailThread], access: RecordAccess) -> dict[int, Sight]:
    """Per thread id, what ``access``'s user sees of it (threads with ``mailbox`` loaded); one query
    for the links of the threads not decided by ownership or a private mailbox."""
    user = access.user
    user_id = getattr(user, "pk", None)
    decided: dict[int, Sight] = {}
    pending: dict[int, MailThread] = {}
    for thread in threads:
        mailbox = thread.mailbox
        if mailbox is not None and user_id is not None and mailbox.owner_id == user_id:
            decided[thread.pk] = Sight.FULL
        elif _granted(thread) is Sight.NONE:
            decided[thread.pk] = Sight.NONE
        else:
            pending[thread.pk] = thread
            decided[thread.pk] = Sight.NONE
    if pending:
        links = (
            MailLink.objects.filter(message__thread_id__in=list(pending))
            .select_related("message", *RECORDS)
            .only("message__thread", *(f"{name}__owner" for name in RECORDS))
        )
        for link in links:
            thread_id = link.message.thread_id
            if decided[thread_id] is not Sight.NONE:
                continue
            record = next(getattr(link, name) for name in RECORDS if getattr(link, f"{name}_id") is not None)
            if access.may_see(record):
                decided[thread_id] = _granted(pending[thread_id])
    return decided


def sight(thread: MailThread, access: RecordAccess) -> Sight:
    return sights([thread], access)[thread.pk]


def _linked_records(access: RecordAccess) -> Q | None:
    """Links to records ``access``'s user may open, as a condition on ``MailLink`` (None: none)."""
    from modules.contacts.models import Company, Contact
    from modules.sales.models import Deal, Lead

    owners = access.owner_ids()
    condition: Q | None = None
    for name, model in (("contact", Contact), ("company", Company), ("lead", Lead), ("deal", Deal)):
        if not access.may_use(model):
            continue
        linked = Q(**{f"{name}__isnull": False})
        if owners is not None:
            linked &= Q(**{f"{name}__owner_id__in": owners})
        condition = linked if condition is None else condition | linked
    return condition


def visible_threads(queryset: QuerySet[MailThread], access: RecordAccess) -> QuerySet[MailThread]:
    """The threads of ``queryset`` ``access``'s user sees at least the subject of (``sights`` in SQL)."""
    user_id = getattr(access.user, "pk", None)
    own = Q(mailbox__owner_id=user_id) if user_id is not None else Q(pk__in=[])
    linked = _linked_records(access)
    if linked is None:
        return queryset.filter(own)
    shared = Q(mailbox__isnull=True) | ~Q(mailbox__visibility=MailboxVisibility.PRIVATE)
    through_record = Exists(MailLink.objects.filter(linked, message__thread_id=OuterRef("pk")))
    return queryset.filter(own | (shared & through_record))


def shows_body(thread: MailThread, user_id: int | None) -> bool:
    """Whether a visible thread is seen in full (bodies, files) rather than subject only."""
    mailbox = thread.mailbox
    return mailbox is None or mailbox.owner_id == user_id or mailbox.visibility == MailboxVisibility.FULL
