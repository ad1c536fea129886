"""Recent records: written when a record page is opened, read by the home page's card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from modules.home.models import RecentRecord
from modules.home.registry import RecentKind, recent_kind_of, recent_kinds_for

KEEP = 30  # rows kept per user: enough to fill the card after records are deleted or hidden


def remember_visit(user: Any, record: Model) -> None:
    """Note that ``user`` opened ``record``: one statement that upserts the row and trims the user's
    oldest beyond ``KEEP`` (the trim sees the rows as they were before this visit, so one extra may
    stay until the next)."""
    kind = recent_kind_of(record)
    if kind is None or not getattr(user, "is_authenticated", False):
        return
    table = connection.ops.quote_name(RecentRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH visit AS (
                INSERT INTO {table} (user_id, kind, object_id, viewed_at) VALUES (%s, %s, %s, %s)
                ON CONFLICT (user_id, kind, object_id) DO UPDATE SET viewed_at = EXCLUDED.viewed_at
                RETURNING id
            )
            DELETE FROM {table} WHERE id IN (
                SELECT id FROM {table} WHERE user_id = %s ORDER BY viewed_at DESC, id DESC OFFSET %s
            )
            """,  # noqa: S608 (the table name is the model's, not input)
            [user.pk, kind.key, record.pk, timezone.now(), user.pk, KEEP],
        )


@dataclass(frozen=True)
class RecentItem:
    kind: RecentKind
    title: str
    url: str
    viewed_at: Any


def recent_records(tenant: object, user: Any, *, limit: int = 8) -> list[RecentItem]:
    """The records ``user`` opened last that they may still open: one query for the visits and one
    per kind of record among them, whatever the number of rows."""
    kinds = recent_kinds_for(tenant, user)
    if not kinds:
        return []
    visits = list(
        RecentRecord.objects.filter(user=user, kind__in=list(kinds)).order_by("-viewed_at", "-id")[: limit * 2]
    )
    wanted: dict[str, set[int]] = {}
    for visit in visits:
        wanted.setdefault(visit.kind, set()).add(visit.object_id)
    found: dict[tuple[str, int], Any] = {}
    for key, ids in wanted.items():
        for record in kinds[key].visible(user).filter(pk__in=ids):
            found[(key, record.pk)] = record
    items = []
    for visit in visits:
        record = found.get((visit.kind, visit.object_id))
        if record is None:
            continue
        kind = kinds[visit.kind]
        items.append(RecentItem(kind, kind.title(record), reverse(kind.url_name, args=[record.pk]), visit.viewed_at))
        if len(items) == limit:
            break
    return items
