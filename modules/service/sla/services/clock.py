"""The SLA clock of a case: the only writer of ``CaseClock``.

``case_hook`` runs after every case write (``modules.service.hooks``) and computes the clock again
from the case as saved: the first matching policy, the queue's calendar (else the default one), the
pauses (statuses in ``PAUSED_CATEGORIES``; a solved or closed case is paused too, so reopening it
resumes where it stopped), and from those the due and warning times:

    due  = started + target                 + paused business time before the end point
    warn = started + target × warning % / 100 + the same

all in the calendar's business time, so a warning or a breach always falls in working time. The end
point is the first response (``case.first_response_at``) or the solution (``case.solved_at``);
reached by then, the target is met, else breached. Warnings and breaches reached while the case is
open are announced by the sweep (``alerts``); stamps, once set, stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from modules.service.choices import DONE_CATEGORIES, PAUSED_CATEGORIES
from modules.service.hooks import CaseChange
from modules.service.sla.business_time import Schedule, add_business_time, business_time_between
from modules.service.sla.models import BusinessCalendar, CaseClock, SlaPolicy
from modules.service.sla.services.calendars import schedule_of
from modules.service.sla.services.policies import policy_for, target_of

TARGETS = ("first_response", "resolution")


@dataclass(frozen=True)
class Setup:
    """What the clocks of many cases are computed with (loaded once for a batch)."""

    policies: list[SlaPolicy]
    calendars_by_team: dict[int, BusinessCalendar]
    default_calendar: BusinessCalendar | None
    schedules: dict[int, Schedule]

    @classmethod
    def load(cls) -> Setup:
        policies = list(SlaPolicy.objects.filter(is_active=True).prefetch_related("targets").order_by("position", "id"))
        calendars = list(BusinessCalendar.objects.prefetch_related("intervals", "holidays"))
        return cls(
            policies=policies,
            calendars_by_team={calendar.team_id: calendar for calendar in calendars if calendar.team_id},
            default_calendar=next((calendar for calendar in calendars if calendar.is_default), None),
            schedules={},
        )

    def calendar_for(self, team_id: int | None) -> BusinessCalendar | None:
        if team_id is not None and team_id in self.calendars_by_team:
            return self.calendars_by_team[team_id]
        return self.default_calendar

    def schedule(self, calendar: BusinessCalendar) -> Schedule:
        if calendar.pk not in self.schedules:
            self.schedules[calendar.pk] = schedule_of(calendar)
        return self.schedules[calendar.pk]


def _moment(text: str | None) -> datetime | None:
    return parse_datetime(text) if text else None


def _pause_spans(clock: CaseClock) -> list[tuple[datetime, datetime | None]]:
    return [(_moment(start) or clock.started_at, _moment(end)) for start, end in clock.pauses]


def _paused_before(schedule: Schedule, clock: CaseClock, until: datetime) -> timedelta:
    """Business time paused between the start and ``until`` (an open pause lasts until then)."""
    total = timedelta(0)
    for start, end in _pause_spans(clock):
        total += business_time_between(schedule, max(start, clock.started_at), min(end or until, until))
    return total


def _follow_status(clock: CaseClock, case: Any, now: datetime) -> None:
    """Open a pause when the case stops running, close it when it runs again."""
    category = case.status.category
    stopped = category in PAUSED_CATEGORIES or category in DONE_CATEGORIES
    is_open = bool(clock.pauses) and clock.pauses[-1][1] is None
    changed_at = case.status_changed_at or now
    if stopped and not is_open:
        clock.pauses = [*clock.pauses, [max(changed_at, clock.started_at).isoformat(), None]]
    elif not stopped and is_open:
        start = clock.pauses[-1][0]
        clock.pauses = [*clock.pauses[:-1], [start, max(changed_at, _moment(start) or changed_at).isoformat()]]
    clock.is_paused = category in PAUSED_CATEGORIES


def _reached_at(case: Any, target: str) -> datetime | None:
    if target == "first_response":
        return case.first_response_at
    return case.solved_at if case.status.category in DONE_CATEGORIES else None


def compute(clock: CaseClock, case: Any, *, now: datetime, setup: Setup) -> list[tuple[str, str]]:
    """Compute ``clock`` again for ``case`` (not saved). Returns the breaches found on the way
    (a target reached late before the sweep saw it): [("breached", target)] for ``alerts`` to announce."""
    _follow_status(clock, case, now)
    policy = policy_for(case, setup.policies)
    calendar = setup.calendar_for(case.team_id)
    clock.policy, clock.calendar = policy, calendar
    target = target_of(policy, case.priority) if policy else None
    schedule = setup.schedule(calendar) if calendar else None
    found: list[tuple[str, str]] = []
    candidates: list[datetime] = []
    running = not clock.pauses or clock.pauses[-1][1] is not None
    paused_total = timedelta(0)
    for name in TARGETS:
        minutes = getattr(target, f"{name}_minutes", None) if target else None
        if minutes is None or schedule is None or policy is None:
            setattr(clock, f"{name}_due_at", None)
            setattr(clock, f"{name}_warn_at", None)
            setattr(clock, f"{name}_met_at", None)
            continue
        reached = _reached_at(case, name)
        paused = _paused_before(schedule, clock, reached or now)
        paused_total = max(paused_total, paused)
        due = add_business_time(schedule, clock.started_at, timedelta(minutes=minutes) + paused)
        warning = timedelta(seconds=minutes * 60 * policy.warning_percent // 100)
        warn = add_business_time(schedule, clock.started_at, warning + paused)
        setattr(clock, f"{name}_due_at", due)
        setattr(clock, f"{name}_warn_at", warn)
        breached_at = getattr(clock, f"{name}_breached_at")
        if reached is not None:
            # A target met stays met when a calendar or policy changes afterwards.
            kept = getattr(clock, f"{name}_met_at") == reached
            on_time = kept or reached <= due
            setattr(clock, f"{name}_met_at", reached if on_time and breached_at is None else None)
            if not on_time and breached_at is None:
                setattr(clock, f"{name}_breached_at", due)
                found.append(("breached", name))
            continue
        setattr(clock, f"{name}_met_at", None)
        if running and breached_at is None:
            candidates.append(due)
            if getattr(clock, f"{name}_warned_at") is None:
                candidates.append(warn)
    clock.paused_seconds = int(paused_total.total_seconds())
    clock.next_check_at = min(candidates) if candidates else None
    return found


def clock_of(case: Any) -> CaseClock:
    clock = CaseClock.objects.filter(case=case).first()
    return clock or CaseClock(case=case, started_at=case.created_at)


def refresh_clock(case: Any, *, now: datetime | None = None, setup: Setup | None = None) -> CaseClock:
    """Compute and save ``case``'s clock; announce what the computation found breached."""
    from modules.service.sla.services.alerts import announce  # alerts imports this module

    now = now or timezone.now()
    clock = clock_of(case)
    found = compute(clock, case, now=now, setup=setup or Setup.load())
    clock.save()
    for kind, target in found:
        announce(clock, case, kind, target)
    return clock


def case_hook(case: Any, change: CaseChange) -> None:
    if change.action == "deleted":
        return
    refresh_clock(case)
