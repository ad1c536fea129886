"""Date triggers: a rule ``date_reached {"field", "offset_days"}`` fires for each record whose date
plus the offset is today (in the tenant's time zone). Each record and date value fires once (the
run's trigger key is ``date:<record id>:<value>``); a missed day is caught up, but nothing from
before the rule was last saved (activated) fires, so switching a rule on does not replay history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, models
from django.db.models.fields.json import KT
from django.utils import timezone

from customization.fields.entities import entity_model
from customization.workflows.choices import RunStatus, Trigger
from customization.workflows.engine.context import json_value
from customization.workflows.engine.runs import RunRequest, queue_runs, start_runs
from customization.workflows.models import WorkflowRule, WorkflowRun
from customization.workflows.record_fields import Kind, field_info, is_custom_path

# How many days back a missed check is made up for (the clock task runs hourly).
CATCH_UP_DAYS = 2


def tenant_zone() -> ZoneInfo:
    tenant = getattr(connection, "tenant", None)
    try:
        return ZoneInfo(str(getattr(tenant, "time_zone", "") or "UTC"))
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _due_records(rule: WorkflowRule, first: date, last: date, zone: ZoneInfo) -> list[tuple[int, Any]]:
    """(record id, stored value) of records whose date field lies in [first, last]."""
    path = str((rule.trigger_config or {}).get("field") or "")
    info = field_info(rule.entity, path)
    if info is None or info.kind not in (Kind.DATE, Kind.DATETIME):
        return []
    queryset: models.QuerySet[Any] = entity_model(rule.entity)._default_manager.all()
    start, end = _day_start(first, zone), _day_start(last + timedelta(days=1), zone)
    if is_custom_path(path):
        key = path.removeprefix("custom.")
        queryset = queryset.annotate(_due=KT(f"custom__{key}"))
        if info.kind == Kind.DATE:
            queryset = queryset.filter(_due__gte=first.isoformat(), _due__lte=last.isoformat())
        else:
            utc = ZoneInfo("UTC")
            queryset = queryset.filter(
                _due__gte=start.astimezone(utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                _due__lt=end.astimezone(utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
        return list(queryset.values_list("pk", "_due").order_by("pk"))
    if info.kind == Kind.DATE:
        queryset = queryset.filter(**{f"{path}__gte": first, f"{path}__lte": last})
    else:
        queryset = queryset.filter(**{f"{path}__gte": start, f"{path}__lt": end})
    return list(queryset.values_list("pk", path).order_by("pk"))


def fire_date_rules(*, today: date | None = None) -> list[WorkflowRun]:
    """Start the runs of the current tenant's date rules that are due; returns the new runs."""
    zone = tenant_zone()
    today = today or timezone.now().astimezone(zone).date()
    requests: list[RunRequest] = []
    for rule in WorkflowRule.objects.filter(is_active=True, trigger=Trigger.DATE_REACHED).order_by("id"):
        try:
            offset = int((rule.trigger_config or {}).get("offset_days") or 0)
        except (TypeError, ValueError):
            continue
        since = max(today - timedelta(days=CATCH_UP_DAYS), rule.updated_at.astimezone(zone).date())
        if since > today:
            continue
        # The date + offset falls in [since, today] ⇔ the date falls in [since - offset, today - offset].
        first, last = since - timedelta(days=offset), today - timedelta(days=offset)
        for record_id, value in _due_records(rule, first, last, zone):
            requests.append(RunRequest(rule, f"date:{record_id}:{json_value(value)}", record_id))
    created = start_runs(requests)
    queue_runs(run.pk for run in created if run.status == RunStatus.PENDING)
    return created
