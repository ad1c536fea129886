"""Free/busy of colleagues: when each of them is taken by a timed, open meeting or call (recurring
series expanded), as merged intervals without any detail of what they are — a colleague's busy
time is shown even where the meeting itself is not visible to the reader."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q

from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.models import Activity
from modules.activities.services.recurrence import expand, recurring_or_in_range

BUSY_KINDS = (ActivityKind.MEETING, ActivityKind.CALL)


def busy_times(
    user_ids: Iterable[int], *, start: datetime, end: datetime, leave_out: int | None = None
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per user id, the merged busy intervals overlapping [start, end), clipped to it; ``leave_out``
    is a meeting (and its series' instances) not to count, the one being scheduled. Two queries."""
    rows = Activity.objects.filter(
        recurring_or_in_range(start, end),
        assignee_id__in=list(user_ids),
        kind__in=BUSY_KINDS,
        status=ActivityStatus.OPEN,
        all_day=False,
        ends_at__isnull=False,
    )
    if leave_out is not None:
        rows = rows.exclude(Q(pk=leave_out) | Q(series_id=leave_out))
    found: dict[int, list[tuple[datetime, datetime]]] = {}
    for occurrence in expand(rows, start=start, end=end):
        if occurrence.end is None or occurrence.end <= occurrence.start or occurrence.activity.assignee_id is None:
            continue
        found.setdefault(occurrence.activity.assignee_id, []).append(
            (max(occurrence.start, start), min(occurrence.end, end))
        )
    return {user_id: _merged(spans) for user_id, spans in found.items()}


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for begin, finish in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged
