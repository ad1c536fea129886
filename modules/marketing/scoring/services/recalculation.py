"""Recomputing many scores: all of them after the rules changed, or the decaying ones daily.
Each call handles one batch of ids (a keyset on id) so a task stays short."""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from modules.marketing.scoring.choices import Decay, RuleKind
from modules.marketing.scoring.fields import MODELS
from modules.marketing.scoring.models import ScoreEvent, ScoringRule
from modules.marketing.scoring.services.compute import recompute

BATCH = 2000


def _batch(entity: str, ids: list[int]) -> tuple[int, int | None]:
    if not ids:
        return 0, None
    with transaction.atomic():
        recompute(entity, ids)
    return len(ids), ids[-1] if len(ids) == BATCH else None


def recalculate_batch(entity: str, *, after: int) -> tuple[int, int | None]:
    """Every record's score after id ``after`` (one batch); (done, next ``after`` or None)."""
    model = MODELS[entity]  # type: ignore[index]
    ids = list(model.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:BATCH])
    return _batch(entity, ids)


def decay_batch(entity: str, *, after: int) -> tuple[int, int | None]:
    """The scores holding decaying points, after id ``after`` (one batch)."""
    column = f"{entity}_id"
    ids = list(
        ScoreEvent.objects.filter(~Q(decay=Decay.NONE), **{f"{column}__gt": after})
        .order_by(column)
        .values_list(column, flat=True)
        .distinct()[:BATCH]
    )
    return _batch(entity, ids)


def prune_spent_points(*, now: datetime | None = None) -> int:
    """Delete ledger rows that count for nothing any more: expired, or decayed below half a point.
    The scores they were part of are recomputed by the same decay run (their records still hold
    other rows, or their score is recomputed here)."""
    from modules.marketing.scoring.services.compute import DECAYED_POINTS

    now = now or timezone.now()
    table = ScoreEvent._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} e WHERE e.decay <> %s AND {DECAYED_POINTS} = 0 RETURNING contact_id, lead_id",  # noqa: S608 (model tables; values are parameters)
            (Decay.NONE, now, now),
        )
        gone = cursor.fetchall()
        for entity, position in (("contact", 0), ("lead", 1)):
            ids = sorted({row[position] for row in gone if row[position]})
            if ids:
                recompute(entity, ids, now=now)
    return len(gone)


def reprice_ledger() -> int:
    """Give the ledger's rows their rule's current points and decay. Caps were counted when the
    points were given and are not replayed: a capped rule's rows keep at most what they had."""
    table = ScoreEvent._meta.db_table
    rules = ScoringRule._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} e SET decay = r.decay, decay_percent = r.decay_percent, decay_days = r.decay_days,
                    points = CASE WHEN r.cap_points IS NULL THEN r.points ELSE LEAST(e.points, r.points) END
                FROM {rules} r WHERE r.id = e.rule_id AND r.kind = %s""",  # noqa: S608 (model tables; values are parameters)
            (RuleKind.BEHAVIOUR,),
        )
        return cursor.rowcount
