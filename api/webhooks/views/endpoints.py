"""Endpoints: list, create, edit, delete, switch on/off, secrets, test event."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.webhooks.choices import DeliveryState, DisabledReason
from api.webhooks.forms import EndpointForm, RotateSecretForm
from api.webhooks.models import WebhookEndpoint
from api.webhooks.policy import DISABLE_AFTER_FAILED_DELIVERIES, DISABLE_AFTER_FAILING_FOR, MAX_ATTEMPTS
from api.webhooks.services.deliveries import send_test_event
from api.webhooks.services.endpoints import (
    create_endpoint,
    delete_endpoint,
    disable_endpoint,
    enable_endpoint,
    endpoint_form_values,
    rotate_secret,
    update_endpoint,
)
from api.webhooks.views import PERMISSION
from identity.decorators import permission_required, signed_in_user
from identity.forms import apply_service_errors, form_status

DELIVERY_PAGE = 50


@permission_required(PERMISSION)
def endpoint_list(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - timedelta(days=1)
    endpoints = list(
        WebhookEndpoint.objects.annotate(
            recent=Count("deliveries", filter=Q(deliveries__created_at__gte=since)),
            recent_failed=Count(
                "deliveries", filter=Q(deliveries__created_at__gte=since, deliveries__state=DeliveryState.FAILED)
            ),
            last_delivery_at=Max("deliveries__created_at"),
        ).order_by("id")
    )
    stopped = [e for e in endpoints if not e.is_enabled and e.disabled_reason != DisabledReason.MANUAL]
    return render(request, "webhooks/list.html", {"endpoints": endpoints, "stopped": stopped})


def _endpoint_form(request: HttpRequest, endpoint: WebhookEndpoint | None) -> HttpResponse:
    initial = EndpointForm.initial_of(endpoint_form_values(endpoint)) if endpoint else None
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if endpoint is None:
                endpoint = create_endpoint(**form.service_values(), by=signed_in_user(request))
            else:
                endpoint = update_endpoint(endpoint, **form.service_values())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Endpoint %(url)s is saved.") % {"url": endpoint.url})
            return redirect("webhooks:detail", endpoint.pk)
    return render(request, "webhooks/form.html", {"endpoint": endpoint, "form": form}, status=form_status(form))


@permission_required(PERMISSION)
def endpoint_create(request: HttpRequest) -> HttpResponse:
    return _endpoint_form(request, None)


@permission_required(PERMISSION)
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _endpoint_form(request, get_object_or_404(WebhookEndpoint, pk=pk))


@permission_required(PERMISSION)
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The endpoint, its secrets and its delivery log (newest first, by the last id seen)."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    deliveries = endpoint.deliveries.order_by("-id")
    before = request.GET.get("before", "")
    if before.isdigit():
        deliveries = deliveries.filter(pk__lt=int(before))
    page = list(deliveries[: DELIVERY_PAGE + 1])
    more = len(page) > DELIVERY_PAGE
    page = page[:DELIVERY_PAGE]
    secrets = list(endpoint.secrets.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())))
    context = {
        "endpoint": endpoint,
        "deliveries": page,
        "next_before": page[-1].pk if more else None,
        "secrets": secrets,
        "rotate_form": RotateSecretForm(),
        "max_attempts": MAX_ATTEMPTS,
        "disable_days": DISABLE_AFTER_FAILING_FOR.days,
        "disable_failures": DISABLE_AFTER_FAILED_DELIVERIES,
    }
    return render(request, "webhooks/detail.html", context)


@permission_required(PERMISSION)
def endpoint_secret(request: HttpRequest, pk: int, secret_pk: int) -> HttpResponse:
    """One secret in clear, for the reveal button (htmx)."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    secret = get_object_or_404(endpoint.secrets, pk=secret_pk)
    response = render(request, "webhooks/_secret.html", {"secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@permission_required(PERMISSION)
@require_POST
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    form = RotateSecretForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("webhooks:detail", endpoint.pk)
    hours = int(form.cleaned_data["previous_expires"])
    rotate_secret(endpoint, overlap=timedelta(hours=hours))
    messages.success(request, _("A new secret signs from now on."))
    return redirect("webhooks:detail", endpoint.pk)


@permission_required(PERMISSION)
@require_POST
def endpoint_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    try:
        delivery = send_test_event(endpoint)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("webhooks:detail", endpoint.pk)
    messages.success(request, _("A test event is on its way."))
    return redirect("webhooks:delivery", endpoint.pk, delivery.pk)


@permission_required(PERMISSION)
@require_POST
def endpoint_set_enabled(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if request.POST.get("enabled") == "1":
        try:
            enable_endpoint(endpoint)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The endpoint receives events again."))
    else:
        disable_endpoint(endpoint, reason=DisabledReason.MANUAL)
        messages.success(request, _("The endpoint is switched off; no events are sent to it."))
    return redirect("webhooks:detail", endpoint.pk)


@permission_required(PERMISSION)
@require_POST
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    delete_endpoint(endpoint)
    messages.success(request, _("Endpoint %(url)s is deleted.") % {"url": endpoint.url})
    return redirect("webhooks:list")
