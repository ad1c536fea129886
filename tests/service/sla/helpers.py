"""SLA test helpers: a Berlin office calendar and a policy, made through the services."""

from __future__ import annotations

from typing import Any

from modules.service.sla.models import BusinessCalendar, SlaPolicy
from modules.service.sla.services.calendars import save_calendar
from modules.service.sla.services.policies import save_policy

# Monday to Friday 09:00–12:00 and 13:00–17:00.
OFFICE_WEEK = [(day, start, end) for day in range(5) for start, end in ((540, 720), (780, 1020))]


def office_calendar(**values: Any) -> BusinessCalendar:
    values.setdefault("name", "Berlin office")
    values.setdefault("time_zone", "Europe/Berlin")
    values.setdefault("intervals", OFFICE_WEEK)
    values.setdefault("is_default", True)
    return save_calendar(None, **values)


def standard_policy(first_response: int | None = 60, resolution: int | None = 8 * 60, **values: Any) -> SlaPolicy:
    values.setdefault("name", "Standard")
    priorities = ("low", "normal", "high", "urgent")
    return save_policy(None, targets={p: (first_response, resolution) for p in priorities}, **values)
