"""The endpoint Stripe posts events to: verify, store once, queue the handling after commit, answer.

Stripe waits for the answer and retries anything but a 2xx, so the answer comes at once (the
handling is the task's), and a duplicate gets a 200 too. Rejections are problem+json (RFC 9457)
naming the reason.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import stripe_api
from billing.choices import EventStatus
from billing.webhooks.handling import store_event
from billing.webhooks.tasks import handle_stripe_event


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    try:
        event = stripe_api.verify_webhook(request.body, request.headers.get("Stripe-Signature", ""))
    except stripe_api.WebhookRejected as rejection:
        return JsonResponse(
            {
                "type": "about:blank",
                "title": _("Webhook rejected"),
                "status": 400,
                "detail": rejection.message,
                "reason": rejection.reason,
            },
            status=400,
            content_type="application/problem+json",
        )
    with transaction.atomic():
        stored, created = store_event(event)
        # A redelivery of an event not handled yet is queued again (the handler does it once).
        if created or stored.status in (EventStatus.PENDING, EventStatus.FAILED):
            transaction.on_commit(partial(handle_stripe_event.delay, stored.pk))
    return JsonResponse({"received": True, "duplicate": not created})
