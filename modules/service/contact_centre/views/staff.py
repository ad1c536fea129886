"""The contact centre's staff pages: the telephony settings (``service.admin``), click-to-dial, a
call's page (where an unknown caller becomes a contact) and a contact's SMS consent."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from identity.decorators import signed_in_user
from identity.models import User
from modules.contacts.selectors.lists import visible_companies, visible_contacts
from modules.registry import is_enabled
from modules.service.contact_centre.forms import AgentPhoneForm, DialForm, TelephonySettingsForm
from modules.service.contact_centre.models import Call, SmsConsent
from modules.service.contact_centre.phones import find_callers
from modules.service.contact_centre.services.accounts import (
    configured_settings,
    save_telephony_settings,
    set_agent_phone,
    telephony_settings,
)
from modules.service.contact_centre.services.calls import click_to_dial
from modules.service.contact_centre.services.csat import csat_enabled, set_csat_enabled
from modules.service.contact_centre.views.common import service_page


def _field_errors(form: Any, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@service_page("service.admin")
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    row = telephony_settings()
    initial = {
        "account_sid": row.account_sid if row else "",
        "numbers": "\n".join(row.numbers) if row else "",
        "sms_events": row.sms_events if row else [],
    }
    form = TelephonySettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save_telephony_settings(
                    by=signed_in_user(request), account_sid=form.cleaned_data["account_sid"],
                    auth_token=form.cleaned_data["auth_token"] or None, numbers=form.number_list(),
                    sms_events=form.cleaned_data["sms_events"],
                )  # fmt: skip
            except ValidationError as error:
                _field_errors(form, error)
            else:
                messages.success(request, _("The telephony settings are saved."))
                return redirect("contact-centre:settings")
        status = 400
    users = User.objects.filter(is_active=True).select_related("agent_phone").order_by("full_name", "email")
    context = {
        "form": form,
        "row": row,
        "csat_enabled": csat_enabled(),
        "users": users,
        "webhooks": {
            "voice": request.build_absolute_uri(reverse("contact-centre-hooks:voice-inbound")),
            "status": request.build_absolute_uri(reverse("contact-centre-hooks:voice-status")),
        },
    }
    return render(request, "service_contact_centre/settings.html", context, status=status)


@service_page("service.admin")
@require_POST
def csat_settings(request: HttpRequest) -> HttpResponse:
    enabled = request.POST.get("enabled", "")
    if enabled not in ("0", "1"):
        return _error_back(request, {"enabled": [_("Choose on or off.")]}, status=400)
    set_csat_enabled(enabled == "1", by=signed_in_user(request))
    if enabled == "1":
        messages.success(request, _("Customers are asked for a rating when a case is solved."))
    else:
        messages.success(request, _("Customers are no longer asked for a rating when a case is solved."))
    return redirect("contact-centre:settings")


@service_page("service.admin")
@require_POST
def agent_phone(request: HttpRequest) -> HttpResponse:
    form = AgentPhoneForm(request.POST)
    if not form.is_valid():
        return _error_back(request, form.errors.as_data(), status=400)
    user = get_object_or_404(User, pk=form.cleaned_data["user"], is_active=True)
    try:
        set_agent_phone(user, form.cleaned_data["number"], by=signed_in_user(request))
    except ValidationError as error:
        return _error_back(request, error.message_dict, status=400)
    messages.success(request, _("The phone of %(user)s is saved.") % {"user": user.display_name})
    return redirect("contact-centre:settings")


def _error_back(request: HttpRequest, errors: dict[str, Any], *, status: int) -> HttpResponse:
    text = "; ".join(f"{field}: {' '.join(str(p) for p in problems)}" for field, problems in errors.items())
    return render(request, "service_contact_centre/error.html", {"text": text}, status=status)


def _record(user: User, tenant: object, entity: str, pk: int | None) -> Any:
    if not entity or pk is None:
        return None
    if entity == "contact":
        return get_object_or_404(visible_contacts(user), pk=pk)
    if entity == "company":
        return get_object_or_404(visible_companies(user), pk=pk)
    if is_enabled(tenant, "sales") and user.has_perm("sales.view"):
        from modules.sales.selectors.deals import visible_leads

        return get_object_or_404(visible_leads(user), pk=pk)
    return None


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("shell:home")


@service_page("service.view")
@require_POST
def dial(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = DialForm(request.POST)
    if not form.is_valid():
        return _error_back(request, form.errors.as_data(), status=400)
    account = configured_settings()
    if account is None:
        return _error_back(request, {"provider": [_("Telephony is not set up for this workspace.")]}, status=409)
    record = _record(user, getattr(request, "tenant", None), form.cleaned_data["entity"], form.cleaned_data["record"])
    try:
        with transaction.atomic():
            call = click_to_dial(
                by=user, number=form.cleaned_data["number"], record=record, account=account,
                status_callback=request.build_absolute_uri(reverse("contact-centre-hooks:voice-status")),
            )  # fmt: skip
    except ValidationError as error:
        return _error_back(request, error.message_dict, status=400)
    messages.success(
        request,
        _("Calling %(number)s: your phone rings first, then the customer's.") % {"number": call.customer_number},
    )
    return redirect(_back(request))


@service_page("service.view")
@require_GET
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An inbound call's page: who called, the records that number belongs to (those the user may
    see), and for an unknown caller a link to create the contact with the number filled in."""
    user = signed_in_user(request)
    call = get_object_or_404(Call.objects.select_related("agent"), pk=pk)
    callers = find_callers(call.customer_number, with_leads=False) if call.customer_number.startswith("+") else None
    contact_ids = [contact.pk for contact in callers.contacts] if callers else []
    company_ids = [company.pk for company in callers.companies] if callers else []
    context = {
        "call": call,
        "contacts": list(visible_contacts(user).filter(pk__in=contact_ids)),
        "companies": list(visible_companies(user).filter(pk__in=company_ids)),
        "create_url": f"{reverse('contacts:contact-create')}?{urlencode({'phone': call.customer_number})}",
    }
    return render(request, "service_contact_centre/call_detail.html", context)


@service_page("service.change")
@require_POST
def sms_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record or withdraw a contact's consent to SMS about their cases."""
    user = signed_in_user(request)
    contact = get_object_or_404(visible_contacts(user), pk=pk)
    value = request.POST.get("consent", "")
    if value not in ("yes", "no"):
        return _error_back(request, {"consent": [_("Say yes or no.")]}, status=400)
    if value == "yes":
        SmsConsent.objects.get_or_create(contact=contact, defaults={"recorded_by": user})
    else:
        SmsConsent.objects.filter(contact=contact).delete()
    messages.success(request, _("The SMS consent of %(contact)s is saved.") % {"contact": contact})
    return redirect(_back(request))
