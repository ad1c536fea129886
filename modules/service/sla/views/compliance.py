"""Service → SLA compliance: targets met per policy, queue and agent over a period."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from identity.decorators import permission_required
from modules.service.sla.forms import PeriodForm
from modules.service.sla.selectors import compliance

GROUP_TITLES = (("policy", _("By policy")), ("queue", _("By queue")), ("agent", _("By agent")))


@permission_required("service.view_reports")
def compliance_page(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    tables = [(group, title, compliance(group, start, end)) for group, title in GROUP_TITLES]
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "service/sla/compliance.html", {"form": form, "start": start, "end": end, "tables": tables},
        status=status,
    )  # fmt: skip
