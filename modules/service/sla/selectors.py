"""Reads of the SLA clocks: cases breaching soon (for case lists) and compliance per policy, queue
and agent over a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from modules.service.models import Case
from modules.service.models.case import active_case


def breaching_soon(queryset: QuerySet[Case], within: timedelta, *, now: datetime | None = None) -> QuerySet[Case]:
    """Open cases of ``queryset`` whose running clock has a first response or resolution due within
    ``within`` (or overdue and not yet met), soonest first by resolution due time."""
    moment = (now or timezone.now()) + within
    running = Q(sla_clock__is_paused=False)
    first_response = Q(
        sla_clock__first_response_due_at__lte=moment, sla_clock__first_response_met_at__isnull=True,
        first_response_at__isnull=True,
    )  # fmt: skip
    resolution = Q(sla_clock__resolution_due_at__lte=moment, sla_clock__resolution_met_at__isnull=True)
    # One clock per case: the join cannot repeat a case.
    return queryset.filter(active_case(), running & (first_response | resolution)).order_by(
        "sla_clock__resolution_due_at", "pk"
    )


@dataclass(frozen=True)
class ComplianceRow:
    key: Any
    label: str
    first_response_met: int
    first_response_breached: int
    resolution_met: int
    resolution_breached: int

    @staticmethod
    def _percent(met: int, breached: int) -> float | None:
        return round(100 * met / (met + breached), 1) if met + breached else None

    @property
    def first_response_percent(self) -> float | None:
        return self._percent(self.first_response_met, self.first_response_breached)

    @property
    def resolution_percent(self) -> float | None:
        return self._percent(self.resolution_met, self.resolution_breached)


GROUPS = {
    "policy": ("policy_id", "policy__name"),
    "queue": ("case__team_id", "case__team__name"),
    "agent": ("case__owner_id", "case__owner__full_name"),
}


def compliance(group: str, start: date, end: date) -> list[ComplianceRow]:
    """Targets met and missed by the clocks of cases opened from ``start`` to ``end`` (included, in
    the current time zone), grouped by ``group`` (policy, queue or agent): one query."""
    from modules.service.sla.models import CaseClock

    key, label = GROUPS[group]
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    rows = (
        CaseClock.objects.filter(case__created_at__gte=since, case__created_at__lt=until, policy__isnull=False)
        .values(key, label)
        .annotate(
            fr_met=Count("pk", filter=Q(first_response_met_at__isnull=False)),
            fr_breached=Count("pk", filter=Q(first_response_breached_at__isnull=False)),
            res_met=Count("pk", filter=Q(resolution_met_at__isnull=False)),
            res_breached=Count("pk", filter=Q(resolution_breached_at__isnull=False)),
        )
        .order_by(label, key)
    )
    return [
        ComplianceRow(
            key=row[key],
            label=row[label] or "",
            first_response_met=row["fr_met"],
            first_response_breached=row["fr_breached"],
            resolution_met=row["res_met"],
            resolution_breached=row["res_breached"],
        )
        for row in rows
    ]
