"""Computing scores in SQL, for a set of records at a time.

``recompute(entity, ids)`` writes the scores of the given contacts or leads with one
``INSERT … SELECT … ON CONFLICT DO UPDATE``: the fit is a sum of ``CASE WHEN <rule> THEN points``
over the active fit rules, the behaviour a correlated sum over the ledger with each row's decay
applied as of ``now``; then the thresholds crossed upward are recorded (and their events emitted)
and those dropped below are re-armed, two more statements. Nothing is loaded into Python but the
ids written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.expressions import Expression, RawSQL
from django.utils import timezone

from customization.events.outbox import emit_many
from modules.marketing.scoring.choices import Decay, RuleKind, ScoredEntity
from modules.marketing.scoring.fields import MODELS, rule_condition
from modules.marketing.scoring.models import Score, ScoreEvent, ScoreThreshold, ScoringRule, ThresholdReached

THRESHOLD_EVENT = "score.threshold_reached"

# One ledger row's points as of %(now)s: kept, lose decay_percent every decay_days (whole
# periods, so a score moves once a period rather than a little every second), or gone after
# decay_days. Each row is rounded on its own, so a breakdown adds up to the total.
DECAYED_POINTS = f"""
ROUND(e.points * CASE e.decay
    WHEN '{Decay.PERCENT}' THEN power(1 - e.decay_percent / 100.0,
        floor(extract(epoch from (%s::timestamptz - e.occurred_at)) / (e.decay_days * 86400.0)))
    WHEN '{Decay.EXPIRE}' THEN CASE WHEN e.occurred_at > %s::timestamptz - make_interval(days => e.decay_days)
        THEN 1 ELSE 0 END
    ELSE 1 END)
"""


def fit_rules(entity: str) -> list[ScoringRule]:
    return list(ScoringRule.objects.filter(kind=RuleKind.FIT, active=True, entity=entity).order_by("id"))


def _fit_expression(rules: Sequence[ScoringRule]) -> Expression:
    total: Expression = Value(0)
    for rule in rules:
        condition = rule_condition(rule.entity, rule.field, rule.operator, rule.value)
        total = total + Case(When(condition, then=Value(rule.points)), default=Value(0), output_field=IntegerField())
    return total


def _behaviour_expression(entity: str, now: datetime) -> RawSQL:
    table = ScoreEvent._meta.db_table
    rules = ScoringRule._meta.db_table
    model = MODELS[entity]  # type: ignore[index]
    outer = f'"{model._meta.db_table}"."id"'
    # A paused rule's points stop counting (and count again when it is resumed).
    return RawSQL(  # noqa: S611 (model tables; values are parameters)
        f"SELECT COALESCE(SUM({DECAYED_POINTS}), 0)::int FROM {table} e JOIN {rules} r ON r.id = e.rule_id "  # noqa: S608 (model tables; values are parameters)
        f"AND r.active WHERE e.{entity}_id = {outer}",
        (now, now),
        output_field=IntegerField(),
    )


def max_fit(rules: Iterable[ScoringRule]) -> int:
    """The most the fit rules can give together (the grade's scale)."""
    return sum(rule.points for rule in rules if rule.points > 0)


def recompute(entity: str, ids: QuerySet | Sequence[int], *, now: datetime | None = None) -> list[int]:  # type: ignore[type-arg]
    """Write the scores of the ``entity`` records in ``ids`` (a list or a queryset of ids); returns
    the ids written. Records gone meanwhile are skipped."""
    now = now or timezone.now()
    model = MODELS[entity]  # type: ignore[index]
    rules = fit_rules(entity)
    records = model.objects.filter(pk__in=ids) if isinstance(ids, QuerySet) else model.objects.filter(pk__in=list(ids))
    select = (
        records.order_by()
        .annotate(_fit=_fit_expression(rules), _behaviour=_behaviour_expression(entity, now))
        .values_list("pk", "_fit", "_behaviour")
    )
    sql, params = select.query.sql_with_params()
    scale = max_fit(rules)
    grade = (
        "CASE WHEN %s <= 0 THEN '' WHEN s.fit >= 0.75 * %s THEN 'A' WHEN s.fit >= 0.5 * %s THEN 'B' "
        "WHEN s.fit >= 0.25 * %s THEN 'C' ELSE 'D' END"
    )
    column = f"{entity}_id"
    statement = f"""
        INSERT INTO {Score._meta.db_table} ({column}, fit, behaviour, total, grade, updated_at)
        SELECT s.id, s.fit, s.behaviour, s.fit + s.behaviour, {grade}, %s
        FROM ({sql}) AS s (id, fit, behaviour)
        ON CONFLICT ({column}) DO UPDATE SET fit = EXCLUDED.fit, behaviour = EXCLUDED.behaviour,
            total = EXCLUDED.total, grade = EXCLUDED.grade, updated_at = EXCLUDED.updated_at
        RETURNING {column}
    """  # noqa: S608 (model tables; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(statement, (scale, scale, scale, scale, now, *params))
        written = [row[0] for row in cursor.fetchall()]
    if written:
        follow_thresholds(entity, written, now=now)
        if entity == ScoredEntity.CONTACT:
            from modules.marketing.scoring.segment_condition import KEY
            from modules.marketing.segments.consumer import follow_condition

            # Segments on the score follow it: a score moves without a contact event.
            follow_condition(KEY, written)
    return written


def follow_thresholds(entity: str, ids: Sequence[int], *, now: datetime) -> int:
    """Record the thresholds the ``ids`` now reach and did not before, emitting one
    ``score.threshold_reached`` per crossing; forget those they dropped below. Returns the crossings."""
    column = f"{entity}_id"
    reached = ThresholdReached._meta.db_table
    scores = Score._meta.db_table
    thresholds = ScoreThreshold._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""DELETE FROM {reached} r USING {thresholds} t
                WHERE r.threshold_id = t.id AND r.{column} = ANY(%s)
                AND NOT EXISTS (SELECT 1 FROM {scores} s WHERE s.{column} = r.{column} AND s.total >= t.points)""",  # noqa: S608 (model tables; values are parameters)
            (list(ids),),
        )
        cursor.execute(
            f"""INSERT INTO {reached} (threshold_id, {column}, reached_at)
                SELECT t.id, s.{column}, %s FROM {scores} s JOIN {thresholds} t ON s.total >= t.points
                WHERE s.{column} = ANY(%s)
                ON CONFLICT DO NOTHING
                RETURNING threshold_id, {column}""",  # noqa: S608 (model tables; values are parameters)
            (now, list(ids)),
        )
        crossings = cursor.fetchall()
    if crossings:
        names = dict(ScoreThreshold.objects.filter(pk__in={t for t, _ in crossings}).values_list("pk", "name"))
        emit_many(
            THRESHOLD_EVENT,
            entity=entity,
            records=[
                (record_id, {"id": threshold_id, "threshold": names.get(threshold_id, "")})
                for threshold_id, record_id in crossings
            ],
        )
    return len(crossings)
