"""Settings → SLAs → Business calendars: list, create, edit (with the year's holidays), delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity.decorators import permission_required
from identity.forms import apply_service_errors, form_status
from modules.service.sla.forms import CalendarForm, HolidayForm
from modules.service.sla.models import BusinessCalendar, CalendarHoliday
from modules.service.sla.services.calendars import (
    add_holiday,
    delete_calendar,
    delete_holiday,
    holidays_of_year,
    save_calendar,
)

PERMISSION = "service.admin"


@permission_required(PERMISSION)
def calendar_list(request: HttpRequest) -> HttpResponse:
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = save_calendar(None, by=request.user, **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Calendar %(name)s is created.") % {"name": calendar.name})
            return redirect("sla-admin:calendar", calendar.pk)
    calendars = BusinessCalendar.objects.select_related("team").prefetch_related("intervals")
    return render(
        request, "service/sla/calendar_list.html", {"calendars": calendars, "form": form}, status=form_status(form)
    )


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 1900 <= year <= 2999 else timezone.localdate().year


@permission_required(PERMISSION)
def calendar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar.objects.prefetch_related("intervals"), pk=pk)
    form = CalendarForm(request.POST or None, calendar=calendar)
    if request.method == "POST" and form.is_valid():
        try:
            save_calendar(calendar, by=request.user, **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Calendar %(name)s is saved.") % {"name": calendar.name})
            return redirect("sla-admin:calendar", calendar.pk)
    return _detail_page(request, calendar, form, HolidayForm(), status=form_status(form))


def _detail_page(
    request: HttpRequest, calendar: BusinessCalendar, form: CalendarForm, holiday_form: HolidayForm, *, status: int
) -> HttpResponse:
    year = _year(request)
    context = {
        "calendar": calendar, "form": form, "holiday_form": holiday_form, "year": year,
        "holidays": holidays_of_year(calendar, year), "manual": {h.date: h for h in calendar.holidays.all()},
    }  # fmt: skip
    return render(request, "service/sla/calendar_detail.html", context, status=status)


@permission_required(PERMISSION)
@require_POST
def holiday_add(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar.objects.prefetch_related("intervals"), pk=pk)
    holiday_form = HolidayForm(request.POST)
    if holiday_form.is_valid():
        try:
            add_holiday(
                calendar, day=holiday_form.cleaned_data["date"], name=holiday_form.cleaned_data["name"], by=request.user
            )
        except ValidationError as error:
            apply_service_errors(holiday_form, error)
        else:
            messages.success(request, _("The holiday is added."))
            url = reverse("sla-admin:calendar", args=[calendar.pk])
            return redirect(f"{url}?year={holiday_form.cleaned_data['date'].year}")
    return _detail_page(request, calendar, CalendarForm(calendar=calendar), holiday_form, status=400)


@permission_required(PERMISSION)
@require_POST
def holiday_delete(request: HttpRequest, pk: int, holiday_pk: int) -> HttpResponse:
    holiday = get_object_or_404(CalendarHoliday, pk=holiday_pk, calendar_id=pk)
    delete_holiday(holiday, by=request.user)
    messages.success(request, _("The holiday is removed."))
    return redirect("sla-admin:calendar", pk)


@permission_required(PERMISSION)
@require_POST
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    delete_calendar(calendar, by=request.user)
    messages.success(request, _("Calendar %(name)s is deleted.") % {"name": calendar.name})
    return redirect("sla-admin:calendars")
