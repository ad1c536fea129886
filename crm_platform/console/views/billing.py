"""Console billing pages: revenue over time (charts), subscriptions, invoices (a bank transfer
marked paid), and failed payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.bank_details import platform_bank_details
from billing.choices import PAYING_STATUSES, InvoiceStatus, Provider, SubscriptionStatus
from billing.models import Invoice, Plan, PlanPrice, Subscription
from billing.money import to_major
from billing.providers.manual import mark_invoice_paid
from billing.services.metrics import Metrics, billing_metrics
from billing.services.subscriptions import grace_ends_at
from crm_platform.console.access import operator_actor, operator_required

PAGE_SIZE = 50
# The failed-payments page lists the oldest first; more than this is a fire, not a list.
LIST_LIMIT = 200


def _filters(request: HttpRequest) -> str:
    filters: QueryDict = request.GET.copy()
    filters.pop("page", None)
    return filters.urlencode()


def _chosen(request: HttpRequest, name: str, allowed: list[str]) -> str:
    """A filter's value when it is one of ``allowed``; unknown values filter nothing."""
    value = request.GET.get(name, "")
    return value if value in allowed else ""


def _chart_data(metrics: Metrics) -> dict[str, Any]:
    labels = [
        str(_("Now")) if point.is_now else formats.date_format(point.month, "YEAR_MONTH_FORMAT")
        for point in metrics.points
    ]

    def series(label: str, values: list[Any]) -> dict[str, Any]:
        return {"label": label, "data": values}

    def per_currency(amounts: str) -> list[dict[str, Any]]:
        return [
            series(currency, [float(to_major(getattr(point, amounts)[currency])) for point in metrics.points])
            for currency in metrics.currencies
        ]

    def percent(values: list[Decimal | None]) -> list[float | None]:
        return [None if value is None else float(value) for value in values]

    return {
        "mrr": {"type": "line", "labels": labels, "datasets": per_currency("mrr")},
        "arr": {"type": "line", "labels": labels, "datasets": per_currency("arr")},
        "rates": {
            "type": "line",
            "unit": "percent",
            "labels": labels,
            "datasets": [
                series(str(_("Churn %")), percent([p.churn_rate for p in metrics.points])),
                series(str(_("Trial conversion %")), percent([p.trial_conversion for p in metrics.points])),
            ],
        },
        "seats": {
            "type": "bar",
            "labels": labels,
            "datasets": [
                series(str(_("Seats")), [p.seats for p in metrics.points]),
                series(str(_("Paying subscriptions")), [p.paying for p in metrics.points]),
            ],
        },
    }


@operator_required
def billing_overview(request: HttpRequest) -> HttpResponse:
    metrics = billing_metrics()
    now = metrics.now
    by_status = dict(Subscription.objects.values_list("status").annotate(count=Count("id")).order_by())
    context = {
        "metrics": metrics,
        "now": now,
        "today_mrr": [(currency, to_major(amount), to_major(amount * 12)) for currency, amount in now.mrr.items()],
        "status_counts": [(label, by_status.get(value, 0)) for value, label in SubscriptionStatus.choices],
        "rows": [
            {"point": point, "mrr": [to_major(point.mrr[currency]) for currency in metrics.currencies]}
            for point in reversed(metrics.points)
        ],
        "charts": _chart_data(metrics),
        "platform_bank_details": platform_bank_details(),
    }
    return render(request, "console/billing/overview.html", context)


@dataclass(frozen=True)
class SubscriptionRow:
    subscription: Subscription
    mrr: Decimal | None
    grace_ends_at: datetime | None


def _monthly_prices() -> dict[tuple[int, str, str], int]:
    return {
        (price.plan_id, price.currency, price.interval): price.monthly_seat_amount for price in PlanPrice.objects.all()
    }


