"""One delivery with the request and answer of each attempt, and its replay."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.webhooks.models import Delivery, WebhookEndpoint
from api.webhooks.services.deliveries import replay_delivery
from api.webhooks.views import PERMISSION
from identity.decorators import permission_required


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


@permission_required(PERMISSION)
def delivery_detail(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    delivery = get_object_or_404(Delivery, pk=delivery_pk, endpoint=endpoint)
    attempts = list(delivery.attempts.order_by("-number"))
    return render(
        request,
        "webhooks/delivery.html",
        {"endpoint": endpoint, "delivery": delivery, "payload": _pretty(delivery.payload), "attempts": attempts},
    )


@permission_required(PERMISSION)
@require_POST
def delivery_replay(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    delivery = get_object_or_404(Delivery, pk=delivery_pk, endpoint=endpoint)
    try:
        replay_delivery(delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The delivery is sent again, with the same webhook-id."))
    return redirect("webhooks:delivery", endpoint.pk, delivery.pk)
