"""Settings → Plan and usage: the tenant admin's view of its subscription, usage against the plan's
limits and invoices, and the changes it may make itself (plan, payment methods, cancellation).

Subscriptions and invoices live in the public schema; every query here is bound to the request's
tenant, so another tenant's invoice is a 404. Changes go through the subscription's billing
provider (``billing.providers.provider_for``), which owns the rules and the history.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.bank_details import platform_bank_details
from billing.choices import InvoiceStatus, Provider, SubscriptionStatus
from billing.entitlements import entitlements_for, subscription_of
from billing.forms import CancelForm, ChangePlanForm
from billing.models import Invoice, PlanPrice, Subscription
from billing.money import format_money
from billing.providers import provider_for
from billing.stripe_api import StripeCallFailed
from billing.usage import forget_usage, usage_rows
from identity.client_address import client_address
from identity.decorators import permission_required, signed_in_user
from identity.forms import apply_service_errors, form_status
from identity.services.audit import record_audit
from modules.registry import MODULES_BY_KEY, OPTIONAL_MODULE_KEYS
from tenants.models import Tenant

PERMISSION = "settings.manage_tenant"
INVOICES_SHOWN = 24


@dataclass(frozen=True)
class InvoiceLine:
    invoice: Invoice
    amount: str
    # An open bank transfer invoice: shown with the account to pay into and its number as reference.
    pay_by_transfer: bool


def _tenant(request: HttpRequest) -> Tenant:
    tenant = getattr(request, "tenant", None)
    if not isinstance(tenant, Tenant):
        raise Http404
    return tenant


def _subscription_or_404(request: HttpRequest) -> Subscription:
    subscription = subscription_of(_tenant(request))
    if subscription is None:
        raise Http404(_("This workspace has no subscription."))
    return subscription


def _invoice_line(invoice: Invoice) -> InvoiceLine:
    return InvoiceLine(
        invoice=invoice,
        amount=format_money(invoice.amount_due, invoice.currency),
        pay_by_transfer=invoice.provider == Provider.MANUAL and invoice.status == InvoiceStatus.OPEN,
    )


def _price_of(subscription: Subscription) -> dict[str, str] | None:
    price = PlanPrice.objects.filter(
        plan_id=subscription.plan_id, currency=subscription.currency, interval=subscription.interval
    ).first()
    if price is None:
        return None
    return {
        "seat": format_money(price.seat_amount, price.currency),
        "total": format_money(price.seat_amount * subscription.seats, price.currency),
    }


@permission_required(PERMISSION)
def overview(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    subscription = subscription_of(tenant)
    entitlements = entitlements_for(tenant)
    rows = usage_rows(tenant, entitlements)
    invoices: list[InvoiceLine] = []
    if subscription is not None:
        invoices = [_invoice_line(invoice) for invoice in subscription.invoices.all()[:INVOICES_SHOWN]]
    context = {
        "tenant": tenant,
        "subscription": subscription,
        "entitlements": entitlements,
        "price": _price_of(subscription) if subscription is not None else None,
        "modules": [(MODULES_BY_KEY[key].label, key in entitlements.modules) for key in OPTIONAL_MODULE_KEYS],
        "usage_rows": rows,
        "warnings": [row for row in rows if row.level != "ok"],
        "invoices": invoices,
        "pay_by_transfer": any(line.pay_by_transfer for line in invoices),
        "bank_details": platform_bank_details() if any(line.pay_by_transfer for line in invoices) else "",
        "can_change": subscription is not None and subscription.status != SubscriptionStatus.CANCELED,
    }
    return render(request, "billing/tenant/overview.html", context)


@permission_required(PERMISSION)
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(
        Invoice.objects.select_related("subscription"), pk=pk, subscription__tenant_id=_tenant(request).pk
    )
    line = _invoice_line(invoice)
    context = {
        "line": line,
        "invoice": invoice,
        "bank_details": platform_bank_details() if line.pay_by_transfer else "",
    }
    return render(request, "billing/tenant/invoice.html", context)


@permission_required(PERMISSION)
def change_plan(request: HttpRequest) -> HttpResponse:
    subscription = _subscription_or_404(request)
    form = ChangePlanForm(request.POST if request.method == "POST" else None, subscription=subscription)
    status = 200
    if request.method == "POST" and form.is_valid() and subscription.status == SubscriptionStatus.CANCELED:
        form.add_error(None, _("A cancelled subscription cannot change its plan."))
    elif request.method == "POST" and form.is_valid():
        plan, interval = form.cleaned_data["plan"], form.cleaned_data["interval"]
        actor = signed_in_user(request).email
        try:
            result: object = provider_for(subscription).change_plan(subscription, plan, interval=interval, actor=actor)
        except ValidationError as error:
            apply_service_errors(form, error)
        except StripeCallFailed as error:
            form.add_error(None, _("The payment provider did not accept the change: %(error)s") % {"error": error})
            status = 502
        else:
            record_audit(
                "billing.plan_changed",
                _("Plan changed to %(plan)s (%(interval)s)") % {"plan": plan.name, "interval": interval},
                actor=actor,
                target=f"plan:{plan.key}",
                details={"plan": plan.key, "interval": interval},
                ip_address=client_address(request),
            )
            forget_usage(subscription.tenant)
            if isinstance(result, str):  # the provider wants the customer on its payment page first
                return HttpResponseRedirect(result)
            messages.success(request, _("Your plan is now %(plan)s.") % {"plan": plan.name})
            return redirect("billing-settings:overview")
    context = {"subscription": subscription, "form": form}
    return render(request, "billing/tenant/change_plan.html", context, status=max(status, form_status(form)))


@permission_required(PERMISSION)
def payment_portal(request: HttpRequest) -> HttpResponse:
    """Off to the provider's page for payment methods and invoices. A GET, so that a suspended
    workspace (where writes are switched off) can still get there and pay."""
    subscription = _subscription_or_404(request)
    return_url = request.build_absolute_uri(reverse("billing-settings:overview"))
    try:
        url = provider_for(subscription).portal_url(subscription, return_url=return_url)
    except StripeCallFailed:
        messages.error(request, _("The payment provider cannot be reached right now; try again in a moment."))
        return redirect("billing-settings:overview")
    if url is None:
        messages.info(request, _("Invoices of this subscription are paid by bank transfer; they are listed below."))
        return redirect("billing-settings:overview")
    return HttpResponseRedirect(url)


@permission_required(PERMISSION)
def cancel(request: HttpRequest) -> HttpResponse:
    subscription = _subscription_or_404(request)
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        actor = signed_in_user(request).email
        try:
            provider_for(subscription).cancel(subscription, at_period_end=True, actor=actor)
        except ValidationError as error:
            apply_service_errors(form, error)
        except StripeCallFailed as error:
            form.add_error(
                None, _("The payment provider did not accept the cancellation: %(error)s") % {"error": error}
            )
            status = 502
        else:
            record_audit(
                "billing.cancel_requested",
                _("Subscription set to end at the end of the paid period"),
                actor=actor,
                target=f"plan:{subscription.plan.key}",
                ip_address=client_address(request),
            )
            messages.success(request, _("The subscription ends at the end of the paid period."))
            return redirect("billing-settings:overview")
    context = {"subscription": subscription, "form": form}
    return render(request, "billing/tenant/cancel.html", context, status=max(status, form_status(form)))
