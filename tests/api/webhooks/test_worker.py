"""End to end with a real Celery worker: a committed change goes through the outbox to the
endpoint, a 500 is retried by the worker 5 s later under the same id, and both requests verify."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook

from api.webhooks.models import Delivery, WebhookEndpoint
from modules.sales.services.deals import create_deal
from tests.api.webhooks.conftest import Receiver, make_endpoint
from tests.processes import wait_until
from tests.tenancy import TenantFixture


@pytest.fixture
def committed_alpha(
    django_db_setup: None, django_db_blocker: Any, request: pytest.FixtureRequest
) -> Iterator[TenantFixture]:
    from tests.customization.events.conftest import committed_tenant

    for fixture in committed_tenant(request, "alpha"):
        yield fixture
        with django_db_blocker.unblock(), fixture.active():
            WebhookEndpoint.objects.filter(description="Committed endpoint").delete()


@pytest.mark.worker
def test_the_worker_delivers_and_retries_under_the_same_id(
    committed_alpha: TenantFixture, receiver: Receiver, celery_worker: Path
) -> None:
    receiver.statuses = [500]
    with committed_alpha.active():
        endpoint = make_endpoint(receiver.url, event_types=["deal.created"], description="Committed endpoint")
        secret = endpoint.secrets.get().secret

        deal = create_deal(by=None, name="Committed webhook deal")

        wait_until(lambda: len(receiver.requests) >= 2, timeout=60, what="the retried delivery")
        delivery = Delivery.objects.get(endpoint=endpoint)
        wait_until(lambda: Delivery.objects.get(pk=delivery.pk).state == "succeeded", timeout=10, what="success")
        attempts = list(delivery.attempts.values_list("number", "response_status"))
    assert attempts == [(1, 500), (2, 200)]
    first, second = receiver.requests
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == delivery.webhook_id
    for request in (first, second):
        payload = Webhook(secret).verify(request["body"], request["headers"])
        assert (payload["type"], payload["data"]["id"]) == ("deal.created", deal.pk)
