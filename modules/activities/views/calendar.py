"""The calendar page (FullCalendar), its JSON events and reschedule endpoint, the iCalendar feed and import.

FullCalendar runs with ``timeZone: "UTC"`` and the server sends wall-clock times of the user's zone
without an offset: the calendar shows exactly the user's local times whatever the browser's zone,
and the times it posts back (UTC-marked wall-clock) are read in the user's zone again.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.input_bounds import in_window, moment_problem
from identity.models import Team
from identity.time_zones import zone_of
from modules.activities.calendar_sync.selectors import stopped_connection
from modules.activities.choices import ActivityKind, ActivityStatus
from modules.activities.forms import ImportForm
from modules.activities.models import CalendarFeed
from modules.activities.selectors import calendar_activities, visible_activities, visible_teams
from modules.activities.services.activities import update_activity
from modules.activities.services.ical import build_feed, feed_for, reset_feed
from modules.activities.services.ics_import import import_calendar
from modules.activities.services.recurrence import Occurrence, expand, series_rows
from modules.activities.views.common import activities_view, current_user, get_visible_activity
from modules.workspace.working_hours import WorkingHours, working_hours

MAX_RANGE = timedelta(days=62)
FEED_PAST = timedelta(days=90)
FEED_LIMIT = 2000
KIND_COLOURS = {
    ActivityKind.TASK: "#0d6efd",
    ActivityKind.CALL: "#198754",
    ActivityKind.MEETING: "#6f42c1",
    ActivityKind.EMAIL: "#fd7e14",
    ActivityKind.NOTE: "#6c757d",
}
# FullCalendar's locale codes for the languages the platform speaks.
FULLCALENDAR_LOCALES = {"en": "en-gb", "ro": "ro", "pl": "pl", "fr": "fr", "ru": "ru", "sr-latn": "sr"}


def _wall_clock(value: str) -> datetime | None:
    """A time FullCalendar sent (date, or date-time with or without an offset) as an aware time
    in the current zone, reading the digits as local wall-clock time."""
    try:
        parsed = parse_datetime(value)
        day = parse_date(value) if parsed is None else None
    except ValueError:  # well formed, but no such day or time
        return None
    if parsed is None:
        if day is None:
            return None
        parsed = datetime.combine(day, time.min)
    return timezone.make_aware(parsed.replace(tzinfo=None))


def _bounds_errors(**values: datetime | None) -> dict[str, list[str]]:
    """Each of ``values`` outside the dates the platform accepts (core.input_bounds), with why."""
    return {
        name: [problem] for name, value in values.items() if value is not None and (problem := moment_problem(value))
    }


def _fc_time(value: datetime, *, all_day: bool) -> str:
    local = timezone.localtime(value)
    return local.date().isoformat() if all_day else local.replace(tzinfo=None).isoformat(timespec="minutes")


def _event(occurrence: Occurrence, user_id: int) -> dict[str, Any]:
    """One occurrence as FullCalendar reads it; instances of a series share the series' page and
    are not dragged (moving one would move the whole series)."""
    activity = occurrence.activity
    start, end = occurrence.start, occurrence.end
    if activity.all_day:
        end_value = _fc_time(end, all_day=True) if end else None
        if end_value:  # FullCalendar's end of an all-day event is exclusive
            end_value = (date.fromisoformat(end_value) + timedelta(days=1)).isoformat()
    else:
        end_value = _fc_time(end, all_day=False) if end else None
    in_series = occurrence.recurrence_id is not None
    editable = activity.status == ActivityStatus.OPEN and not occurrence.is_instance
    return {
        "id": f"{activity.pk}@{start.timestamp():.0f}" if occurrence.is_instance else str(activity.pk),
        "title": activity.subject,
        "start": _fc_time(start, all_day=activity.all_day),
        "end": end_value,
        "allDay": activity.all_day,
        "url": reverse("activities:activity-detail", args=[activity.pk])
        + (f"?occurrence={start.timestamp():.0f}" if occurrence.is_instance else ""),
        "color": KIND_COLOURS.get(ActivityKind(activity.kind), "#6c757d"),
        "editable": editable,
        "durationEditable": editable and end is not None,
        "classNames": [f"activity-{activity.kind}", f"activity-{activity.status}"]
        + (["activity-recurring"] if in_series else []),
        "extendedProps": {
            "kind": activity.get_kind_display(),
            "status": activity.status,
            "statusLabel": activity.get_status_display(),
            "assignee": str(activity.assignee) if activity.assignee else "",
            "mine": activity.assignee_id == user_id,
            "recurring": in_series,
        },
    }


def _team(request: HttpRequest) -> Team | None:
    """The team whose calendar is asked for (``?team=``), if the user may see it; None: mine."""
    value = request.GET.get("team") or ""
    if not value or value == "mine":
        return None
    if not value.isdigit():
        raise Http404
    return get_object_or_404(visible_teams(current_user(request)), pk=int(value))


_VIEWS = ("dayGridMonth", "timeGridWeek", "timeGridDay")


def _business_hours(hours: WorkingHours, viewer: Any, on: date) -> dict[str, Any]:
    """FullCalendar's ``businessHours`` (days Sunday = 0) and ``scrollTime``: the workspace's working
    hours in the viewer's zone, the day view opening an hour before they start."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for weekday, start, end in hours.spans_in(viewer, on):
        key = (f"{start:%H:%M}", f"{end:%H:%M}" if end is not None else "24:00")
        grouped.setdefault(key, []).append((weekday + 1) % 7)
    business = [
        {"daysOfWeek": sorted(days), "startTime": start, "endTime": end} for (start, end), days in grouped.items()
    ]
    opening = datetime.combine(on, hours.start, tzinfo=hours.zone).astimezone(viewer)
    scroll = max(opening.replace(minute=0) - timedelta(hours=1), opening.replace(hour=0, minute=0))
    return {"businessHours": business, "scrollTime": f"{scroll:%H:%M}:00"}


