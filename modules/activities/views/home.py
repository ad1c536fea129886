"""The home page's agenda rows: complete or reschedule an activity in place (htmx swaps the row).

Refusals (a closed activity, a day out of range) come back as the row with the error in it, with
status 422 so the page swaps it (``htmx-config``'s response handling) and other clients see a
client error.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.input_bounds import moment_problem
from modules.activities.models import Activity
from modules.activities.selectors import local_day_start
from modules.activities.services.activities import complete_activity, update_activity
from modules.activities.views.common import activities_view, current_user, get_visible_activity, sales_enabled


class RescheduleForm(forms.Form):
    due = forms.DateField(required=False)
    due_on = forms.DateField(required=False, label=_("Day"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("due") or data.get("due_on")):
            self.add_error("due_on", _("Pick a day."))
        return data


def _row(request: HttpRequest, activity: Activity, *, status: int = 200, **extra: Any) -> HttpResponse:
    if not request.htmx and not extra.get("error"):  # type: ignore[attr-defined]
        return redirect("shell:home")
    now = timezone.now()
    context = {
        "activity": activity,
        "now": now,
        "today_start": local_day_start(timezone.localdate(now)),
        "tomorrow": timezone.localdate(now) + timedelta(days=1),
        "sales_enabled": sales_enabled(request),
        "show_assignee": activity.assignee_id != current_user(request).pk,
        **extra,
    }
    return render(request, "activities/home/agenda_row.html", context, status=status)


@activities_view("activities.change")
@require_POST
def home_complete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_visible_activity(request, pk)
    try:
        activity, _next = complete_activity(activity, by=current_user(request))
    except ValidationError as error:
        return _row(request, activity, status=422, error=" ".join(error.messages))
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, _("“%(subject)s” is done.") % {"subject": activity.subject})
    return _row(request, activity)


def _new_due(activity: Activity, day: Any) -> datetime:
    """``day`` at the activity's current local time of day (midnight for all-day and undated ones)."""
    at = time.min
    if activity.due_at is not None and not activity.all_day:
        at = timezone.localtime(activity.due_at).time()
    return timezone.make_aware(datetime.combine(day, at))


@activities_view("activities.change")
@require_POST
def home_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_visible_activity(request, pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label or name}: {' '.join(str(m) for m in messages_)}"
            for name, messages_ in form.errors.items()
        ]
        return _row(request, activity, status=422, error=" ".join(errors))
    day = form.cleaned_data.get("due") or form.cleaned_data["due_on"]
    if (problem := moment_problem(day)) is not None:
        return _row(request, activity, status=422, error=problem)
    try:
        activity = update_activity(activity, by=current_user(request), due_at=_new_due(activity, day))
    except ValidationError as error:
        return _row(request, activity, status=422, error=" ".join(error.messages))
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, _("“%(subject)s” is rescheduled.") % {"subject": activity.subject})
    return _row(request, activity, moved=True)
