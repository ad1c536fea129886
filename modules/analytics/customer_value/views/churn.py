"""Customers at risk of churning (a low probability alive, or an RFM segment at risk), and acting
on them: an activity for each, through the activity service, all or nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from identity.decorators import require_permission, signed_in_user
from identity.forms import form_status
from identity.models import User
from identity.visibility import restrict_to_visible
from modules.activities.bulk import CREATE_ACTIVITY
from modules.activities.services.activities import create_activity
from modules.analytics.customer_value.customers import COMPANY
from modules.analytics.customer_value.rfm import PERIODS
from modules.analytics.customer_value.selectors import AT_RISK_ALIVE, AtRisk, customers_at_risk, latest_run
from modules.analytics.customer_value.views import customer_value_page, period_months
from modules.contacts.lists import COMPANIES
from modules.contacts.models import Company, Contact
from modules.lists.actions import BulkFailure, run_all_or_nothing


class ActivityForEachForm(forms.Form):
    """The bulk bar's "create an activity for each" fields: type, subject, due."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(CREATE_ACTIVITY.fields(COMPANIES, user))


def _records(rows: list[AtRisk], user: User) -> list[Company | Contact]:
    """The companies and contacts of ``rows`` (two queries), in the rows' order."""
    companies = restrict_to_visible(Company.objects.all(), user).in_bulk(
        [row.customer_id for row in rows if row.kind == COMPANY]
    )
    contacts = restrict_to_visible(Contact.objects.all(), user).in_bulk(
        [row.customer_id for row in rows if row.kind != COMPANY]
    )
    found = [(companies if row.kind == COMPANY else contacts).get(row.customer_id) for row in rows]
    return [record for record in found if record is not None]


def _create_for(record: Company | Contact, data: dict[str, Any], by: User) -> None:
    link = {"company": record} if isinstance(record, Company) else {"contact": record}
    create_activity(
        by=by, kind=data["activity_kind"], subject=data["activity_subject"], due_at=data.get("activity_due"), **link
    )


@require_http_methods(["GET", "HEAD", "POST"])
@customer_value_page()
def churn(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    months = period_months(request)
    rows = customers_at_risk(user, today=timezone.localdate(), months=months)
    form = ActivityForEachForm(request.POST or None, user=user)
    failures: dict[str, list[str]] = {}
    if request.method == "POST":
        require_permission(request, "activities.change")
        if form.is_valid():
            try:
                records = _records(rows, user)
                count = run_all_or_nothing(records, lambda record: _create_for(record, form.cleaned_data, user))
            except BulkFailure as error:
                failures = error.failures
            else:
                messages.success(
                    request,
                    ngettext("%(count)d activity created.", "%(count)d activities created.", count) % {"count": count},
                )
                return redirect(f"{request.path}?period={months}")
        if failures:
            form.add_error(None, _("No activity was created: a customer refused it."))
    response = render(
        request,
        "analytics/customer_value/churn.html",
        {
            "rows": rows,
            "form": form,
            "failures": failures,
            "months": months,
            "periods": PERIODS,
            "run": latest_run(),
            "at_risk_alive": AT_RISK_ALIVE,
            "company": COMPANY,
        },
    )
    response.status_code = form_status(form) if request.method == "POST" else 200
    return response
