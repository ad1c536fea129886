"""Business calendars: the only writer of calendars, their working intervals and hand-entered
holidays, and the ``Schedule`` (``business_time``) a calendar stands for.

Public holidays come from the ``holidays`` package for the calendar's country and region. Every
change queues the recalculation of the open cases' clocks after commit (``tasks``)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date
from typing import Any

import holidays as public_holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import moment_problem
from identity.services.audit import audit
from modules.contacts.services.records import validated
from modules.service import settings_events as events
from modules.service.sla.business_time import InvalidWeek, Schedule, Week, validate_week
from modules.service.sla.models import BusinessCalendar, CalendarHoliday, WorkingInterval
from modules.service.sla.models.calendar import WEEKDAYS


class _Holidays:
    """Days off of a calendar: its hand-entered dates and its country's public holidays (the
    ``holidays`` object fills in each year when asked about it)."""

    def __init__(self, manual: Iterable[date], country: str, subdivision: str) -> None:
        self.manual = frozenset(manual)
        self.public = public_holidays.country_holidays(country, subdiv=subdivision or None) if country else None

    def __contains__(self, day: object) -> bool:
        return day in self.manual or (self.public is not None and day in self.public)


def week_of(intervals: Iterable[WorkingInterval]) -> Week:
    days: list[list[tuple[int, int]]] = [[] for _day in range(7)]
    for interval in intervals:
        days[interval.weekday].append((interval.start_minute, interval.end_minute))
    return tuple(tuple(day) for day in days)


def schedule_of(calendar: BusinessCalendar) -> Schedule:
    """The calendar's working time (reads its intervals and holidays: prefetch them for many)."""
    return Schedule(
        zone=zoneinfo.ZoneInfo(calendar.time_zone),
        week=week_of(calendar.intervals.all()),
        holidays=_Holidays((day.date for day in calendar.holidays.all()), calendar.country, calendar.subdivision),
    )


def country_choices() -> list[tuple[str, str]]:
    return sorted((code, code) for code in public_holidays.list_supported_countries())


