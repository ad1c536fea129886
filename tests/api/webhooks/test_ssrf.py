"""URLs that resolve to loopback, private, link-local or reserved addresses are refused when an
endpoint is saved and again before each request; a refused request never opens a connection."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from api.webhooks.models import WebhookEndpoint
from api.webhooks.services.endpoints import create_endpoint, enable_endpoint, update_endpoint
from api.webhooks.services.sending import attempt_delivery
from modules.contacts.services.contacts import create_contact
from tests.api.webhooks.conftest import Receiver, deliver_events, make_endpoint
from tests.tenancy import TenantFixture

INTERNAL_URLS = [
    "http://127.0.0.1:{port}/hook",
    "http://localhost:{port}/hook",
    "http://[::1]:{port}/hook",
    "http://[::ffff:127.0.0.1]:{port}/hook",
    "http://[2002:7f00:1::1]:{port}/hook",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
    "http://10.0.0.1/hook",
    "http://192.168.1.20/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0:{port}/hook",
    "http://2130706433:{port}/hook",
]


@pytest.mark.parametrize("template", INTERNAL_URLS)
def test_an_internal_url_is_refused_at_save(template: str, alpha: TenantFixture, receiver: Receiver, settings) -> None:
    settings.OUTBOUND_HTTP_ALLOW_PRIVATE = False
    url = template.format(port=receiver.port)
    with alpha.active():
        with pytest.raises(ValidationError) as refused:
            create_endpoint(url=url, by=None)

        assert list(refused.value.message_dict) == ["url"]
        [message] = refused.value.message_dict["url"]
        assert "internal address" in message or "Enter a valid" in message
        assert not WebhookEndpoint.objects.exists()
    assert receiver.connections == 0


def test_changing_a_url_to_an_internal_one_is_refused(alpha: TenantFixture, receiver: Receiver, settings) -> None:
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        settings.OUTBOUND_HTTP_ALLOW_PRIVATE = False
        with pytest.raises(ValidationError) as refused:
            update_endpoint(endpoint, url="http://169.254.169.254/")
        assert refused.value.message_dict["url"] == [
            "169.254.169.254 resolves to an internal address (169.254.169.254); requests there are refused."
        ]
        endpoint.refresh_from_db()
        assert endpoint.url == receiver.url


@pytest.mark.parametrize("url", ["ftp://example.test/", "http:///nohost", "javascript:alert(1)", "", "http://a b/"])
def test_a_malformed_url_is_refused_with_the_field_named(url: str, alpha: TenantFixture) -> None:
    with alpha.active(), pytest.raises(ValidationError) as refused:
        create_endpoint(url=url, by=None)
    assert list(refused.value.message_dict) == ["url"]


def test_an_endpoint_whose_host_now_resolves_inside_is_refused_at_send(
    alpha: TenantFixture, receiver: Receiver, settings, django_capture_on_commit_callbacks
) -> None:
    """Saved while the address was allowed (as when DNS later changes): the send-time check refuses
    it without connecting, fails the delivery and disables the endpoint."""
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        create_contact(by=None, last_name="Rebound")
        [delivery] = deliver_events()
        settings.OUTBOUND_HTTP_ALLOW_PRIVATE = False

        with django_capture_on_commit_callbacks():
            assert attempt_delivery(delivery.pk) == "failed"

        assert receiver.connections == 0
        attempt = delivery.attempts.get()
        assert attempt.response_status is None
        assert attempt.error == ("127.0.0.1 resolves to an internal address (127.0.0.1); requests there are refused.")
        endpoint.refresh_from_db()
        assert (endpoint.is_enabled, endpoint.disabled_reason) == (False, "refused_address")
        with pytest.raises(ValidationError) as refused:
            enable_endpoint(endpoint)
        assert list(refused.value.message_dict) == ["url"]
        endpoint.refresh_from_db()
        assert endpoint.is_enabled is False