def _calendar_context(
    request: HttpRequest, *, import_form: ImportForm, team: Team | None, feed: CalendarFeed | None
) -> dict[str, Any]:
    user = current_user(request)
    view = request.GET.get("view", "")
    offset = timezone.localtime().utcoffset() or timedelta(0)
    hours = working_hours()
    config = {
        "locale": FULLCALENDAR_LOCALES.get((get_language() or "en").lower(), "en-gb"),
        "initialView": view if view in _VIEWS else "timeGridWeek",
        "eventsUrl": reverse("activities:calendar-events"),
        "rescheduleUrl": reverse("activities:activity-reschedule", args=[0]),
        "team": team.pk if team else None,
        "csrfToken": get_token(request),
        "utcOffsetMinutes": int(offset.total_seconds() // 60),
        **_business_hours(hours, timezone.get_current_timezone(), timezone.localdate()),
        "messages": {
            "failed": _("The activity could not be moved and is back in its place."),
            "loadFailed": _("The calendar could not be loaded. Reload the page to try again."),
        },
    }
    return {
        "calendar_sync_stopped": stopped_connection(user),
        "teams": list(visible_teams(user)),
        "team": team,
        "feed_url": request.build_absolute_uri(reverse("activities:calendar-feed", args=[feed.token])) if feed else "",
        "import_form": import_form,
        "time_zone_name": timezone.get_current_timezone_name(),
        "calendar_config": config,
    }


@activities_view("activities.view")
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    feed = feed_for(current_user(request))
    context = _calendar_context(request, import_form=ImportForm(), team=_team(request), feed=feed)
    return render(request, "activities/calendar.html", context)


@activities_view("activities.view")
@require_GET
def calendar_events(request: HttpRequest) -> JsonResponse:
    """Events overlapping ``?start=&end=`` for the user (or ``?team=``), as FullCalendar reads them."""
    start = _wall_clock(request.GET.get("start", ""))
    end = _wall_clock(request.GET.get("end", ""))
    errors = {}
    if start is None:
        errors["start"] = [_("Give the start of the range as an ISO date.")]
    if end is None:
        errors["end"] = [_("Give the end of the range as an ISO date.")]
    errors = {**_bounds_errors(start=start, end=end), **errors}
    if not errors and start and end and not (start < end <= start + MAX_RANGE):
        errors["end"] = [_("The range must end after its start and span at most 62 days.")]
    if errors or start is None or end is None:
        return JsonResponse({"errors": errors}, status=400)
    user = current_user(request)
    activities = calendar_activities(user, start=start, end=end, team=_team(request))
    occurrences = expand(activities, start=start, end=end)
    return JsonResponse([_event(occurrence, user.pk) for occurrence in occurrences], safe=False)


@activities_view("activities.change")
@require_POST
def reschedule(request: HttpRequest, pk: int) -> JsonResponse:
    """A drag or resize on the calendar: ``start`` (and ``end`` after a resize, ``all_day``)."""
    activity = get_visible_activity(request, pk)
    start = _wall_clock(request.POST.get("start", ""))
    if start is None:
        return JsonResponse({"errors": {"start": [_("Give the new start as an ISO date.")]}}, status=400)
    if errors := _bounds_errors(start=start):
        return JsonResponse({"errors": errors}, status=400)
    values: dict[str, Any] = {"due_at": start}
    if "all_day" in request.POST:
        values["all_day"] = request.POST["all_day"] in ("true", "1", "on")
    if request.POST.get("end"):
        end = _wall_clock(request.POST["end"])
        if end is None:
            return JsonResponse({"errors": {"end": [_("Give the new end as an ISO date.")]}}, status=400)
        if errors := _bounds_errors(end=end):
            return JsonResponse({"errors": errors}, status=400)
        if values.get("all_day", activity.all_day) and parse_datetime(request.POST["end"]) is None:
            end -= timedelta(days=1)  # FullCalendar's all-day end is exclusive
        values["ends_at"] = end
    if activity.status != ActivityStatus.OPEN:
        return JsonResponse({"errors": {"status": [_("Only an open activity can be moved.")]}}, status=400)
    try:
        update_activity(activity, by=current_user(request), **values)
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return JsonResponse({"errors": errors}, status=400)
    occurrence = Occurrence(activity, activity.due_at or start, activity.ends_at)
    return JsonResponse({"ok": True, "event": _event(occurrence, current_user(request).pk)})


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's activities as iCalendar, for calendar apps: the secret token is the credential.

    Looked up in the host's tenant schema only, so a token works on its own tenant's host alone."""
    feed = CalendarFeed.objects.select_related("user__role").filter(token=token, user__is_active=True).first()
    if feed is None or not feed.user.has_perm("activities.view"):
        raise Http404
    user = feed.user
    with timezone.override(zone_of(user, getattr(request, "tenant", None))):
        activities = (
            visible_activities(user)
            .filter(in_window("due_at", "ends_at"), assignee=user)
            .filter(Q(due_at__gte=timezone.now() - FEED_PAST) | series_rows())
            .exclude(kind=ActivityKind.NOTE)
            .select_related("series")
            .order_by("due_at", "id")[:FEED_LIMIT]
        )
        name = f"{request.tenant.name} · {user}"  # type: ignore[attr-defined]
        body = build_feed(activities, calendar_name=name, uid_domain=request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="activities.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@activities_view("activities.view")
@require_POST
def calendar_feed_reset(request: HttpRequest) -> HttpResponse:
    reset_feed(current_user(request))
    messages.success(request, _("Your calendar link is reset; the old link no longer works."))
    return redirect("activities:calendar")


@activities_view("activities.change")
@require_POST
def calendar_import(request: HttpRequest) -> HttpResponse:
    """Upload an .ics file: each event becomes (or updates) a meeting of the user's, reported one by one."""
    user = current_user(request)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        host = request.get_host().split(":")[0]
        try:
            report = import_calendar(form.cleaned_data["file"].read(), by=user, own_host=host)
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            feed = CalendarFeed.objects.filter(user=user).first()
            context = _calendar_context(request, import_form=ImportForm(), team=None, feed=feed)
            return render(request, "activities/calendar.html", {**context, "import_report": report})
    for problem in form.errors.get("file", []):
        messages.error(request, _("Import failed: %(error)s") % {"error": problem})
    feed = CalendarFeed.objects.filter(user=user).first()  # a refused file writes nothing, not even a feed
    context = _calendar_context(request, import_form=form, team=None, feed=feed)
    return render(request, "activities/calendar.html", context, status=400)
