"""The SLA clock on the case page (a ``CasePanel`` in the sidebar): each target's due time, the
business time left, paused, met or missed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.service.sla.business_time import NoWorkingTime, business_time_between
from modules.service.sla.models import CaseClock
from modules.service.sla.services.calendars import schedule_of

TARGETS = (("first_response", _("First response")), ("resolution", _("Resolution")))


def _state(clock: CaseClock, target: str) -> str:
    if getattr(clock, f"{target}_breached_at"):
        return "breached"
    if getattr(clock, f"{target}_met_at"):
        return "met"
    if clock.is_paused or (clock.pauses and clock.pauses[-1][1] is None):
        return "paused"
    if getattr(clock, f"{target}_warned_at"):
        return "warning"
    return "running"


def clock_rows(clock: CaseClock) -> list[dict[str, Any]]:
    now = timezone.now()
    schedule = schedule_of(clock.calendar) if clock.calendar else None
    rows = []
    for target, label in TARGETS:
        due = getattr(clock, f"{target}_due_at")
        if due is None:
            continue
        state = _state(clock, target)
        remaining = None
        if schedule is not None and state in ("running", "warning", "paused"):
            try:
                remaining = business_time_between(schedule, now, due)
            except NoWorkingTime:
                remaining = None
        rows.append(
            {
                "target": target, "label": label, "due_at": due, "state": state,
                "remaining_minutes": int(remaining.total_seconds() // 60) if remaining is not None else None,
                "met_at": getattr(clock, f"{target}_met_at"),
                "breached_at": getattr(clock, f"{target}_breached_at"),
            }
        )  # fmt: skip
    return rows


def clock_panel_context(request: Any, case: Any) -> dict[str, Any] | None:
    if not request.user.has_perm("service.view"):
        return None
    clock = (
        CaseClock.objects.select_related("policy", "calendar")
        .prefetch_related("calendar__intervals", "calendar__holidays")
        .filter(case=case)
        .first()
    )
    if clock is None or clock.policy is None:
        return None
    return {
        "clock": clock,
        "rows": clock_rows(clock),
        "paused": timedelta(seconds=clock.paused_seconds),
        "paused_minutes": clock.paused_seconds // 60,
    }
