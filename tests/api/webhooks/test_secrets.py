"""Secret rotation: during the overlap every request carries a signature of each valid secret,
so receivers holding either verify it; once the old one expires it signs nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from api.webhooks.models import EndpointSecret
from api.webhooks.services.deliveries import send_test_event
from api.webhooks.services.endpoints import rotate_secret
from api.webhooks.services.sending import attempt_delivery
from tests.api.webhooks.conftest import Receiver, make_endpoint
from tests.tenancy import TenantFixture


def _send(endpoint) -> dict[str, object]:  # type: ignore[no-untyped-def]
    delivery = send_test_event(endpoint)
    attempt_delivery(delivery.pk)
    return delivery.attempts.get().request_headers | {"delivery": delivery}


def test_a_new_secret_has_the_standard_format(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        secret = make_endpoint(receiver.url).secrets.get().secret
    assert secret.startswith("whsec_")
    Webhook(secret)  # decodes


def test_both_secrets_sign_during_the_overlap_and_the_old_one_stops_after(
    alpha: TenantFixture, receiver: Receiver
) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        old = endpoint.secrets.get().secret

        new = rotate_secret(endpoint, overlap=timedelta(hours=24)).secret
        send_test_event(endpoint)
        delivery = endpoint.deliveries.get()
        attempt_delivery(delivery.pk)

        request = receiver.requests[0]
        assert len(request["headers"]["webhook-signature"].split(" ")) == 2
        assert Webhook(old).verify(request["body"], request["headers"])["type"] == "webhook.test"
        assert Webhook(new).verify(request["body"], request["headers"])["type"] == "webhook.test"

        EndpointSecret.objects.filter(secret=old).update(expires_at=timezone.now() - timedelta(seconds=1))
        later = send_test_event(endpoint)
        attempt_delivery(later.pk)

        request = receiver.requests[1]
        assert len(request["headers"]["webhook-signature"].split(" ")) == 1
        Webhook(new).verify(request["body"], request["headers"])
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(request["body"], request["headers"])


def test_rotating_with_no_overlap_drops_the_old_secret_at_once(alpha: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        old = endpoint.secrets.get().secret

        new = rotate_secret(endpoint, overlap=timedelta(0))

        assert list(endpoint.secrets.values_list("secret", "expires_at")) == [(new.secret, None)]
        assert old != new.secret