def _check_place(country: str, subdivision: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    supported = public_holidays.list_supported_countries()
    if country and country not in supported:
        errors["country"] = [_("Choose a country whose public holidays are known.")]
    elif subdivision and not country:
        errors["subdivision"] = [_("Choose the country of this region first.")]
    elif subdivision and subdivision not in supported[country]:
        errors["subdivision"] = [
            _("Choose one of the regions %(regions)s.") % {"regions": ", ".join(supported[country]) or "—"}
        ]
    return errors


def _week_errors(intervals: list[tuple[int, int, int]]) -> dict[str, list[str]]:
    days: list[list[tuple[int, int]]] = [[] for _day in range(7)]
    for weekday, start, end in intervals:
        if not (0 <= weekday <= 6):
            return {"intervals": [_("Choose a weekday.")]}
        days[weekday].append((start, end))
    try:
        validate_week(tuple(tuple(day) for day in days))
    except InvalidWeek as error:
        if error.weekday is None:
            return {"intervals": [_("Enter some working time: a calendar without any cannot count targets.")]}
        day = str(dict(WEEKDAYS)[error.weekday])
        if "overlap" in str(error):
            message = _("%(day)s: working intervals overlap.") % {"day": day}
        else:
            message = _("%(day)s: an interval must end after it starts, on the same day (until 24:00 at most).") % {
                "day": day
            }
        return {"intervals": [message]}
    return {}


def save_calendar(
    calendar: BusinessCalendar | None,
    *,
    name: str,
    time_zone: str,
    intervals: list[tuple[int, int, int]],
    country: str = "",
    subdivision: str = "",
    is_default: bool = False,
    team: Any = None,
    by: Any = None,
) -> BusinessCalendar:
    """Create (``calendar`` None) or change a calendar with its whole week of ``intervals``
    (``(weekday, start minute, end minute)``). All or nothing; errors name the field. The change is
    in the audit log under ``by`` (else the request's user)."""
    creating = calendar is None
    calendar = calendar or BusinessCalendar()
    before = {} if creating else _event_snapshot(calendar)
    calendar.name, calendar.time_zone = name, time_zone
    calendar.country, calendar.subdivision = country.upper(), subdivision
    calendar.is_default, calendar.team = is_default, team
    errors = {**_check_place(calendar.country, subdivision), **_week_errors(intervals)}
    if time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = [_("Choose a time zone.")]
    try:
        validated(calendar)
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if is_default:
            BusinessCalendar.objects.filter(is_default=True).exclude(pk=calendar.pk).update(is_default=False)
        calendar.save()
        calendar.intervals.all().delete()
        WorkingInterval.objects.bulk_create(
            WorkingInterval(calendar=calendar, weekday=weekday, start_minute=start, end_minute=end)
            for weekday, start, end in sorted(intervals)
        )
        _audit_calendar(calendar, by, "sla.calendar_created" if creating else "sla.calendar_changed")
        if creating:
            events.record_created(events.BUSINESS_CALENDAR, calendar, by=by)
        else:
            fields = events.changed(before, _event_snapshot(calendar))
            events.record_updated(events.BUSINESS_CALENDAR, calendar, by=by, fields=fields)
        _recalculate_after_commit()
    return calendar


def _event_snapshot(calendar: BusinessCalendar) -> dict[str, Any]:
    week = WorkingInterval.objects.filter(calendar=calendar).order_by("weekday", "start_minute")
    return {
        **events.snapshot(calendar, CALENDAR_FIELDS),
        "intervals": list(week.values_list("weekday", "start_minute", "end_minute")),
    }


def delete_calendar(calendar: BusinessCalendar, *, by: Any = None) -> None:
    with transaction.atomic():
        _audit_calendar(calendar, by, "sla.calendar_deleted")
        events.record_deleted(events.BUSINESS_CALENDAR, calendar, by=by, name=calendar.name)
        calendar.delete()
        _recalculate_after_commit()


def add_holiday(calendar: BusinessCalendar, *, day: date, name: str, by: Any = None) -> CalendarHoliday:
    problem = moment_problem(day) if isinstance(day, date) else _("Enter a date.")
    if problem:
        raise ValidationError({"date": [problem]})
    holiday = CalendarHoliday(calendar=calendar, date=day, name=name)
    validated(holiday)
    with transaction.atomic():
        holiday.save()
        BusinessCalendar.objects.filter(pk=calendar.pk).update(updated_at=timezone.now())
        events.record_created(events.CALENDAR_HOLIDAY, holiday, by=by)
        _recalculate_after_commit()
    return holiday


def delete_holiday(holiday: CalendarHoliday, *, by: Any = None) -> None:
    with transaction.atomic():
        events.record_deleted(events.CALENDAR_HOLIDAY, holiday, by=by, name=holiday.name)
        holiday.delete()
        _recalculate_after_commit()


def holidays_of_year(calendar: BusinessCalendar, year: int) -> list[tuple[date, str, bool]]:
    """The calendar's days off in ``year``: (date, name, entered by hand), in date order."""
    days: dict[date, tuple[str, bool]] = {}
    if calendar.country:
        public = public_holidays.country_holidays(calendar.country, subdiv=calendar.subdivision or None, years=year)
        days.update({day: (str(name), False) for day, name in public.items()})
    for holiday in calendar.holidays.filter(date__year=year):
        days[holiday.date] = (holiday.name, True)
    return [(day, name, manual) for day, (name, manual) in sorted(days.items())]


def calendar_for_team(team_id: int | None) -> BusinessCalendar | None:
    """The queue's own calendar, else the default one (None when the tenant has neither)."""
    calendars = BusinessCalendar.objects.prefetch_related("intervals", "holidays")
    if team_id is not None:
        own = calendars.filter(team_id=team_id).first()
        if own is not None:
            return own
    return calendars.filter(is_default=True).first()


def _recalculate_after_commit() -> None:
    from modules.service.sla.tasks import schedule_recalculation

    schedule_recalculation()


CALENDAR_FIELDS = ("name", "time_zone", "country", "subdivision", "is_default", "team")


def _intervals_from_rows(rows: Iterable[Any]) -> list[tuple[int, int, int]]:
    """``[{weekday, start_minute, end_minute}, …]`` (the APIs' shape) as ``save_calendar`` takes them."""
    intervals = []
    for row in rows:
        values = (row.get("weekday"), row.get("start_minute"), row.get("end_minute"))
        if any(isinstance(value, bool) or not isinstance(value, int) for value in values):
            raise ValidationError({"intervals": [_("Give each interval a weekday (0-6) and minutes (0-1440).")]})
        intervals.append(values)
    return intervals


def _audit_calendar(calendar: BusinessCalendar, by: Any, action: str) -> None:
    summaries = {
        "sla.calendar_created": _("Business calendar %(name)s created"),
        "sla.calendar_changed": _("Business calendar %(name)s changed"),
        "sla.calendar_deleted": _("Business calendar %(name)s deleted"),
    }
    audit(action, summaries[action] % {"name": calendar.name}, by=by, target=f"business_calendar:{calendar.pk}")


def create_calendar(*, by: Any, intervals: Iterable[Any] = (), **values: Any) -> BusinessCalendar:
    """A new calendar from named values and interval rows (the APIs' writes); errors name the field."""
    unknown = set(values) - set(CALENDAR_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    values = {"name": "", "time_zone": "", **values}
    return save_calendar(None, intervals=_intervals_from_rows(intervals), by=by, **values)


def update_calendar(
    calendar: BusinessCalendar, *, by: Any, intervals: Iterable[Any] | None = None, **values: Any
) -> BusinessCalendar:
    """Change the named values (and, when given, replace the week's intervals), keeping the others."""
    unknown = set(values) - set(CALENDAR_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    current = {name: getattr(calendar, name) for name in CALENDAR_FIELDS}
    week = (
        [(item.weekday, item.start_minute, item.end_minute) for item in calendar.intervals.all()]
        if intervals is None
        else _intervals_from_rows(intervals)
    )
    return save_calendar(calendar, intervals=week, by=by, **{**current, **values})


def remove_calendar(calendar: BusinessCalendar, *, by: Any) -> None:
    delete_calendar(calendar, by=by)


def create_holiday(
    *, by: Any, calendar: BusinessCalendar | None = None, date: Any = None, name: str = ""
) -> CalendarHoliday:
    """A day off entered by hand (the APIs' writes); a second one on the same day is refused on ``date``."""
    if calendar is None:
        raise ValidationError({"calendar": [_("Choose the calendar.")]})
    if CalendarHoliday.objects.filter(calendar=calendar, date=date).exists():
        raise ValidationError({"date": [_("This calendar already has a day off on this date.")]})
    return add_holiday(calendar, day=date, name=(name or "").strip(), by=by)


def update_holiday(holiday: CalendarHoliday, *, by: Any, **values: Any) -> CalendarHoliday:
    """Move or rename a day off (its calendar stays); the clocks are recalculated."""
    unknown = set(values) - {"date", "name"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    day = values.get("date", holiday.date)
    problem = moment_problem(day) if isinstance(day, date) else _("Enter a date.")
    if problem:
        raise ValidationError({"date": [problem]})
    if CalendarHoliday.objects.filter(calendar_id=holiday.calendar_id, date=day).exclude(pk=holiday.pk).exists():
        raise ValidationError({"date": [_("This calendar already has a day off on this date.")]})
    before = events.snapshot(holiday, ("date", "name"))
    holiday.date = day
    holiday.name = (values.get("name", holiday.name) or "").strip()
    validated(holiday)
    with transaction.atomic():
        holiday.save()
        BusinessCalendar.objects.filter(pk=holiday.calendar_id).update(updated_at=timezone.now())
        fields = events.changed(before, events.snapshot(holiday, ("date", "name")))
        events.record_updated(events.CALENDAR_HOLIDAY, holiday, by=by, fields=fields)
        _recalculate_after_commit()
    return holiday


def remove_holiday(holiday: CalendarHoliday, *, by: Any) -> None:
    delete_holiday(holiday, by=by)
