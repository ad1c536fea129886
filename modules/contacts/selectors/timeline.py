"""One page of a record's timeline, newest first, cut by (occurred_at, id) so the partial index
``contacts_timeline_<subject>_idx`` serves every page of a long history at the same cost."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from modules.activities.models import Activity
from modules.contacts.choices import TimelineKind
from modules.contacts.models import TimelineEntry
from modules.contacts.selectors.lists import after_cursor, encode_cursor

SUBJECTS = ("company", "contact", "lead", "deal", "order")
TIMELINE_PAGE_SIZE = 20
# The kinds behind each filter of a timeline (``?kind=``); "all" shows every kind, later ones too.
KIND_FILTERS: dict[str, tuple[str, ...]] = {
    "notes": (TimelineKind.NOTE, TimelineKind.ATTACHMENT),
    "activities": (TimelineKind.ACTIVITY,),
    "emails": (TimelineKind.EMAIL,),
    "changes": (
        TimelineKind.CREATED, TimelineKind.UPDATED, TimelineKind.STATUS_CHANGED, TimelineKind.LEAD_CONVERTED,
        TimelineKind.MERGED,
    ),
    "deals": (
        TimelineKind.STAGE_CHANGED, TimelineKind.DEAL_WON, TimelineKind.DEAL_LOST, TimelineKind.QUOTE,
        TimelineKind.ORDER,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    next_cursor: str | None


def timeline_page(
    subject: str,
    pk: int,
    *,
    before: str | None = None,
    kind: str = "",
    size: int = TIMELINE_PAGE_SIZE,
    viewer_id: int | None = None,
) -> TimelinePage:
    """Entries of the ``subject`` record ``pk``, newest first, older than the ``before`` cursor,
    only those of the ``kind`` filter when given (a key of ``KIND_FILTERS``).

    Activity entries come with their activity, its origin and its follow-ups (the chain around it),
    and every entry with the records it links (to say which one it happened on), loaded in fixed
    queries whatever the page holds. E-mail threads of a private mailbox are shown to its owner
    (``viewer_id``) only.
    """
    if subject not in SUBJECTS:
        raise ValueError(subject)
    queryset = TimelineEntry.objects.filter(**{f"{subject}_id": pk}).exclude(
        Q(kind=TimelineKind.EMAIL, data__private=True) & ~Q(data__owner=viewer_id)
    )
    if kind:
        queryset = queryset.filter(kind__in=KIND_FILTERS[kind])
    queryset = after_cursor(queryset, "occurred_at", True, before)
    queryset = queryset.select_related(
        "actor",
        "activity",
        "activity__assignee",
        "activity__origin",
        "company",
        "contact",
        "lead",
        "deal",
        "order",
    ).prefetch_related(Prefetch("activity__follow_ups", queryset=Activity.objects.order_by("created_at", "id")))
    entries = list(queryset.order_by("-occurred_at", "-id")[: size + 1])
    next_cursor = None
    if len(entries) > size:
        entries = entries[:size]
        next_cursor = encode_cursor(entries[-1].occurred_at, entries[-1].pk)
    return TimelinePage(entries=entries, next_cursor=next_cursor)
