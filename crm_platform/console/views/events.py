"""The Stripe event log: every webhook event stored, how its handling went, its payload, and a
replay for one that failed (handled again by the same code, audited)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.choices import EventStatus
from billing.models import StripeEvent
from billing.webhooks.handling import replay_event
from crm_platform.console.access import operator_actor, operator_required
from crm_platform.console.views.billing import PAGE_SIZE

MAX_TYPE_FILTER = 100


@operator_required
def event_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in EventStatus.values else ""
    event_type = request.GET.get("type", "").strip()[:MAX_TYPE_FILTER]
    events = StripeEvent.objects.defer("payload").order_by("-received_at", "-id")
    if status:
        events = events.filter(status=status)
    if event_type:
        events = events.filter(type__startswith=event_type)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {
        "page": page,
        "filters": filters.urlencode(),
        "statuses": EventStatus.choices,
        "chosen_status": status,
        "chosen_type": event_type,
    }
    return render(request, "console/billing/events.html", context)


@operator_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(StripeEvent, pk=pk)
    payload = json.dumps(event.payload, indent=2, ensure_ascii=False, sort_keys=True)
    return render(request, "console/billing/event.html", {"event": event, "payload": payload})


@operator_required
@require_POST
def event_replay(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(StripeEvent, pk=pk)
    try:
        replay_event(event, actor=operator_actor(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        payload = json.dumps(event.payload, indent=2, ensure_ascii=False, sort_keys=True)
        return render(request, "console/billing/event.html", {"event": event, "payload": payload}, status=400)
    messages.success(request, _("Event %(event)s is handled again.") % {"event": event.event_id})
    return redirect("console:stripe-event", event.pk)
