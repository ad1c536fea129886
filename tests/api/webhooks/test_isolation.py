"""Another tenant cannot reach alpha's endpoints, secrets or deliveries, and alpha's events never
become deliveries to another tenant's endpoints."""

from __future__ import annotations

from api.webhooks.models import Delivery, WebhookEndpoint
from api.webhooks.services.sending import attempt_delivery
from modules.contacts.services.contacts import create_contact
from tests.api.webhooks.conftest import Receiver, deliver_events, make_endpoint
from tests.tenancy import TenantFixture, assert_cross_tenant_requests_fail


def test_beta_cannot_see_edit_or_replay_alphas_endpoints(alpha: TenantFixture, beta: TenantFixture, receiver: Receiver):
    with alpha.active():
        endpoint = make_endpoint(receiver.url)
        create_contact(by=None, last_name="Alpha only")
        [delivery] = deliver_events()
        attempt_delivery(delivery.pk)
        secret = endpoint.secrets.get()
    with beta.active():
        assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    e, d = endpoint.pk, delivery.pk
    edit: dict[str, object] = {"url": "http://127.0.0.1:1/stolen", "description": "stolen"}

    assert_cross_tenant_requests_fail(
        alpha,
        beta,
        [
            ("get", f"/settings/webhooks/{e}/", {}),
            ("get", f"/settings/webhooks/{e}/edit/", {}),
            ("post", f"/settings/webhooks/{e}/edit/", edit),
            ("get", f"/settings/webhooks/{e}/secrets/{secret.pk}/", {}),
            ("post", f"/settings/webhooks/{e}/rotate/", {"previous_expires": "0"}),
            ("post", f"/settings/webhooks/{e}/test/", {}),
            ("post", f"/settings/webhooks/{e}/enabled/", {"enabled": "0"}),
            ("post", f"/settings/webhooks/{e}/delete/", {}),
            ("get", f"/settings/webhooks/{e}/deliveries/{d}/", {}),
            ("post", f"/settings/webhooks/{e}/deliveries/{d}/replay/", {}),
        ],
    )
    assert len(receiver.requests) == 1


def test_beta_lists_only_its_own_endpoints(alpha: TenantFixture, beta: TenantFixture, receiver: Receiver) -> None:
    with alpha.active():
        make_endpoint(receiver.url + "?alpha", description="Alpha hook")
    with beta.active():
        make_endpoint(receiver.url + "?beta", description="Beta hook")

    page = beta.client().get("/settings/webhooks/")

    assert [endpoint.description for endpoint in page.context["endpoints"]] == ["Beta hook"]
    assert "Alpha hook" not in page.content.decode()


def test_alphas_events_never_reach_betas_endpoints(alpha: TenantFixture, beta: TenantFixture, receiver: Receiver):
    with beta.active():
        beta_endpoint = make_endpoint(receiver.url + "?beta")
    with alpha.active():
        alpha_endpoint = make_endpoint(receiver.url + "?alpha")
        create_contact(by=None, last_name="Alpha event")
        deliveries = deliver_events()
        assert [d.endpoint_id for d in deliveries] == [alpha_endpoint.pk]
        for delivery in deliveries:
            attempt_delivery(delivery.pk)
    with beta.active():
        deliver_events()
        assert not Delivery.objects.filter(endpoint=beta_endpoint).exists()
        # A delivery id of alpha's means nothing in beta's schema.
        assert attempt_delivery(deliveries[0].pk) is None
    assert [request["path"] for request in receiver.requests] == ["/hook?alpha"]
