"""Agent monitoring: workload, new and solved cases, first response and resolution times per agent
and per queue over a period, with CSAT (``modules.service.contact_centre``) and the team's totals
(``service.view_reports``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.input_bounds import moment_problem
from identity.forms import form_status
from modules.service.contact_centre.selectors import attach_csat
from modules.service.desk.forms import PeriodForm
from modules.service.desk.selectors.monitoring import agent_monitoring
from modules.service.desk.views import desk_page

DEFAULT_DAYS = 30
MAX_DAYS = 366


@desk_page("service.view_reports")
def monitoring(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start_day, end_day = today - timedelta(days=DEFAULT_DAYS - 1), today
    if form.is_bound and form.is_valid():
        start_day = form.cleaned_data["start"] or start_day
        end_day = form.cleaned_data["end"] or end_day
        for name, day in (("start", start_day), ("end", end_day)):
            problem = moment_problem(day)
            if problem:
                form.add_error(name, problem)
        if not form.errors and end_day < start_day:
            form.add_error("end", _("The end comes before the start."))
        elif not form.errors and (end_day - start_day).days >= MAX_DAYS:
            form.add_error("end", _("Choose a period of at most a year."))
    report = None
    if not form.errors:
        zone = timezone.get_current_timezone()
        start = datetime.combine(start_day, time.min, tzinfo=zone)
        end = datetime.combine(end_day + timedelta(days=1), time.min, tzinfo=zone)
        report = agent_monitoring(start=start, end=end)
        attach_csat(report, start=start, end=end)
    return render(
        request,
        "service_desk/monitoring.html",
        {"form": form, "report": report, "start_day": start_day, "end_day": end_day},
        status=form_status(form),
    )
