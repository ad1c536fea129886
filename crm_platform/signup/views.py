"""The public site: plans and prices, the signup form, and the page that follows provisioning."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from billing.choices import Currency, Interval
from billing.providers import default_provider_key
from crm_platform.signup.forms import SignupForm
from crm_platform.signup.pricing import (
    card_required,
    chosen_currency,
    chosen_interval,
    offered_plans,
    plan_offers,
)
from crm_platform.signup.progress import (
    handoff_url,
    mark_handoff_issued,
    progress_of,
    progress_token,
    remember_signup,
    signup_of_session,
    tenant_url,
)
from crm_platform.signup.services import (
    SIGNUP_WINDOW_SECONDS,
    CheckoutUnavailable,
    count_signup,
    sign_up,
    signup_allowed,
)
from identity.client_address import client_address
from identity.forms import apply_service_errors, form_status
from tenants.models import Tenant
from tenants.validators import schema_name_for_slug, validate_schema_name, validate_slug

logger = logging.getLogger(__name__)


@require_GET
def public_home(request: HttpRequest) -> HttpResponse:
    """The plans with their modules, limits and seat price in the chosen currency and interval."""
    currency = chosen_currency(request.GET.get("currency"))
    interval = chosen_interval(request.GET.get("interval"))
    offers = plan_offers(offered_plans(), currency=currency, interval=interval, provider=default_provider_key())
    return render(
        request,
        "public/home.html",
        {
            "offers": offers,
            "currency": currency,
            "interval": interval,
            "currencies": Currency.values,
            "intervals": Interval.choices,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    address = client_address(request)
    if request.method == "POST":
        if not signup_allowed(address):
            minutes = SIGNUP_WINDOW_SECONDS // 60
            return render(request, "signup/throttled.html", {"minutes": minutes}, status=429)
        form = SignupForm(request.POST)
        if form.is_valid():
            try:
                result = sign_up(
                    form.signup(),
                    provider=default_provider_key(),
                    success_url=lambda tenant: request.build_absolute_uri(
                        reverse("signup-progress", args=[progress_token(tenant)])
                    ),
                    cancel_url=request.build_absolute_uri(f"{reverse('signup')}?{_choice_query(form)}"),
                    ip_address=address or None,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            except CheckoutUnavailable:
                logger.exception("the payment page for a signup could not be opened")
                message = _("The payment page could not be opened. Nothing was saved: please try again soon.")
                form.add_error(None, message)
                return render(request, "signup/form.html", _form_context(form), status=503)
            else:
                count_signup(address)
                remember_signup(request.session, result.tenant, checkout_queued=result.checkout_queued)
                return redirect(result.checkout_url or reverse("signup-progress", args=[progress_token(result.tenant)]))
    else:
        form = SignupForm(
            initial={
                "plan": request.GET.get("plan"),
                "currency": chosen_currency(request.GET.get("currency")),
                "interval": chosen_interval(request.GET.get("interval")),
                "locale": get_language(),
            }
        )
    return render(request, "signup/form.html", _form_context(form), status=form_status(form))


def _choice_query(form: SignupForm) -> str:
    data = form.cleaned_data
    return urlencode({"plan": data["plan"].key, "currency": data["currency"], "interval": data["interval"]})


def _form_context(form: SignupForm) -> dict[str, object]:
    plan_key = form["plan"].value()
    plans = list(form.fields["plan"].queryset)  # type: ignore[attr-defined]
    plan = next((plan for plan in plans if plan.key == plan_key), plans[0] if plans else None)
    return {
        "form": form,
        "plan": plan,
        "card_required": plan is not None and card_required(plan, default_provider_key()),
        "password_help": password_validation.password_validators_help_texts(),
        "base_domain": settings.BASE_DOMAIN,
    }


@require_GET
def subdomain_availability(request: HttpRequest) -> HttpResponse:
    """A small fragment for the signup form: is this address free?"""
    slug = request.GET.get("slug", "").strip().lower()
    state, message = "empty", ""
    if slug:
        try:
            validate_slug(slug)
            validate_schema_name(schema_name_for_slug(slug))
        except ValidationError as error:
            state = "reserved" if error.error_list[0].code == "reserved" else "invalid"
            message = error.messages[0]
        else:
            taken = Tenant.objects.filter(Q(slug=slug) | Q(schema_name=schema_name_for_slug(slug))).exists()
            state = "taken" if taken else "available"
    context = {"slug": slug, "state": state, "message": message, "base_domain": settings.BASE_DOMAIN}
    return render(request, "signup/subdomain.html", context)


def _signup_or_404(request: HttpRequest, token: str) -> tuple[Tenant, dict[str, object]]:
    found = signup_of_session(request.session, token)
    if found is None:
        raise Http404(_("No signup of yours is under way at this address."))
    return found


@never_cache
@require_GET
def signup_progress(request: HttpRequest, token: str) -> HttpResponse:
    tenant, entry = _signup_or_404(request, token)
    return render(request, "signup/progress.html", _status_context(request, tenant, entry, token))


@never_cache
@require_GET
def signup_status(request: HttpRequest, token: str) -> HttpResponse:
    """The polled fragment; once the workspace is ready, the browser moves to it signed in (once)."""
    tenant, entry = _signup_or_404(request, token)
    if tenant.is_ready and not entry.get("handoff_issued"):
        mark_handoff_issued(request.session, tenant)
        url = handoff_url(request, tenant, str(entry["email"]))
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)  # type: ignore[attr-defined]
    return render(request, "signup/status.html", _status_context(request, tenant, entry, token))


def _status_context(request: HttpRequest, tenant: Tenant, entry: dict[str, object], token: str) -> dict[str, object]:
    return {
        "workspace": tenant,
        "progress": progress_of(tenant),
        "token": token,
        "handoff_issued": bool(entry.get("handoff_issued")),
        # Stripe could not be reached at signup: the payment page's link comes by e-mail.
        "checkout_queued": bool(entry.get("checkout_queued")),
        "admin_email": entry.get("email", ""),
        "workspace_login_url": tenant_url(request, tenant, "/login/"),
    }
