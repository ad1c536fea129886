"""The behaviour ledger: who an event concerns, and the points its rules give them (within caps)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import connection

from customization.events.models import DomainEvent
from modules.marketing.scoring.choices import ScoredEntity
from modules.marketing.scoring.fields import MODELS
from modules.marketing.scoring.models import ScoreEvent, ScoringRule

Subject = tuple[str, int]


def subjects_of(events: Sequence[DomainEvent]) -> dict[int, list[Subject]]:
    """For each event (by id), the scored records it concerns: the contact or lead itself, an
    activity's contact and lead, a deal's contact. One query per kind of linked record."""
    from modules.activities.models import Activity
    from modules.sales.models import Deal

    found: dict[int, list[Subject]] = {}
    activity_ids = {e.record_id for e in events if e.entity == "activity"}
    deal_ids = {e.record_id for e in events if e.entity == "deal"}
    activities = {
        pk: (contact_id, lead_id)
        for pk, contact_id, lead_id in Activity.objects.filter(pk__in=activity_ids).values_list(
            "pk", "contact_id", "lead_id"
        )
    }
    deals = dict(Deal.objects.filter(pk__in=deal_ids).values_list("pk", "contact_id"))
    for event in events:
        subjects: list[Subject] = []
        if event.entity in (ScoredEntity.CONTACT, ScoredEntity.LEAD):
            subjects.append((event.entity, event.record_id))
        elif event.entity == "activity" and event.record_id in activities:
            contact_id, lead_id = activities[event.record_id]
            subjects += [(ScoredEntity.CONTACT, contact_id)] if contact_id else []
            subjects += [(ScoredEntity.LEAD, lead_id)] if lead_id else []
        elif event.entity == "deal" and deals.get(event.record_id):
            subjects.append((ScoredEntity.CONTACT, deals[event.record_id]))
        found[event.pk] = subjects
    return found


def award_points(event: DomainEvent, entity: str, record_id: int, rules: Sequence[ScoringRule]) -> int:
    """Write the ledger rows ``event`` earns ``record_id`` under ``rules`` (one INSERT per rule,
    the cap counted in SQL over the rule's rows in the period before the event); returns how many
    rows were new. A redelivered event writes nothing."""
    table = ScoreEvent._meta.db_table
    column = f"{entity}_id"
    # A record deleted before its event is read earns nothing (and breaks no foreign key).
    record_table = MODELS[entity]._meta.db_table  # type: ignore[index]
    written = 0
    with connection.cursor() as cursor:
        for rule in rules:
            if rule.cap_points is not None and rule.cap_days:
                since = event.occurred_at - timedelta(days=rule.cap_days)
                points_sql = f"""LEAST(%s, GREATEST(0, %s - COALESCE((SELECT SUM(points) FROM {table}
                    WHERE rule_id = %s AND {column} = %s AND occurred_at > %s AND occurred_at <= %s), 0)))"""  # noqa: S608 (model tables; values are parameters)
                points_params: tuple[Any, ...] = (
                    rule.points, rule.cap_points, rule.pk, record_id, since, event.occurred_at,
                )  # fmt: skip
            else:
                points_sql, points_params = "%s", (rule.points,)
            cursor.execute(
                f"""INSERT INTO {table} ({column}, rule_id, source_event, event_type, points, decay,
                        decay_percent, decay_days, occurred_at)
                    SELECT %s, %s, %s, %s, p.points, %s, %s, %s, %s FROM (SELECT {points_sql} AS points) p
                    WHERE p.points <> 0 AND EXISTS (SELECT 1 FROM {record_table} WHERE id = %s)
                    ON CONFLICT DO NOTHING""",  # noqa: S608 (model tables; values are parameters)
                (
                    record_id, rule.pk, event.event_id, event.type,
                    rule.decay, rule.decay_percent, rule.decay_days, event.occurred_at, *points_params, record_id,
                ),
            )  # fmt: skip
            written += cursor.rowcount
    return written