def _subscription_rows(subscriptions: Any) -> list[SubscriptionRow]:
    prices = _monthly_prices()
    rows = []
    for sub in subscriptions:
        seat = prices.get((sub.plan_id, sub.currency, sub.interval))
        paying = sub.status in PAYING_STATUSES
        rows.append(
            SubscriptionRow(
                subscription=sub,
                mrr=to_major(seat * sub.seats) if paying and seat is not None else None,
                grace_ends_at=grace_ends_at(sub),
            )
        )
    return rows


@operator_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    plans = list(Plan.objects.order_by("sort_order", "id"))
    status = _chosen(request, "status", SubscriptionStatus.values)
    plan = _chosen(request, "plan", [p.key for p in plans])
    provider = _chosen(request, "provider", Provider.values)
    subscriptions = Subscription.objects.select_related("tenant", "plan").order_by("-created_at", "-id")
    if status:
        subscriptions = subscriptions.filter(status=status)
    if plan:
        subscriptions = subscriptions.filter(plan__key=plan)
    if provider:
        subscriptions = subscriptions.filter(provider=provider)
    page = Paginator(subscriptions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": _subscription_rows(page.object_list),
        "filters": _filters(request),
        "plans": plans,
        "statuses": SubscriptionStatus.choices,
        "providers": Provider.choices,
        "chosen": {"status": status, "plan": plan, "provider": provider},
    }
    return render(request, "console/billing/subscriptions.html", context)


def _invoice_page(
    request: HttpRequest, *, refused: tuple[int, str, str] | None = None, status_code: int = 200
) -> HttpResponse:
    status = _chosen(request, "status", InvoiceStatus.values)
    invoices = Invoice.objects.select_related("subscription__tenant").order_by("-issued_at", "-id")
    if status:
        invoices = invoices.filter(status=status)
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"invoice": invoice, "amount_due": to_major(invoice.amount_due)} for invoice in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "filters": _filters(request),
        "statuses": InvoiceStatus.choices,
        "chosen_status": status,
        "refused": refused,
        "manual": Provider.MANUAL,
        "open": InvoiceStatus.OPEN,
        "platform_bank_details": platform_bank_details(),
    }
    return render(request, "console/billing/invoices.html", context, status=status_code)


@operator_required
def invoice_list(request: HttpRequest) -> HttpResponse:
    return _invoice_page(request)


@operator_required
@require_POST
def invoice_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    reference = request.POST.get("reference", "").strip()
    try:
        if not reference:
            raise ValidationError({"reference": [_("Enter the bank transfer's reference.")]})
        mark_invoice_paid(invoice, actor=operator_actor(request), reference=reference)
    except ValidationError as error:
        field, problems = next(iter(error.message_dict.items()))
        messages.error(request, " ".join(problems))
        return _invoice_page(request, refused=(invoice.pk, field, " ".join(problems)), status_code=400)
    messages.success(request, _("Invoice %(number)s is marked paid.") % {"number": invoice.number})
    return redirect("console:invoices")


def _failed_invoices(now: datetime) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(status=InvoiceStatus.OPEN)
        .filter(Q(attempt_count__gt=0) | Q(due_at__lt=now))
        .select_related("subscription__tenant")
        .order_by("due_at", "id")
    )


@operator_required
def failed_payments(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    invoices = [
        {
            "invoice": invoice,
            "amount_due": to_major(invoice.amount_due),
            "overdue": bool(invoice.due_at and invoice.due_at < now),
        }
        for invoice in _failed_invoices(now)[:LIST_LIMIT]
    ]
    past_due = Subscription.objects.filter(status=SubscriptionStatus.PAST_DUE).select_related("tenant", "plan")
    context = {
        "invoices": invoices,
        "subscriptions": _subscription_rows(past_due.order_by("past_due_since", "id")[:LIST_LIMIT]),
        "now": now,
        "grace_days": settings.BILLING_GRACE_DAYS,
        "platform_bank_details": platform_bank_details(),
    }
    return render(request, "console/billing/failed_payments.html", context)
