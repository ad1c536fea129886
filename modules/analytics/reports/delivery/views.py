"""Pages for a report's e-mail deliveries: subscribe users, change and delete a subscription. Only
whoever may change the report (its owner, ``analytics.change``) manages them; the report page's
"Deliveries" panel (``panel``) shows the subscriptions and the latest deliveries with their errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from identity.decorators import signed_in_user
from identity.forms import apply_service_errors, form_status
from modules.analytics.reports.delivery.forms import SubscriptionForm
from modules.analytics.reports.delivery.message import schedule_in_words
from modules.analytics.reports.delivery.models import ReportDelivery, ReportSubscription
from modules.analytics.reports.delivery.schedule import tenant_zone
from modules.analytics.reports.delivery.services import (
    create_subscription,
    delete_subscription,
    update_subscription,
)
from modules.analytics.reports.models import Report
from modules.analytics.reports.selectors import may_edit, reports_for
from modules.analytics.views import analytics_page

RECENT_DELIVERIES = 20


def panel(report: Report) -> dict[str, Any]:
    """The report page's Deliveries panel: subscriptions (with recipients) and the latest
    deliveries, in three queries whatever their number."""
    subscriptions = list(report.subscriptions.prefetch_related("recipients").order_by("id"))
    deliveries = list(ReportDelivery.objects.filter(report=report).select_related("recipient")[:RECENT_DELIVERIES])
    return {
        "subscriptions": [(subscription, schedule_in_words(subscription)) for subscription in subscriptions],
        "deliveries": deliveries,
        "zone": str(tenant_zone()),
    }


def _owned_report(request: HttpRequest, pk: int) -> Report:
    user = signed_in_user(request)
    report = reports_for(user).filter(pk=pk).first()
    if report is None:
        raise Http404(_("No such report."))
    if not may_edit(user, report):
        raise PermissionDenied(_("Only the report's owner changes its deliveries."))
    return report


def _subscription(report: Report, subscription_pk: int) -> ReportSubscription:
    subscription = report.subscriptions.filter(pk=subscription_pk).select_related("report").first()
    if subscription is None:
        raise Http404(_("No such delivery."))
    return subscription


def _form_page(request: HttpRequest, report: Report, subscription: ReportSubscription | None) -> HttpResponse:
    form = SubscriptionForm(request.POST or None, initial=SubscriptionForm.initial_for(subscription))
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request)
        values = dict(form.cleaned_data)
        values["recipients"] = list(values["recipients"])
        try:
            if subscription is None:
                create_subscription(report=report, by=user, **values)
            else:
                update_subscription(subscription, by=user, **values)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Delivery saved."))
            return redirect("analytics:report-detail", pk=report.pk)
    context = {"report": report, "subscription": subscription, "form": form}
    return render(request, "analytics/reports/subscription_form.html", context, status=form_status(form))


@require_http_methods(["GET", "HEAD", "POST"])
@analytics_page("analytics.change")
def subscription_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, _owned_report(request, pk), None)


@require_http_methods(["GET", "HEAD", "POST"])
@analytics_page("analytics.change")
def subscription_edit(request: HttpRequest, pk: int, subscription_pk: int) -> HttpResponse:
    report = _owned_report(request, pk)
    return _form_page(request, report, _subscription(report, subscription_pk))


@require_POST
@analytics_page("analytics.change")
def subscription_delete(request: HttpRequest, pk: int, subscription_pk: int) -> HttpResponse:
    report = _owned_report(request, pk)
    delete_subscription(_subscription(report, subscription_pk), by=signed_in_user(request))
    messages.success(request, _("Delivery deleted."))
    return redirect("analytics:report-detail", pk=report.pk)
