"""Sending one attempt of a delivery and reading the answer.

A worker claims the delivery (a short lease, committed), signs the body with every valid secret,
sends it through ``customization.outbound_http`` (internal addresses refused before any
connection), then records the attempt and the delivery's next state in one transaction:

- 2xx: delivered; the endpoint's failure streak ends.
- 410: failed; the endpoint is disabled at once.
- a URL that now resolves to an internal address: failed; the endpoint is disabled.
- anything else (another status, a timeout, no connection): retried per ``policy.RETRY_DELAYS``,
  failed after the last attempt; an endpoint failing too long is disabled (``policy``).

A worker that dies mid-request leaves the lease to expire; the sweeper then sends the delivery
again under the same ``webhook-id``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from api.webhooks.choices import AttemptTrigger, DeliveryState, DisabledReason
from api.webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint
from api.webhooks.policy import (
    COUNTDOWN_LIMIT,
    DISABLE_AFTER_FAILED_DELIVERIES,
    DISABLE_AFTER_FAILING_FOR,
    REQUEST_TIMEOUT_SECONDS,
    RESPONSE_LOG_CHARS,
    lease,
    retry_delay,
)
from api.webhooks.services.deliveries import queue_deliveries
from api.webhooks.services.endpoints import disable_endpoint, signing_secrets
from api.webhooks.signing import signed_headers
from crm_platform.metrics import count
from customization import outbound_http

USER_AGENT = "Relata-Webhooks/1.0"


@dataclass(frozen=True)
class Outcome:
    """What one request gave: a status and body, or an error (``refused``: never connected)."""

    started_at: datetime
    url: str
    headers: dict[str, str]
    status: int | None = None
    body: str = ""
    error: str = ""
    refused: bool = False
    duration_ms: int = 0

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _claim(delivery_id: int, now: datetime) -> tuple[Delivery, list[str]] | None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now, endpoint__is_enabled=True)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .first()
        )
        if delivery is None:
            return None
        Delivery.objects.filter(pk=delivery.pk).update(lease_until=now + lease())
        return delivery, signing_secrets(delivery.endpoint, now)


def _request(delivery: Delivery, secrets: list[str]) -> Outcome:
    started = timezone.now()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signed_headers(webhook_id=delivery.webhook_id, timestamp=started, body=delivery.payload, secrets_=secrets),
    }
    url = delivery.endpoint.url
    base = Outcome(started_at=started, url=url, headers=headers)
    try:
        response = outbound_http.send(
            "POST", url, body=delivery.payload.encode(), headers=headers, timeout=REQUEST_TIMEOUT_SECONDS
        )
    except (outbound_http.AddressRefused, outbound_http.InvalidURL) as error:
        return replace(base, error=str(error)[:500], refused=True)
    except outbound_http.OutboundError as error:
        elapsed = round((timezone.now() - started).total_seconds() * 1000)
        return replace(base, error=str(error)[:500], duration_ms=elapsed)
    body = response.body[:RESPONSE_LOG_CHARS]
    return replace(base, status=response.status, body=body, duration_ms=response.duration_ms)


def attempt_delivery(delivery_id: int) -> str | None:
    """Make the next attempt of a due delivery; returns its new state (None: not due, held by
    another worker, or done)."""
    claimed = _claim(delivery_id, timezone.now())
    if claimed is None:
        return None
    delivery, secrets = claimed
    return record_attempt(delivery.pk, _request(delivery, secrets))


def _signed_only(headers: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name.lower() != "authorization"}


def record_attempt(delivery_id: int, outcome: Outcome) -> str | None:
    """Log ``outcome`` as the delivery's next attempt and move the delivery and its endpoint on
    (None: the endpoint was deleted while the request ran)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return None
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        number = delivery.attempt_count + 1
        DeliveryAttempt.objects.create(
            delivery=delivery, number=number, trigger=delivery.next_trigger, url=outcome.url,
            request_headers=_signed_only(outcome.headers), response_status=outcome.status,
            response_body=outcome.body, error=outcome.error, succeeded=outcome.succeeded,
            started_at=outcome.started_at, duration_ms=outcome.duration_ms,
        )  # fmt: skip
        delivery.attempt_count, delivery.round_attempts = number, delivery.round_attempts + 1
        delivery.last_status, delivery.last_error = outcome.status, outcome.error
        delivery.lease_until, delivery.next_trigger = None, AttemptTrigger.SCHEDULED
        delay = None
        if outcome.succeeded:
            delivery.state = DeliveryState.SUCCEEDED
            if endpoint.failing_since or endpoint.consecutive_failures:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None, consecutive_failures=0)
        elif outcome.status == 410:
            delivery.state = DeliveryState.FAILED
            disable_endpoint(endpoint, reason=DisabledReason.GONE, detail=outcome.body[:200], now=now)
        elif outcome.refused:
            delivery.state = DeliveryState.FAILED
            disable_endpoint(endpoint, reason=DisabledReason.REFUSED_ADDRESS, detail=outcome.error, now=now)
        else:
            delay = retry_delay(delivery.round_attempts) if endpoint.is_enabled else None
            if _count_failure(endpoint, delivery_failed=delay is None, now=now):
                delay = None
            delivery.state = DeliveryState.PENDING if delay is not None else DeliveryState.FAILED
        if delivery.state == DeliveryState.PENDING and delay is not None:
            delivery.next_attempt_at = now + delay
            if delay <= COUNTDOWN_LIMIT:
                queue_deliveries([delivery.pk], countdown=delay.total_seconds())
        else:
            delivery.next_attempt_at, delivery.finished_at = None, now
        delivery.save()
    outcome_label = {DeliveryState.SUCCEEDED: "succeeded", DeliveryState.PENDING: "retrying"}.get(
        delivery.state, "failed"
    )
    count("webhook_deliveries", outcome=outcome_label)
    return delivery.state


def _count_failure(endpoint: WebhookEndpoint, *, delivery_failed: bool, now: datetime) -> bool:
    """Extend the endpoint's failure streak; disable it once the streak is too long (True)."""
    endpoint.failing_since = endpoint.failing_since or now
    if delivery_failed:
        endpoint.consecutive_failures += 1
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=endpoint.failing_since, consecutive_failures=endpoint.consecutive_failures
    )
    too_long = endpoint.failing_since <= now - DISABLE_AFTER_FAILING_FOR
    if not (too_long or endpoint.consecutive_failures >= DISABLE_AFTER_FAILED_DELIVERIES):
        return False
    # The page and the notice explain it from ``failing_since`` and ``consecutive_failures``.
    disable_endpoint(endpoint, reason=DisabledReason.FAILING, now=now)
    return True
